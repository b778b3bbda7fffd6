"""The all-pairs reachability matrix between interfaces, by equivalence class (private ENI -> ENI flows).

Every pair of interfaces is answered at once, for every protocol and port, without asking `reach`
pair by pair. Two interfaces belong to one class when nothing `reach` looks at can tell them apart:

- the same subnet (so the same VPC, route table and NACL), the same set of security groups (and,
  for an interface without groups, whether any group filters it), the same load balancer node;
- and, for its primary private IPv4 address (the address `reach` uses for ENI -> ENI questions):
  - the same *address atom*: the elementary interval of the IPv4 space between the boundaries of
    every CIDR that can decide anything (security group CIDR and prefix-list peers, NACL entries,
    route destinations). Two addresses in one atom are inside or outside every such CIDR alike;
  - the same *membership*: the groups whose member address sets contain the address. A rule that
    references group G matches the private addresses of G's members, so an interface is matched
    by a peer's rule through its own groups; the membership is taken from addresses, not from
    the interface, so an address that two interfaces share (overlapping VPCs) counts for both.

A cell (A, B) is then the traffic any member of A can open to any other member of B, exactly as
`reach` (and the naive per-packet evaluator in bench/naive.py) decides it for that pair: egress
groups, outbound NACL, route, inbound NACL, ingress groups, listener, return route, and the reply
through both NACLs on one ephemeral port (NACLs are skipped inside one subnet). Traffic is split
into *traffic atoms* (protocol x port or ICMP type/code cells no rule or entry splits), so a cell is
a bitmask over atoms and a whole cell costs a handful of integer ANDs.

Only private flows are cells: a pair whose source subnet has no private route to the destination
(a local route within the VPC, or a peering route) has no cell; `reach` answers it through the
destination's public address. An interface always reaches itself; cells are about distinct
interfaces. Interfaces without a private IPv4 address, and those whose answers depend on values
the input leaves unknown (IaC), are left out and listed.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TextIO

from edgeward.algebra.addresses import parse_address
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import (
    ALL_PORTS,
    EPHEMERAL_PORTS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    TrafficSpace,
    describe_ports,
    icmp_point,
    protocol_name,
)
from edgeward.analysis.flows import Traffic
from edgeward.analysis.unknowns import interface_dependencies, unknowns_for
from edgeward.model.network import NetworkInterface, RouteTable, RouteTarget
from edgeward.model.snapshot import Snapshot
from edgeward.semantics import Semantics
from edgeward.semantics.network_acls import entry_protocols_and_ports
from edgeward.semantics.security_groups import rule_protocols_and_ports

PORTED = frozenset({TCP, UDP, ICMP, ICMPV6})  # protocols whose traffic has a point (port or type/code)
ECHO_REPLIES = {ICMP: (8, icmp_point(0, 0)), ICMPV6: (128, icmp_point(129, 0))}  # request type -> reply point


# -- traffic atoms ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrafficAtom:
    """Protocols [proto_lo, proto_hi] x points [point_lo, point_hi] that every rule treats alike."""

    proto_lo: int
    proto_hi: int
    point_lo: int
    point_hi: int


class TrafficAtoms:
    """The partition of (protocol, point) space into atoms, and bitmasks over it.

    Protocols other than TCP, UDP, ICMP and ICMPv6 carry the single point 0 (as in `Traffic.point`).
    """

    def __init__(self, boxes: Iterable[tuple[IntervalSet, IntervalSet]]) -> None:
        boxes = list(dict.fromkeys(boxes))
        proto_cuts = {0, 256}
        for p in PORTED:
            proto_cuts |= {p, p + 1}
        for protocols, _ports in boxes:
            for lo, hi in protocols:
                proto_cuts |= {lo, hi + 1}
        cuts = sorted(c for c in proto_cuts if 0 <= c <= 256)
        atoms: list[TrafficAtom] = []
        for lo, nxt in pairwise(cuts):
            hi = nxt - 1
            if lo == hi and lo in PORTED:
                point_cuts = {0, 65536}
                if lo in (TCP, UDP):
                    point_cuts |= {EPHEMERAL_PORTS.min(), EPHEMERAL_PORTS.max() + 1}
                else:
                    request, reply = ECHO_REPLIES[lo]
                    point_cuts |= {request * 256, request * 256 + 256, reply, reply + 1}
                for protocols, ports in boxes:
                    if lo in protocols:
                        for p_lo, p_hi in ports:
                            point_cuts |= {p_lo, p_hi + 1}
                points = sorted(c for c in point_cuts if 0 <= c <= 65536)
                atoms.extend(TrafficAtom(lo, lo, a, b - 1) for a, b in pairwise(points))
            else:
                atoms.append(TrafficAtom(lo, hi, 0, 0))
        self.atoms: tuple[TrafficAtom, ...] = tuple(atoms)
        self.all = (1 << len(atoms)) - 1
        self._box_masks: dict[tuple[IntervalSet, IntervalSet], int] = {}
        self.tcp_ephemeral = self.mask(IntervalSet.point(TCP), EPHEMERAL_PORTS)
        self.udp_ephemeral = self.mask(IntervalSet.point(UDP), EPHEMERAL_PORTS)
        self.tcp = self.mask(IntervalSet.point(TCP), ALL_PORTS)
        self.udp = self.mask(IntervalSet.point(UDP), ALL_PORTS)
        self.echo: list[tuple[int, int]] = []  # (request atoms, reply atom) per ICMP flavour
        no_reply = 0
        for proto, (request, reply) in ECHO_REPLIES.items():
            requests = self.mask(IntervalSet.point(proto), IntervalSet.span(request * 256, request * 256 + 255))
            self.echo.append((requests, self.mask(IntervalSet.point(proto), IntervalSet.point(reply))))
            no_reply |= self.mask(IntervalSet.point(proto), ALL_PORTS) & ~requests
        self.no_reply = no_reply  # ICMP messages other than echo expect no reply
        self.other = self.all & ~(self.tcp | self.udp | self.mask(IntervalSet.span(ICMP, ICMP), ALL_PORTS))
        self.other &= ~self.mask(IntervalSet.point(ICMPV6), ALL_PORTS)  # protocols whose reply is itself

    def mask(self, protocols: IntervalSet, ports: IntervalSet) -> int:
        """Atoms inside the box protocols x ports (atoms never straddle a box's edge)."""
        key = (protocols, ports)
        found = self._box_masks.get(key)
        if found is None:
            found = 0
            for i, atom in enumerate(self.atoms):
                if atom.proto_lo in protocols and atom.point_lo in ports:
                    found |= 1 << i
            self._box_masks[key] = found
        return found

    def space_mask(self, space: TrafficSpace, address: int | None = None) -> int:
        """Atoms of the space's boxes (whose peers hold `address`, when given)."""
        out = 0
        for box in space.boxes:
            if address is None or address in box.peers.v4:
                out |= self.mask(box.protocols, box.ports)
        return out

    def traffic_mask(self, traffic: Traffic) -> int:
        point = traffic.point if traffic.protocol in PORTED else 0
        for i, atom in enumerate(self.atoms):
            if atom.proto_lo <= traffic.protocol <= atom.proto_hi and atom.point_lo <= point <= atom.point_hi:
                return 1 << i
        return 0  # pragma: no cover - the atoms cover every (protocol, point)

    def decode(self, mask: int) -> list[tuple[IntervalSet, IntervalSet]]:
        """The mask as (protocols, points) pairs: protocols with the same points share a pair."""
        points: dict[int, list[tuple[int, int]]] = defaultdict(list)
        protos: dict[int, tuple[int, int]] = {}
        for i, atom in enumerate(self.atoms):
            if mask >> i & 1:
                points[atom.proto_lo].append((atom.point_lo, atom.point_hi))
                protos[atom.proto_lo] = (atom.proto_lo, atom.proto_hi)
        grouped: dict[IntervalSet, list[tuple[int, int]]] = {}
        for lo, spans in points.items():
            p_lo, p_hi = protos[lo]
            key = IntervalSet(spans) if p_lo in PORTED else ALL_PORTS
            grouped.setdefault(key, []).append((p_lo, p_hi))
        return [(IntervalSet(ranges), ports) for ports, ranges in grouped.items()]

    def describe(self, mask: int) -> list[str]:
        out: list[str] = []
        for protocols, ports in self.decode(mask):
            if protocols.size() == 1:
                proto = protocols.min()
                text = protocol_name(proto)
                if proto in PORTED:
                    text += " " + describe_ports(proto, ports)
            else:
                text = "all protocols" if protocols.size() == 256 else f"protocols {protocols.describe()}"
            out.append(text)
        return out


# -- classes ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InterfaceClass:
    """Interfaces nothing tells apart for private flows (see the module docstring)."""

    id: str
    vpc_id: str
    subnet_id: str
    group_ids: tuple[str, ...]
    load_balancer: str | None
    interfaces: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vpc": self.vpc_id,
            "subnet": self.subnet_id,
            "security_groups": list(self.group_ids),
            "load_balancer": self.load_balancer,
            "interfaces": list(self.interfaces),
        }


