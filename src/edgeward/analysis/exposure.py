"""`exposure`: everything reachable from the internet, per interface, protocol and port, with sources.

Computed on sets with the same stages as `reach --from internet` (Reachability.candidate stages):
internet gateway, inbound NACL, security groups, the NACL on the reply's way out (ephemeral ports
for TCP/UDP, echo reply for ICMP echo), and a route back to the internet gateway.

Interfaces fall into classes that get the same answer (`Exposure._class_key`). `prepare` computes
many classes in one round, on address atoms (algebra/atoms.py): every set the round reads is cut
into atoms, so the unions and intersections per class are integer operations.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from edgeward import collector, forking
from edgeward.algebra.addresses import NONE, Addresses, union_addresses
from edgeward.algebra.atoms import AddressAtoms
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    EPHEMERAL_PORTS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    Box,
    TrafficSpace,
    describe_ports,
    icmp_point,
    protocol_name,
)
from edgeward.analysis.flows import unknown_to_json
from edgeward.analysis.reach import V4_ONLY, V6_ONLY, Reachability
from edgeward.analysis.unknowns import interface_dependencies, unknowns_for
from edgeward.forking import Forked
from edgeward.model.network import NetworkAcl, NetworkInterface, PeerKind, RouteTarget, SecurityGroup, UnknownValue
from edgeward.model.snapshot import Snapshot
from edgeward.semantics.security_groups import rule_protocols_and_ports

PORTED = IntervalSet([(TCP, TCP), (UDP, UDP)])
ICMPS = IntervalSet([(ICMP, ICMP), (ICMPV6, ICMPV6)])
OTHER_PROTOCOLS = ALL_PROTOCOLS - PORTED - ICMPS
# From this many classes in one round, a worker computes half of them (edgeward/forking.py).
PARALLEL_CLASSES = 600


@dataclass(frozen=True, slots=True)
class ExposedService:
    protocols: IntervalSet
    ports: IntervalSet
    sources: Addresses

    def protocol_text(self) -> str:
        if self.protocols == ALL_PROTOCOLS:
            return "all protocols"
        names: list[str] = []
        for lo, hi in self.protocols:
            if hi - lo < 8:
                names.extend(protocol_name(p) for p in range(lo, hi + 1))
            else:
                names.append(f"protocols {lo}-{hi}")
        return ", ".join(names)

    def port_text(self) -> str:
        if self.protocols.size() == 1:
            return describe_ports(self.protocols.min(), self.ports)
        return "all ports" if self.ports == ALL_PORTS else f"ports {self.ports.describe()}"

    def to_json(self) -> dict[str, Any]:
        return {
            "protocols": self.protocol_text(),
            "ports": self.port_text(),
            "port_ranges": [[lo, hi] for lo, hi in self.ports],
            "sources": self.sources.to_cidrs(),
        }


@dataclass(frozen=True, slots=True)
class InterfaceExposure:
    interface: NetworkInterface
    label: str
    public_addresses: tuple[str, ...]
    services: tuple[ExposedService, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "interface": self.interface.id,
            "label": self.label,
            "instance": self.interface.instance_id,
            "vpc": self.interface.vpc_id,
            "subnet": self.interface.subnet_id,
            "security_groups": list(self.interface.group_ids),
            "public_addresses": list(self.public_addresses),
            "exposed": [s.to_json() for s in self.services],
        }


@dataclass(frozen=True, slots=True)
class UnknownExposure:
    """An interface whose exposure depends on values the input leaves unknown: neither listed nor cleared."""

    interface: NetworkInterface
    label: str
    unknowns: tuple[UnknownValue, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "interface": self.interface.id,
            "label": self.label,
            "instance": self.interface.instance_id,
            "vpc": self.interface.vpc_id,
            "subnet": self.interface.subnet_id,
            "unknown_values": [unknown_to_json(u) for u in self.unknowns],
        }


# (protocols, ports) -> address atoms: a traffic space whose peers are bitmasks (algebra/atoms.py)
Traffic = tuple[IntervalSet, IntervalSet]  # (protocols, ports)
ClassKey = tuple[object, ...]
Class = tuple[ClassKey, tuple[NetworkInterface, Addresses]]  # a class, with one interface and its candidates
MaskSpace = dict[Traffic, int]
_TCP, _UDP = IntervalSet.point(TCP), IntervalSet.point(UDP)
_ICMP_ECHO = (
    (ICMP, IntervalSet.point(ICMP), IntervalSet.span(8 * 256, 8 * 256 + 255), icmp_point(0, 0)),
    (ICMPV6, IntervalSet.point(ICMPV6), IntervalSet.span(128 * 256, 128 * 256 + 255), icmp_point(129, 0)),
)


class _Round:
    """One computation of many classes: their address atoms and what is remembered on them."""

    def __init__(self, atoms: AddressAtoms, group_rules: dict[str, dict[Traffic, list[Addresses]]]) -> None:
        self.atoms = atoms
        self.group_rules = group_rules  # group -> (protocols, ports) -> peers of its inbound rules
        self.group_masks: dict[str, MaskSpace] = {}
        self.groups: dict[tuple[str, int], MaskSpace] = {}  # (group, candidates) -> its internet rules
        self.acls: dict[tuple[str | None, bool], list[tuple[IntervalSet, IntervalSet, int]]] = {}
        self.pairs: dict[tuple[int, int, int, int], Traffic] = {}
        self.replies: dict[tuple[str | None, int, int], int] = {}  # (NACL, protocol, port or -1) -> atoms
        self.plans: dict[tuple[str | None, Traffic], list[tuple[Traffic, tuple[int, int] | None]]] = {}
        self.kept: list[object] = []  # objects whose identity is a key of `pairs`, alive for the round

    def group_mask(self, group_id: str) -> MaskSpace:
        found = self.group_masks.get(group_id)
        if found is None:
            mask = self.atoms.mask
            found = {}
            for traffic, peers in self.group_rules[group_id].items():
                bits = 0
                for addresses in peers:
                    bits |= mask(addresses)
                found[traffic] = bits
            self.group_masks[group_id] = found
        return found


_DISJOINT = (IntervalSet(), IntervalSet())


class Exposure:
    def __init__(self, snapshot: Snapshot, reachability: Reachability | None = None) -> None:
        self.snapshot = snapshot
        self.reach = reachability or Reachability(snapshot)
        self._class_space: dict[tuple[object, ...], TrafficSpace] = {}
        self._candidates: dict[tuple[str, str | None, bool, bool], Addresses] = {}
        self._keys: dict[str, tuple[NetworkInterface, ClassKey]] = {}  # interface id -> its class
        # a class's services, by its space (kept alongside, so the id stays that space's)
        self._services: dict[int, tuple[TrafficSpace, tuple[ExposedService, ...]]] = {}

    def _class_key(self, eni: NetworkInterface) -> ClassKey:
        """Interfaces of one class get the same answer: the same VPC (internet gateways), route table
        and NACL (subnets often share them), the same groups (and whether any filters it), the same
        public address families; a load balancer node is its own class."""
        known = self._keys.get(eni.id)
        if known is not None and known[0] is eni:
            return known[1]
        sem = self.reach.sem
        is_node = sem.load_balancers.load_balancer_of(eni) is not None
        table = sem.routes.table_of_subnet(eni.subnet_id)
        acl = sem.acls.acl_of_subnet(eni.subnet_id)
        key = (
            eni.vpc_id,
            table.id if table else None,
            acl.id if acl else None,
            eni.group_ids,
            sem.groups.filters(eni),
            bool(eni.public_ipv4s),
            bool(eni.ipv6s),
            eni.id if is_node else "",
        )
        self._keys[eni.id] = (eni, key)
        return key

    def interface_space(self, eni: NetworkInterface) -> TrafficSpace:
        """Exactly the (protocol, port, internet source) triples that get a reply from this interface.

        Computed once per class (see `_class_key`); `prepare` computes many classes at once.
        """
        key = self._class_key(eni)
        space = self._class_space.get(key)
        if space is None:
            self.prepare([eni])
            space = self._class_space[key]
        return space

    def prepare(self, enis: Iterable[NetworkInterface]) -> None:
        """Compute the spaces of every class among `enis` in one round.

        The round cuts the address space at every boundary of every set its classes read (internet
        candidates, rule peers, NACL spaces), so each set is a bitmask of atoms and the unions and
        intersections per class are integer operations. The answers are the same sets as the
        computation on address sets would give (tests/analysis/test_exposure_atoms.py).

        Many classes are split between this process and a worker (edgeward/forking.py), each with a
        round of its own; the worker's spaces come back as plain bounds.
        """
        with collector.paused():  # many objects, no reference cycle
            self._prepare(enis)

    def _prepare(self, enis: Iterable[NetworkInterface]) -> None:
        todo: dict[ClassKey, tuple[NetworkInterface, Addresses]] = {}
        for eni in enis:
            key = self._class_key(eni)
            if key in self._class_space or key in todo:
                continue
            candidates = self._candidates_of(eni)
            if candidates.is_empty():
                self._class_space[key] = TrafficSpace()
            else:
                todo[key] = (eni, candidates)
        classes = list(todo.items())
        theirs: list[Class] = []
        worker: Forked | None = None
        if len(classes) >= PARALLEL_CLASSES and forking.available():
            self.reach.sem.groups.members_private  # noqa: B018 - computed once, before the fork, for both
            # classes come in interface order, so each part mostly meets its own VPCs' groups
            cut = len(classes) // 2
            classes, theirs = classes[:cut], classes[cut:]
            worker = Forked(lambda: _spaces_payload(self._round(theirs)))
        with worker or contextlib.nullcontext():
            mine = self._round(classes)
            for space in mine:  # while the worker may still be busy
                self._services_of(space)
            payload = worker.result() if worker is not None else None
        for (key, _), space in zip(classes, mine, strict=True):
            self._class_space[key] = space
        if theirs:
            sent = _spaces_from(payload, len(theirs)) if payload is not None else None
            if sent is None:
                sent = [(space, _services(space)) for space in self._round(theirs)]
            for (key, _), (space, services) in zip(theirs, sent, strict=True):
                self._class_space[key] = space
                self._services[id(space)] = (space, services)

    def _round(self, classes: list[Class]) -> list[TrafficSpace]:
        """The spaces of these classes, computed on the atoms of every set they read."""
        if not classes:
            return []
        sem = self.reach.sem
        sets: list[Addresses] = []
        seen_acls: set[str | None] = set()
        group_rules: dict[str, dict[Traffic, list[Addresses]]] = {}
        for _, (eni, candidates) in classes:
            sets.append(candidates)
            if sem.groups.filters(eni):
                for group in self.snapshot.groups_of(eni):
                    if group.id not in group_rules:
                        group_rules[group.id] = self._inbound_rules(group)
                        for peers in group_rules[group.id].values():
                            sets.extend(peers)
            acl = sem.acls.acl_of_subnet(eni.subnet_id)
            if (acl.id if acl else None) not in seen_acls:
                seen_acls.add(acl.id if acl else None)
                for egress in (False, True):
                    sets.extend(box.peers for box in sem.acls.allowed_space(acl, egress).boxes)
            if sem.load_balancers.load_balancer_of(eni) is not None:
                sets.extend(box.peers for box in sem.load_balancers.accepted_space(eni).boxes)
        # every set is met only after an intersection with the candidates: cut only their space
        within = union_addresses(candidates for _, (_, candidates) in classes)
        run = _Round(AddressAtoms(sets, within), group_rules)
        return [self._compute_interface_space(eni, candidates, run) for _, (eni, candidates) in classes]

    def _candidates_of(self, eni: NetworkInterface) -> Addresses:
        """Internet addresses that can reach the interface's public addresses through an internet
        gateway of its VPC, routed back to one by its subnet's route table."""
        sem = self.reach.sem
        table = sem.routes.table_of_subnet(eni.subnet_id)
        key = (eni.vpc_id, table.id if table else None, bool(eni.public_ipv4s), bool(eni.ipv6s))
        found = self._candidates.get(key)
        if found is not None:
            return found
        igws = [
            g
            for g in self.snapshot.internet_gateways_of_vpc.get(eni.vpc_id, ())
            if not self.snapshot.internet_gateways[g].egress_only
        ]
        found = NONE
        if igws:
            family = NONE
            if eni.public_ipv4s:
                family = family | V4_ONLY
            if eni.ipv6s:
                family = family | V6_ONLY
            routed = NONE
            for igw in igws:
                routed = routed | sem.routes.addresses_routed_to(table, {RouteTarget.INTERNET_GATEWAY}, igw)
            found = self.snapshot.internet_addresses & family & routed
        self._candidates[key] = found
        return found

    def _inbound_rules(self, group: SecurityGroup) -> dict[Traffic, list[Addresses]]:
        """The group's inbound rules by (protocols, ports), in rule order, with their peers."""
        groups = self.reach.sem.groups
        out: dict[Traffic, list[Addresses]] = {}
        for rule in group.ingress:
            traffic = rule_protocols_and_ports(rule)
            if not (traffic[0] and traffic[1]):
                continue
            if rule.peer_kind is PeerKind.CIDR and rule.cidr is not None:
                peers = Addresses.cidr(rule.cidr)  # what groups.peers gives a CIDR rule, without its memo
            elif rule.peer_kind is PeerKind.SECURITY_GROUP and groups.members_private:
                continue  # members' private addresses: inside the estate's VPCs, never an internet source
            else:
                peers = groups.peers(rule).addresses
            found = out.get(traffic)
            if found is None:
                out[traffic] = [peers]
            else:
                found.append(peers)
        return out

    def _internet_group_space(self, eni: NetworkInterface, candidates: int, run: _Round) -> MaskSpace:
        """The interface's inbound group rules restricted to internet candidates, one group at a time.

        Rules whose peers are private (group references, VPC ranges) vanish here, before the
        intersection with the NACL; each group's restriction is remembered per candidate set.
        """
        groups = self.reach.sem.groups
        if not groups.filters(eni):
            return {(ALL_PROTOCOLS, ALL_PORTS): candidates}
        space: MaskSpace = {}
        for group in self.snapshot.groups_of(eni):
            cache_key = (group.id, candidates)
            restricted = run.groups.get(cache_key)
            if restricted is None:
                restricted = {}
                for traffic, peers in run.group_mask(group.id).items():
                    peers &= candidates
                    if peers:
                        restricted[traffic] = peers
                run.groups[cache_key] = restricted
            for traffic, peers in restricted.items():
                space[traffic] = space.get(traffic, 0) | peers
        return space

    @staticmethod
    def _intersect(space: MaskSpace, other: list[tuple[IntervalSet, IntervalSet, int]], run: _Round) -> MaskSpace:
        out: MaskSpace = {}
        pairs = run.pairs
        for (protocols, ports), peers in space.items():
            for other_protocols, other_ports, other_peers in other:
                # traffic first (most pairs share no protocol or port), by identity: every key object
                # lives as long as the round (the callers keep them: `_Round.kept`, `acls`, group
                # rules, the values of `pairs` itself), and an equal twin only misses the memo
                pair_key = (id(protocols), id(ports), id(other_protocols), id(other_ports))
                traffic = pairs.get(pair_key)
                if traffic is None:
                    common = protocols & other_protocols
                    common_ports = ports & other_ports if common else common
                    traffic = (common, common_ports) if common_ports else _DISJOINT
                    pairs[pair_key] = traffic
                if traffic is _DISJOINT:
                    continue
                both = peers & other_peers
                if both:
                    out[traffic] = out.get(traffic, 0) | both
        return out

    def _acl_boxes(
        self, acl: NetworkAcl | None, egress: bool, run: _Round
    ) -> list[tuple[IntervalSet, IntervalSet, int]]:
        key = (acl.id if acl else None, egress)
        found = run.acls.get(key)
        if found is None:
            space = self.reach.sem.acls.allowed_space(acl, egress)
            found = run.acls[key] = [(b.protocols, b.ports, run.atoms.mask(b.peers)) for b in space.boxes]
        return found

    def _reply(self, acl: NetworkAcl | None, protocol: int, port: int, run: _Round) -> int:
        """Atoms the reply may go to: for TCP/UDP (`port` -1) some ephemeral port is allowed out."""
        key = (acl.id if acl else None, protocol, port)
        found = run.replies.get(key)
        if found is None:
            space = self.reach.sem.acls.allowed_space(acl, egress=True)
            peers = space.peers_for_ports(protocol, EPHEMERAL_PORTS) if port < 0 else space.peers_for(protocol, port)
            found = run.replies[key] = run.atoms.mask(peers)
        return found

    def _reply_plan(
        self, acl: NetworkAcl | None, traffic: Traffic, run: _Round
    ) -> list[tuple[Traffic, tuple[int, int] | None]]:
        """How inbound `traffic` splits by the reply it needs out through the NACL: each part with the
        (protocol, port) the reply must be allowed on (port -1: some ephemeral port), or None."""
        key = (acl.id if acl else None, traffic)
        plan = run.plans.get(key)
        if plan is not None:
            return plan
        protocols, ports = traffic
        plan = []

        def part(protocols: IntervalSet, ports: IntervalSet, reply: tuple[int, int] | None) -> None:
            if protocols and ports:
                plan.append(((protocols, ports), reply))

        # TCP and UDP: the reply goes to the client's ephemeral port
        for proto, point in ((TCP, _TCP), (UDP, _UDP)):
            if proto in protocols:
                part(point, ports, (proto, -1))
        # ICMP echo needs the echo reply out; other ICMP messages expect no reply
        for proto, point, echo, reply in _ICMP_ECHO:
            if proto in protocols:
                part(point, ports & echo, (proto, reply))
                part(point, ports - echo, None)
        # other protocols: the reply is the same protocol, ports do not apply
        others = protocols & OTHER_PROTOCOLS
        if others:
            reply_space = self.reach.sem.acls.allowed_space(acl, egress=True)
            cuts = sorted({b for rb in reply_space.boxes for lo, hi in rb.protocols for b in (lo, hi + 1)} | {0, 256})
            for lo, nxt in itertools.pairwise(cuts):
                segment = others & IntervalSet.span(lo, nxt - 1)
                if segment:
                    part(segment, ports, (segment.min(), 0))
        run.plans[key] = plan
        return plan

    def _compute_interface_space(self, eni: NetworkInterface, candidates: Addresses, run: _Round) -> TrafficSpace:
        sem = self.reach.sem
        acl = sem.acls.acl_of_subnet(eni.subnet_id)
        inbound = self._internet_group_space(eni, run.atoms.mask(candidates), run)
        if not inbound:
            return TrafficSpace()
        inbound = self._intersect(inbound, self._acl_boxes(acl, False, run), run)
        if sem.load_balancers.load_balancer_of(eni) is not None:  # only what a listener accepts
            listeners = [
                (b.protocols, b.ports, run.atoms.mask(b.peers)) for b in sem.load_balancers.accepted_space(eni)
            ]
            run.kept.append(listeners)  # `_intersect` remembers pairs by identity: keep them alive
            inbound = self._intersect(inbound, listeners, run)
        if not inbound:
            return TrafficSpace()
        out: MaskSpace = {}
        for traffic, peers in inbound.items():
            for reply_traffic, reply in self._reply_plan(acl, traffic, run):
                kept = peers if reply is None else peers & self._reply(acl, reply[0], reply[1], run)
                if kept:
                    out[reply_traffic] = out.get(reply_traffic, 0) | kept
        addresses = run.atoms.addresses  # `out` has one entry per (protocols, ports), none empty
        return TrafficSpace.of_distinct(
            Box(protocols, ports, addresses(peers)) for (protocols, ports), peers in out.items()
        )

    def of_interface(self, eni: NetworkInterface) -> InterfaceExposure | None:
        space = self.interface_space(eni)
        if space.is_empty():
            return None
        publics = eni.public_ipv4s + eni.ipv6s
        return InterfaceExposure(eni, self.snapshot.describe_interface(eni), publics, self._services_of(space))

    def _services_of(self, space: TrafficSpace) -> tuple[ExposedService, ...]:
        found = self._services.get(id(space))
        if found is None:
            found = self._services[id(space)] = (space, _services(space))
        return found[1]

    def unknowns_of(self, eni: NetworkInterface) -> tuple[UnknownValue, ...]:
        """Unknown values that can change this interface's exposure (none for fully known inputs)."""
        if not self.snapshot.unknowns_of:
            return ()
        return unknowns_for(self.snapshot, interface_dependencies(self.snapshot, eni))

    def unknown(self) -> list[UnknownExposure]:
        """Interfaces whose exposure cannot be decided: `all()` leaves them out rather than guess."""
        out = []
        for eni in self.snapshot.interfaces.values():
            unknowns = self.unknowns_of(eni)
            if unknowns:
                out.append(UnknownExposure(eni, self.snapshot.describe_interface(eni), unknowns))
        return out

    def all(self) -> list[InterfaceExposure]:
        with collector.paused():  # many objects, no reference cycle
            asked = [
                eni
                for eni in self.snapshot.interfaces.values()
                if (eni.public_ipv4s or eni.ipv6s) and not self.unknowns_of(eni)
            ]
            self.prepare(asked)
            out = []
            for eni in asked:
                found = self.of_interface(eni)
                if found is not None:
                    out.append(found)
            return out


