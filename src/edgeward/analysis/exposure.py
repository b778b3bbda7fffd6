"""`exposure`: everything reachable from the internet, per interface, protocol and port, with sources.

Computed on sets with the same stages as `reach --from internet` (Reachability.candidate stages):
internet gateway, inbound NACL, security groups, the NACL on the reply's way out (ephemeral ports
for TCP/UDP, echo reply for ICMP echo), and a route back to the internet gateway.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from edgeward.algebra.addresses import NONE, Addresses
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
from edgeward.model.network import NetworkInterface, RouteTarget, UnknownValue
from edgeward.model.snapshot import Snapshot
from edgeward.semantics.security_groups import rule_protocols_and_ports

PORTED = IntervalSet([(TCP, TCP), (UDP, UDP)])
ICMPS = IntervalSet([(ICMP, ICMP), (ICMPV6, ICMPV6)])
OTHER_PROTOCOLS = ALL_PROTOCOLS - PORTED - ICMPS


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


class Exposure:
    def __init__(self, snapshot: Snapshot, reachability: Reachability | None = None) -> None:
        self.snapshot = snapshot
        self.reach = reachability or Reachability(snapshot)
        self._class_space: dict[tuple[object, ...], TrafficSpace] = {}
        self._group_internet: dict[tuple[str, Addresses], list[Box]] = {}
        self._internet_peers: dict[tuple[Addresses, Addresses], Addresses] = {}

    def interface_space(self, eni: NetworkInterface) -> TrafficSpace:
        """Exactly the (protocol, port, internet source) triples that get a reply from this interface.

        Interfaces of one class get the same answer, so it is computed once per class: the same VPC
        (internet gateways), route table and NACL (subnets often share them), the same groups (and
        whether any filters it), the same public address families; a load balancer node is its own class.
        """
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
        space = self._class_space.get(key)
        if space is None:
            space = self._compute_interface_space(eni)
            self._class_space[key] = space
        return space

    def _internet_group_space(self, eni: NetworkInterface, candidates: Addresses) -> TrafficSpace:
        """The interface's inbound group rules restricted to internet candidates, one group at a time.

        Rules whose peers are private (group references, VPC ranges) vanish here, before the costly
        intersection with the NACL; each group's restriction is cached per candidate set.
        """
        groups = self.reach.sem.groups
        if not groups.filters(eni):
            return TrafficSpace.of(ALL_PROTOCOLS, ALL_PORTS, candidates)
        boxes: list[Box] = []
        for group in self.snapshot.groups_of(eni):
            cache_key = (group.id, candidates)
            restricted = self._group_internet.get(cache_key)
            if restricted is None:
                restricted = []
                for rule in group.ingress:  # rule by rule: the group's merged space is never needed here
                    rule_peers = groups.peers(rule).addresses
                    memo_key = (rule_peers, candidates)
                    peers = self._internet_peers.get(memo_key)
                    if peers is None:
                        peers = self._internet_peers[memo_key] = rule_peers & candidates
                    if peers:
                        protocols, ports = rule_protocols_and_ports(rule)
                        restricted.append(Box(protocols, ports, peers))
                self._group_internet[cache_key] = restricted
            boxes.extend(restricted)
        return TrafficSpace(boxes)

    def _compute_interface_space(self, eni: NetworkInterface) -> TrafficSpace:
        sem = self.reach.sem
        igws = [
            g
            for g in self.snapshot.internet_gateways_of_vpc.get(eni.vpc_id, ())
            if not self.snapshot.internet_gateways[g].egress_only
        ]
        if not igws:
            return TrafficSpace()
        family = NONE
        if eni.public_ipv4s:
            family = family | V4_ONLY
        if eni.ipv6s:
            family = family | V6_ONLY
        table = sem.routes.table_of_subnet(eni.subnet_id)
        routed = NONE
        for igw in igws:
            routed = routed | sem.routes.addresses_routed_to(table, {RouteTarget.INTERNET_GATEWAY}, igw)
        candidates = self.snapshot.internet_addresses & family & routed
        if candidates.is_empty():
            return TrafficSpace()
        acl = sem.acls.acl_of_subnet(eni.subnet_id)
        inbound = self._internet_group_space(eni, candidates)
        if inbound.is_empty():
            return inbound
        inbound = inbound & sem.acls.allowed_space(acl, egress=False)
        if sem.load_balancers.load_balancer_of(eni) is not None:
            inbound = inbound & sem.load_balancers.accepted_space(eni)  # only what a listener accepts
        if inbound.is_empty():
            return inbound
        reply_space = sem.acls.allowed_space(acl, egress=True)
        boxes: list[Box] = []
        for box in inbound.boxes:
            # TCP and UDP: the reply goes to the client's ephemeral port
            for proto in (TCP, UDP):
                if proto in box.protocols:
                    back = reply_space.peers_for_ports(proto, EPHEMERAL_PORTS)
                    boxes.append(Box(IntervalSet.point(proto), box.ports, box.peers & back))
            # ICMP echo needs the echo reply out; other ICMP messages expect no reply
            for proto, request, reply in ((ICMP, 8, icmp_point(0, 0)), (ICMPV6, 128, icmp_point(129, 0))):
                if proto not in box.protocols:
                    continue
                echo = IntervalSet.span(request * 256, request * 256 + 255)
                back = reply_space.peers_for(proto, reply)
                boxes.append(Box(IntervalSet.point(proto), box.ports & echo, box.peers & back))
                boxes.append(Box(IntervalSet.point(proto), box.ports - echo, box.peers))
            # other protocols: the reply is the same protocol, ports do not apply
            others = box.protocols & OTHER_PROTOCOLS
            if others:
                cuts = sorted(
                    {b for rb in reply_space.boxes for lo, hi in rb.protocols for b in (lo, hi + 1)} | {0, 256}
                )
                for lo, nxt in itertools.pairwise(cuts):
                    segment = others & IntervalSet.span(lo, nxt - 1)
                    if segment:
                        back = reply_space.peers_for(segment.min(), 0)
                        boxes.append(Box(segment, box.ports, box.peers & back))
        return TrafficSpace(boxes)

    def of_interface(self, eni: NetworkInterface) -> InterfaceExposure | None:
        space = self.interface_space(eni)
        if space.is_empty():
            return None
        merged: dict[tuple[IntervalSet, Addresses], IntervalSet] = {}
        for box in space.boxes:
            key = (box.ports, box.peers)
            merged[key] = merged.get(key, IntervalSet()) | box.protocols
        services = sorted(
            (ExposedService(protocols, ports, peers) for (ports, peers), protocols in merged.items()),
            key=lambda s: (s.protocols.min(), s.ports.min()),
        )
        publics = eni.public_ipv4s + eni.ipv6s
        return InterfaceExposure(eni, self.snapshot.describe_interface(eni), publics, tuple(services))

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
        out = []
        for eni in self.snapshot.interfaces.values():
            if self.unknowns_of(eni):
                continue
            if not (eni.public_ipv4s or eni.ipv6s):
                continue
            found = self.of_interface(eni)
            if found is not None:
                out.append(found)
        return out


def exposure(snapshot: Snapshot) -> list[InterfaceExposure]:
    return Exposure(snapshot).all()