@dataclass(frozen=True, slots=True)
class _ClassKey:
    subnet_id: str
    groups: frozenset[str]
    filtered: bool
    load_balancer: str | None
    atom: int
    membership: frozenset[str]


class ReachabilityMatrix:
    """Cells (source class, destination class) -> traffic-atom bitmask, for pairs with a private route."""

    def __init__(
        self,
        classes: tuple[InterfaceClass, ...],
        class_of: dict[str, int],
        cells: dict[tuple[int, int], int],
        atoms: TrafficAtoms,
        traffic: tuple[Traffic, ...] | None,
        left_out: dict[str, str],
    ) -> None:
        self.classes = classes
        self.class_of = class_of
        self.cells = cells
        self.atoms = atoms
        self.traffic = traffic
        self.left_out = left_out  # interface id -> why it has no class
        self._described: dict[int, list[str]] = {}

    def cell(self, source: int, destination: int) -> int | None:
        """The bitmask of traffic atoms allowed from class `source` to class `destination`, or None
        when the source's subnet has no private route to the destination."""
        return self.cells.get((source, destination))

    def allows(self, source: str, destination: str, traffic: Traffic) -> bool | None:
        """Does interface `source` reach interface `destination` privately with this traffic?
        None when the pair has no private route (or an interface has no class)."""
        if source == destination and source in self.class_of:
            return True
        a, b = self.class_of.get(source), self.class_of.get(destination)
        if a is None or b is None:
            return None
        mask = self.cells.get((a, b))
        if mask is None:
            return None
        return bool(mask & self.atoms.traffic_mask(traffic))

    def allowed_pairs(self) -> Iterator[tuple[InterfaceClass, InterfaceClass, int]]:
        """Cells with some traffic allowed, in class order."""
        for (a, b), mask in sorted(self.cells.items()):
            if mask:
                yield self.classes[a], self.classes[b], mask

    def describe_cell(self, mask: int) -> list[str]:
        """The traffic of a cell in words (`tcp port 443`, `udp ports 1024-65535`, `all protocols`)."""
        found = self._described.get(mask)
        if found is None:
            if self.traffic is not None:
                found = [t.describe() for t in self.traffic if mask & self.atoms.traffic_mask(t)]
            else:
                found = self.atoms.describe(mask)
            self._described[mask] = found
        return found

    def interface_pairs(self, allowed_only: bool = True) -> int:
        """How many (source, destination) interface pairs the cells stand for (distinct interfaces)."""
        total = 0
        for (a, b), mask in self.cells.items():
            if allowed_only and not mask:
                continue
            n_a, n_b = len(self.classes[a].interfaces), len(self.classes[b].interfaces)
            total += n_a * n_b - (n_a if a == b else 0)
        return total

    def to_json(self) -> dict[str, Any]:
        """The whole matrix as one JSON document (see `write_json` for the shape)."""
        return json.loads("".join(self.json_chunks()))  # type: ignore[no-any-return]

    def write_json(self, out: TextIO) -> None:
        """Write the JSON document piece by piece: a large estate has millions of cells."""
        for chunk in self.json_chunks():
            out.write(chunk)

    def json_chunks(self, per_chunk: int = 10_000) -> Iterator[str]:
        """The JSON document in pieces. Cells are `[from class, to class, traffic set]` where the traffic
        set indexes `traffic_sets` (many cells allow the same traffic), one cell per line."""
        head: dict[str, Any] = {
            "traffic": [t.to_json() for t in self.traffic] if self.traffic is not None else "all",
            "classes": [c.to_json() for c in self.classes],
            "private_cells": len(self.cells),
            "allowed_interface_pairs": self.interface_pairs(),
            "left_out": [{"interface": k, "reason": v} for k, v in sorted(self.left_out.items())],
        }
        yield json.dumps(head, indent=2)[:-2] + ',\n  "allowed": ['
        sets: dict[int, int] = {}
        lines: list[str] = []
        separator = ""
        for a, b, mask in self.allowed_pairs():
            index = sets.setdefault(mask, len(sets))
            lines.append(f'\n    ["{a.id}", "{b.id}", {index}]')
            if len(lines) >= per_chunk:
                yield separator + ",".join(lines)
                separator = ","
                lines.clear()
        if lines:
            yield separator + ",".join(lines)
        described = [json.dumps(self.describe_cell(mask)) for mask in sets]
        yield '\n  ],\n  "traffic_sets": [' + ",".join(f"\n    {d}" for d in described) + "\n  ]\n}\n"


