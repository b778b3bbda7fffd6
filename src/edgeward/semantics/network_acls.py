"""Network ACLs as AWS evaluates them (shared/facts/network.md section 4).

- Entries are evaluated by rule number, lowest first, whatever order the input lists them in; the
  first entry that matches decides; the `*` entries (32767 IPv4, 32768 IPv6) deny everything else.
- Stateless: the response of a flow is checked again, in the other direction, against the
  client's ephemeral port.
- Applied only where traffic enters or leaves a subnet, never between interfaces of one subnet.
- Protocol -1, and any protocol other than TCP (6), UDP (17) and ICMP (1), match every port and
  ICMP type/code; protocol 58 (ICMPv6) on an IPv4 CIDR matches every type and code.
- A subnet with no NACL in the snapshot is treated as having the default NACL (allow all), and the
  trace says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from edgeward.algebra.addresses import ALL, NONE, V4_MAX, V6_MAX, Addresses, parse_address, union_addresses
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    Box,
    TrafficSpace,
    describe_ports,
    icmp_span,
    protocol_name,
)
from edgeward.model.network import NaclEntry, NetworkAcl
from edgeward.model.snapshot import Snapshot


def entry_protocols_and_ports(entry: NaclEntry) -> tuple[IntervalSet, IntervalSet]:
    if entry.protocol == -1:
        return ALL_PROTOCOLS, ALL_PORTS
    protocols = IntervalSet.point(entry.protocol)
    if entry.protocol in (TCP, UDP):
        if entry.port_from is None or entry.port_to is None:
            return protocols, ALL_PORTS
        return protocols, IntervalSet.span(entry.port_from, entry.port_to)
    if entry.protocol == ICMP or (entry.protocol == ICMPV6 and ":" in entry.cidr):
        icmp_type = -1 if entry.icmp_type is None else entry.icmp_type
        icmp_code = -1 if entry.icmp_code is None else entry.icmp_code
        return protocols, icmp_span(icmp_type, icmp_code)
    return protocols, ALL_PORTS


def entry_box(entry: NaclEntry) -> Box:
    protocols, ports = entry_protocols_and_ports(entry)
    return Box(protocols, ports, Addresses.cidr(entry.cidr))


def describe_entry(entry: NaclEntry) -> str:
    _protocols, ports = entry_protocols_and_ports(entry)
    action = "ALLOW" if entry.allow else "DENY"
    proto = "all traffic" if entry.protocol == -1 else protocol_name(entry.protocol)
    port_text = "" if entry.protocol == -1 else " " + describe_ports(entry.protocol, ports)
    peer = "to" if entry.egress else "from"
    return f"rule {entry.number_text()} {action} {proto}{port_text} {peer} {entry.cidr}"


@dataclass(frozen=True, slots=True)
class AclDecision:
    """The entry that decided, or none (implicit `*` deny, or no NACL data = default allow)."""

    allowed: bool
    acl: NetworkAcl | None
    entry: NaclEntry | None
    text: str


_Entry = tuple[IntervalSet, IntervalSet, Addresses, bool]  # protocols, ports, peers, allow


class NetworkAclSemantics:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._space: dict[tuple[str, bool], TrafficSpace] = {}
        self._entries: dict[tuple[str, bool], list[_Entry]] = {}
        self._decisive: dict[tuple[str, bool], list[tuple[NaclEntry, _Entry]]] = {}
        self._answers: dict[tuple[object, ...], object] = {}

    def acl_of_subnet(self, subnet_id: str) -> NetworkAcl | None:
        acl_id = self.snapshot.acl_of_subnet.get(subnet_id)
        return self.snapshot.network_acls.get(acl_id) if acl_id else None

    def allowed_space(self, acl: NetworkAcl | None, egress: bool) -> TrafficSpace:
        """Everything the NACL lets through in one direction, computed with first-match order."""
        if acl is None:
            return TrafficSpace.everything()
        key = (acl.id, egress)
        space = self._space.get(key)
        if space is None:
            remaining = TrafficSpace.everything()
            allowed: list[Box] = []
            for entry in acl.ordered(egress):
                box = TrafficSpace([entry_box(entry)])
                if entry.allow:
                    allowed.extend((box & remaining).boxes)
                remaining = remaining - box
                if remaining.is_empty():
                    break
            space = TrafficSpace(allowed)
            self._space[key] = space
        return space

    def decide(self, acl: NetworkAcl | None, egress: bool, protocol: int, port: int, peer: str) -> AclDecision:
        """First-match decision for one packet (peer = the remote address of this direction)."""
        if acl is None:
            return AclDecision(True, None, None, "no network ACL in the snapshot: the default NACL allows all")
        point = Addresses.address(peer)
        key = (acl.id, egress)
        ordered = self._decisive.get(key)
        if ordered is None:  # the entries in rule order with their boxes, once per NACL and direction
            ordered = self._decisive[key] = list(zip(acl.ordered(egress), self._ordered(acl, egress), strict=True))
        for entry, (protocols, ports, peers, _) in ordered:
            if protocol in protocols and port in ports and peers.contains_set(point):
                return AclDecision(entry.allow, acl, entry, describe_entry(entry))
        return AclDecision(False, acl, None, "rule * DENY all traffic (no entry matched)")

    # -- one-dimensional questions, answered from the entries in rule order ----------------------
    # Equal to the same questions asked of `allowed_space` (tests/semantics/test_network_acl_questions.py),
    # without building the whole space: a batch of `reach` questions touches many NACLs once each.
    def _ordered(self, acl: NetworkAcl, egress: bool) -> list[_Entry]:
        key = (acl.id, egress)
        found = self._entries.get(key)
        if found is None:
            found = []
            for entry in acl.ordered(egress):
                box = entry_box(entry)
                found.append((box.protocols, box.ports, box.peers, entry.allow))
            self._entries[key] = found
        return found

    def _remember(self, key: tuple[object, ...], value: object) -> None:
        if len(self._answers) >= 100_000:  # a bound for long batches of varied questions
            self._answers.clear()
        self._answers[key] = value

    def _ports_at(self, acl: NetworkAcl, egress: bool, protocol: int, version: int, value: int) -> IntervalSet:
        """Ports on which (protocol, port, this address) is allowed: the first entry matching each port decides."""
        allowed: list[tuple[int, int]] = []
        remaining = ALL_PORTS
        for protocols, ports, peers, allow in self._ordered(acl, egress):
            if protocol not in protocols or value not in (peers.v4 if version == 4 else peers.v6):
                continue
            decided = remaining & ports
            if decided:
                if allow:
                    allowed.extend(decided)
                remaining = remaining - ports
                if not remaining:
                    break
        return IntervalSet(allowed)

    def allowed_return_ports(self, acl: NetworkAcl | None, egress: bool, protocol: int, peer: str) -> IntervalSet:
        """Ports (of `ports`' dimension) on which packets to/from `peer` pass this NACL direction."""
        if acl is None:
            return ALL_PORTS
        key = ("ports", acl.id, egress, protocol, peer)
        found = self._answers.get(key)
        if not isinstance(found, IntervalSet):
            version, value = parse_address(peer)
            found = self._ports_at(acl, egress, protocol, version, value)
            self._remember(key, found)
        return found

    def peers_at(self, acl: NetworkAcl | None, egress: bool, protocol: int, point: int) -> Addresses:
        """Remote addresses whose packets with (protocol, point) pass: `allowed_space(...).peers_for`."""
        if acl is None:
            return ALL
        key = ("peers", acl.id, egress, protocol, point)
        found = self._answers.get(key)
        if not isinstance(found, Addresses):
            allowed: list[Addresses] = []
            remaining = ALL
            for protocols, ports, peers, allow in self._ordered(acl, egress):
                if protocol not in protocols or point not in ports:
                    continue
                decided = remaining & peers
                if decided:
                    if allow:
                        allowed.append(decided)
                    remaining = remaining - peers
                    if not remaining:
                        break
            found = union_addresses(allowed)
            self._remember(key, found)
        return found

    def peers_for_ports(self, acl: NetworkAcl | None, egress: bool, protocol: int, ports: IntervalSet) -> Addresses:
        """Remote addresses with some port of `ports` allowed: `allowed_space(...).peers_for_ports`.

        Between two consecutive CIDR edges of the entries every address is decided alike, so each such
        block is decided by one of its addresses.
        """
        if acl is None:
            return ALL if ports else NONE
        key = ("some-port", acl.id, egress, protocol, ports)
        found = self._answers.get(key)
        if not isinstance(found, Addresses):
            entries = self._ordered(acl, egress)
            blocks: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
            for version, top in ((4, V4_MAX), (6, V6_MAX)):
                cuts = {0, top + 1}
                for _, _, peers, _ in entries:
                    for lo, hi in peers.v4 if version == 4 else peers.v6:
                        cuts.update((lo, hi + 1))
                edges = sorted(cuts)
                for lo, nxt in pairwise(edges):
                    if self._ports_at(acl, egress, protocol, version, lo).overlaps(ports):
                        blocks[version].append((lo, nxt - 1))
            found = Addresses(IntervalSet(blocks[4]), IntervalSet(blocks[6]))
            self._remember(key, found)
        return found