def _bounds(protocols: IntervalSet, ports: IntervalSet, peers: Addresses) -> tuple[tuple[int, ...], ...]:
    return protocols.bounds, ports.bounds, peers.v4.bounds, peers.v6.bounds


def _spaces_payload(spaces: list[TrafficSpace]) -> bytes:
    """Spaces and their services as plain bounds (protocols, ports, IPv4 peers, IPv6 peers) for marshal."""
    return marshal.dumps(
        [
            (
                [_bounds(b.protocols, b.ports, b.peers) for b in space],
                [_bounds(s.protocols, s.ports, s.sources) for s in _services(space)],
            )
            for space in spaces
        ]
    )


def _spaces_from(payload: bytes, count: int) -> list[tuple[TrafficSpace, tuple[ExposedService, ...]]] | None:
    """The spaces and services `_spaces_payload` sent, or None if they did not arrive whole."""
    try:
        sent = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(sent, list) or len(sent) != count:
        return None
    sets: dict[tuple[int, ...], IntervalSet] = {}
    addresses: dict[tuple[tuple[int, ...], tuple[int, ...]], Addresses] = {}

    def interval_set(bounds: tuple[int, ...]) -> IntervalSet:
        found = sets.get(bounds)
        if found is None:
            found = sets[bounds] = IntervalSet.from_canonical_bounds(bounds)
        return found

    def peers(v4: tuple[int, ...], v6: tuple[int, ...]) -> Addresses:
        found = addresses.get((v4, v6))
        if found is None:
            found = addresses[(v4, v6)] = Addresses(interval_set(v4), interval_set(v6))
        return found

    return [
        (
            TrafficSpace.of_distinct(
                Box(interval_set(p), interval_set(ports), peers(v4, v6)) for p, ports, v4, v6 in boxes
            ),
            tuple(ExposedService(interval_set(p), interval_set(ports), peers(v4, v6)) for p, ports, v4, v6 in services),
        )
        for boxes, services in sent
    ]


def _services(space: TrafficSpace) -> tuple[ExposedService, ...]:
    """The space as services: boxes with the same ports and sources share one, with their protocols.
    Sorted by protocol and port, then by every bound, so the order does not depend on how the space
    was computed."""
    merged: dict[tuple[IntervalSet, Addresses], IntervalSet] = {}
    for box in space.boxes:
        key = (box.ports, box.peers)
        merged[key] = merged.get(key, IntervalSet()) | box.protocols
    return tuple(
        sorted(
            (ExposedService(protocols, ports, peers) for (ports, peers), protocols in merged.items()),
            key=lambda s: (
                s.protocols.min(),
                s.ports.min(),
                s.protocols.bounds,
                s.ports.bounds,
                s.sources.v4.bounds,
                s.sources.v6.bounds,
            ),
        )
    )


def exposure(snapshot: Snapshot) -> list[InterfaceExposure]:
    return Exposure(snapshot).all()