# -- the computation --------------------------------------------------------------------------
class _Builder:
    def __init__(self, snapshot: Snapshot, semantics: Semantics) -> None:
        self.s = snapshot
        self.sem = semantics
        self.groups = semantics.groups
        self.acls = semantics.acls
        self.routes = semantics.routes
        self._group_rules: dict[tuple[str, bool], tuple[list[tuple[IntervalSet, int]], dict[str, int]]] = {}
        self._cidr_mask: dict[tuple[str, bool, int], int] = {}
        self._set_refs: dict[tuple[frozenset[str], bool], dict[str, int]] = {}
        self._set_cidr: dict[tuple[frozenset[str], bool, int], int] = {}
        self._acl_mask: dict[tuple[str | None, bool, int], int] = {}
        self._route: dict[tuple[str | None, int], tuple[str, str] | None] = {}

    # boundaries of every CIDR that decides something for an IPv4 address
    def boundaries(self) -> list[int]:
        cuts: set[int] = set()

        def add(v4: IntervalSet) -> None:
            for lo, hi in v4:
                cuts.add(lo)
                cuts.add(hi + 1)

        for group in self.s.security_groups.values():
            for rule in group.ingress + group.egress:
                if rule.group is None:
                    add(self.groups.peers(rule).addresses.v4)
        for acl in self.s.network_acls.values():
            for box in self.acls.allowed_space(acl, False).boxes + self.acls.allowed_space(acl, True).boxes:
                add(box.peers.v4)
        for table in self.s.route_tables.values():
            for block, _route in self.routes.partition(table):
                add(block.v4)
        return sorted(cuts)

    def traffic_atoms(self) -> TrafficAtoms:
        boxes: list[tuple[IntervalSet, IntervalSet]] = []
        for group in self.s.security_groups.values():
            for rule in group.ingress + group.egress:
                boxes.append(rule_protocols_and_ports(rule))
        for acl in self.s.network_acls.values():
            boxes.extend(entry_protocols_and_ports(e) for e in acl.entries)
        lbs = self.sem.load_balancers
        for eni in self.s.interfaces.values():
            if lbs.load_balancer_of(eni) is not None:
                boxes.extend((b.protocols, b.ports) for b in lbs.accepted_space(eni).boxes)
        return TrafficAtoms(boxes)

    # security groups ------------------------------------------------------------------------
    def _rules_of(self, group_id: str, egress: bool) -> tuple[list[tuple[IntervalSet, int]], dict[str, int]]:
        """(CIDR-like peers with their masks, referenced group -> mask) of one group and direction."""
        key = (group_id, egress)
        found = self._group_rules.get(key)
        if found is None:
            by_peer: dict[IntervalSet, int] = {}
            by_ref: dict[str, int] = {}
            group = self.s.security_groups[group_id]
            for rule in group.egress if egress else group.ingress:
                peers = self.groups.peers(rule).addresses
                if not peers.v4:
                    continue
                mask = self.atoms.mask(*rule_protocols_and_ports(rule))
                if rule.group is not None:  # a live reference: its peers are exactly the members' addresses
                    by_ref[rule.group.group_id] = by_ref.get(rule.group.group_id, 0) | mask
                else:
                    by_peer[peers.v4] = by_peer.get(peers.v4, 0) | mask
            found = (list(by_peer.items()), by_ref)
            self._group_rules[key] = found
        return found

    def _cidr_part(self, group_id: str, egress: bool, address: int, atom: int) -> int:
        key = (group_id, egress, atom)
        mask = self._cidr_mask.get(key)
        if mask is None:
            mask = 0
            for v4, m in self._rules_of(group_id, egress)[0]:
                if address in v4:
                    mask |= m
            self._cidr_mask[key] = mask
        return mask

    def sg_mask(self, cls: _ClassKey, egress: bool, peer: _ClassKey, peer_address: int) -> int:
        """Traffic the class's groups allow to (egress) or from (ingress) the peer's address: the CIDR-like
        rules that hold the peer's atom, and the references to a group the peer's address is a member of."""
        if not cls.filtered:
            return self.atoms.all
        refs = self._set_refs.get((cls.groups, egress))
        if refs is None:
            refs = {}
            for group_id in cls.groups:
                for member_of, m in self._rules_of(group_id, egress)[1].items():
                    refs[member_of] = refs.get(member_of, 0) | m
            self._set_refs[(cls.groups, egress)] = refs
        key = (cls.groups, egress, peer.atom)
        mask = self._set_cidr.get(key)
        if mask is None:
            mask = 0
            for group_id in cls.groups:
                mask |= self._cidr_part(group_id, egress, peer_address, peer.atom)
            self._set_cidr[key] = mask
        for member_of in peer.membership:
            mask |= refs.get(member_of, 0)
        return mask

    # network ACLs ---------------------------------------------------------------------------
    def acl_mask(self, subnet_id: str, egress: bool, address: int, atom: int) -> int:
        acl = self.acls.acl_of_subnet(subnet_id)
        key = (acl.id if acl else None, egress, atom)
        mask = self._acl_mask.get(key)
        if mask is None:
            mask = self.atoms.space_mask(self.acls.allowed_space(acl, egress), address)
            self._acl_mask[key] = mask
        return mask

    def reply_mask(self, back: int) -> int:
        """Forward atoms whose reply passes, given `back`: the atoms both NACLs on the way back allow."""
        a = self.atoms
        mask = a.no_reply | (back & a.other)
        if back & a.tcp_ephemeral:
            mask |= a.tcp
        if back & a.udp_ephemeral:
            mask |= a.udp
        for requests, reply in a.echo:
            if back & reply:
                mask |= requests
        return mask

    # routes ---------------------------------------------------------------------------------
    def route(self, table: RouteTable | None, address: int, atom: int) -> tuple[str, str] | None:
        """(target kind, target id) of the route for this address, or None (no route, blackhole)."""
        key = (table.id if table else None, atom)
        if key in self._route:
            return self._route[key]
        found: tuple[str, str] | None = None
        if table is not None:
            for block, route in self.routes.partition(table):
                if address in block.v4:
                    if not route.blackhole:
                        found = (route.target.value, route.target_id)
                    break
        self._route[key] = found
        return found

    def private_route(self, a_subnet: str, a_vpc: str, b_vpc: str, address: int, atom: int) -> str | None:
        """'ok', 'broken' (a peering route that does not lead to b's VPC) or None (no private route)."""
        table = self.routes.table_of_subnet(a_subnet)
        found = self.route(table, address, atom)
        if found is None:
            return None
        kind, target = found
        if kind == RouteTarget.LOCAL.value:
            return "ok" if a_vpc == b_vpc else None
        if kind != RouteTarget.PEERING.value:
            return None
        pcx = self.s.peering_connections.get(target)
        if pcx is None or not pcx.active:
            return "broken"
        other = pcx.other_side(a_vpc)
        return "ok" if other is not None and other.vpc_id == b_vpc else "broken"

    atoms: TrafficAtoms


