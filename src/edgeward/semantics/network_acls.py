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

from edgeward.algebra.addresses import Addresses
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


class NetworkAclSemantics:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._space: dict[tuple[str, bool], TrafficSpace] = {}

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
        for entry in acl.ordered(egress):
            box = entry_box(entry)
            if protocol in box.protocols and port in box.ports and box.peers.contains_set(point):
                return AclDecision(entry.allow, acl, entry, describe_entry(entry))
        return AclDecision(False, acl, None, "rule * DENY all traffic (no entry matched)")

    def allowed_return_ports(self, acl: NetworkAcl | None, egress: bool, protocol: int, peer: str) -> IntervalSet:
        """Ports (of `ports`' dimension) on which packets to/from `peer` pass this NACL direction."""
        return self.allowed_space(acl, egress).ports_for(protocol, Addresses.address(peer))