def _listener_mask(sem: Semantics, atoms: TrafficAtoms, eni: NetworkInterface) -> int:
    lbs = sem.load_balancers
    lb = lbs.load_balancer_of(eni)
    if lb is None or lbs.listeners(lb) is None:
        return atoms.all
    return atoms.space_mask(lbs.accepted_space(eni)) & (atoms.tcp | atoms.udp)


def reachability_matrix(
    snapshot: Snapshot, traffic: Sequence[Traffic] | None = None, semantics: Semantics | None = None
) -> ReachabilityMatrix:
    """Every private ENI -> ENI flow of the snapshot, by class; `traffic` narrows the cells to these flows."""
    sem = semantics or Semantics(snapshot)
    b = _Builder(snapshot, sem)
    atoms = b.traffic_atoms()
    b.atoms = atoms
    wanted = atoms.all
    if traffic is not None:
        wanted = 0
        for t in traffic:
            wanted |= atoms.traffic_mask(t)
    cuts = b.boundaries()

    membership: dict[int, set[str]] = defaultdict(set)
    for eni in snapshot.interfaces.values():
        for ip in eni.private_ipv4s:
            membership[parse_address(ip)[1]].update(eni.group_ids)

    left_out: dict[str, str] = {}
    keys: dict[_ClassKey, list[NetworkInterface]] = {}
    address_of: dict[_ClassKey, int] = {}
    for eni in snapshot.interfaces.values():
        if snapshot.unknowns_of and unknowns_for(snapshot, interface_dependencies(snapshot, eni)):
            left_out[eni.id] = "depends on values the input leaves unknown"
            continue
        if not eni.private_ipv4s:
            left_out[eni.id] = "no private IPv4 address"
            continue
        address = parse_address(eni.private_ipv4s[0])[1]
        lb = sem.load_balancers.load_balancer_of(eni)
        key = _ClassKey(
            eni.subnet_id,
            frozenset(eni.group_ids),
            sem.groups.filters(eni),
            lb.arn if lb is not None else None,
            bisect_right(cuts, address),
            frozenset(membership[address]),
        )
        keys.setdefault(key, []).append(eni)
        address_of.setdefault(key, address)

    ordered = sorted(
        keys, key=lambda k: (snapshot.subnets[k.subnet_id].vpc_id, k.subnet_id, min(e.id for e in keys[k]))
    )
    classes: list[InterfaceClass] = []
    class_of: dict[str, int] = {}
    for i, key in enumerate(ordered):
        members = keys[key]
        first = members[0]
        classes.append(
            InterfaceClass(
                f"c{i + 1}",
                first.vpc_id,
                key.subnet_id,
                tuple(sorted(key.groups)),
                key.load_balancer,
                tuple(sorted(e.id for e in members)),
            )
        )
        for eni in members:
            class_of[eni.id] = i

    # destinations a source subnet may route privately: its own VPC's classes (local route), and the
    # classes whose address falls in one of its table's peering routes
    by_vpc: dict[str, list[int]] = defaultdict(list)
    for i in range(len(ordered)):
        by_vpc[classes[i].vpc_id].append(i)
    by_address = sorted((address_of[k], j) for j, k in enumerate(ordered))
    addresses = [x for x, _ in by_address]
    peering_reach: dict[str | None, list[int]] = {}

    def candidates_of(subnet_id: str, vpc_id: str) -> list[int]:
        table = sem.routes.table_of_subnet(subnet_id)
        table_id = table.id if table else None
        found = peering_reach.get(table_id)
        if found is None:
            reached: set[int] = set()
            for block, route in sem.routes.partition(table) if table else ():
                if route.target is RouteTarget.PEERING:
                    for lo, hi in block.v4:
                        reached.update(
                            j for _, j in by_address[bisect_left(addresses, lo) : bisect_right(addresses, hi)]
                        )
            found = peering_reach[table_id] = sorted(reached)
        return by_vpc[vpc_id] + [j for j in found if classes[j].vpc_id != vpc_id]

    cells = _cells(b, ordered, classes, address_of, candidates_of, keys, wanted)
    return ReachabilityMatrix(
        tuple(classes), class_of, cells, atoms, tuple(traffic) if traffic is not None else None, left_out
    )


def _ids(values: Iterable[Any]) -> list[int]:
    """A small integer per distinct value, in order of first appearance."""
    seen: dict[Any, int] = {}
    return [seen.setdefault(v, len(seen)) for v in values]


def _cells(
    b: _Builder,
    ordered: list[_ClassKey],
    classes: list[InterfaceClass],
    address_of: dict[_ClassKey, int],
    candidates_of: Callable[[str, str], list[int]],
    keys: dict[_ClassKey, list[NetworkInterface]],
    wanted: int,
) -> dict[tuple[int, int], int]:
    """Every cell with a private route. Each term of a cell depends on a few attributes of one class and
    one attribute of the other, so it is memoised in rows indexed by small integers: a cell is then a
    handful of dictionary look-ups and integer ANDs."""
    sem, atoms = b.sem, b.atoms
    n = len(ordered)
    subnet = [k.subnet_id for k in ordered]
    vpc = [c.vpc_id for c in classes]
    address = [address_of[k] for k in ordered]
    atom = [k.atom for k in ordered]
    tables = [sem.routes.table_of_subnet(k.subnet_id) for k in ordered]
    acls = [sem.acls.acl_of_subnet(k.subnet_id) for k in ordered]
    route_key = _ids((t.id if t else None, v) for t, v in zip(tables, vpc, strict=True))
    place = _ids(zip(atom, vpc, strict=True))
    acl_key = _ids(a.id if a else None for a in acls)
    group_key = _ids((k.groups, k.filtered) for k in ordered)
    address_key = _ids((k.atom, k.membership) for k in ordered)
    listener = [_listener_mask(sem, atoms, keys[k][0]) for k in ordered]

    routes: list[dict[int, int]] = [{} for _ in range(max(route_key, default=-1) + 1)]
    out_acl: list[dict[int, int]] = [{} for _ in range(max(acl_key, default=-1) + 1)]
    in_acl: list[dict[int, int]] = [{} for _ in range(max(acl_key, default=-1) + 1)]
    egress: list[dict[int, int]] = [{} for _ in range(max(group_key, default=-1) + 1)]
    ingress: list[dict[int, int]] = [{} for _ in range(max(group_key, default=-1) + 1)]
    replies: dict[int, int] = {}
    statuses = {None: 0, "ok": 1, "broken": 2}

    def route(i: int, j: int) -> int:
        """0: no private route from i's subnet to j's address; 1: a working one; 2: a broken peering route."""
        row = routes[route_key[i]]
        found = row.get(place[j])
        if found is None:
            found = row[place[j]] = statuses[b.private_route(subnet[i], vpc[i], vpc[j], address[j], atom[j])]
        return found

    def acl(rows: list[dict[int, int]], is_egress: bool, i: int, j: int) -> int:
        """What i's NACL lets through in one direction with j's address as the peer."""
        row = rows[acl_key[i]]
        found = row.get(atom[j])
        if found is None:
            found = row[atom[j]] = b.acl_mask(subnet[i], is_egress, address[j], atom[j])
        return found

    def groups(rows: list[dict[int, int]], is_egress: bool, i: int, j: int) -> int:
        """What i's groups allow in one direction with j's address as the peer."""
        row = rows[group_key[i]]
        found = row.get(address_key[j])
        if found is None:
            found = row[address_key[j]] = b.sg_mask(ordered[i], is_egress, ordered[j], address[j])
        return found

    cells: dict[tuple[int, int], int] = {}
    for i in range(n):
        for j in candidates_of(subnet[i], vpc[i]):
            if subnet[i] == subnet[j]:
                cells[(i, j)] = groups(egress, True, i, j) & groups(ingress, False, j, i) & listener[j] & wanted
                continue
            there = route(i, j)
            if there == 0:
                continue
            if there == 2 or route(j, i) != 1:
                cells[(i, j)] = 0
                continue
            mask = groups(egress, True, i, j) & listener[j] & wanted
            if mask:
                mask &= acl(out_acl, True, i, j) & acl(in_acl, False, j, i) & groups(ingress, False, j, i)
            if mask:
                back = acl(out_acl, True, j, i) & acl(in_acl, False, i, j)
                reply = replies.get(back)
                if reply is None:
                    reply = replies[back] = b.reply_mask(back)
                mask &= reply
            cells[(i, j)] = mask
    return cells
