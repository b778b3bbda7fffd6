"""What every rule of one audit shares: the snapshot, the settings and the analyses, computed once."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from edgeward.algebra.addresses import NONE, Addresses, union_addresses
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import ALL_PORTS, ALL_PROTOCOLS, TrafficSpace
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.reach import Reachability
from edgeward.model.network import NetworkInterface, PeerKind, SecurityGroup, SecurityGroupRule, UnknownValue
from edgeward.model.snapshot import Snapshot
from edgeward.rules.base import arn_for, resource_label
from edgeward.rules.settings import Settings
from edgeward.semantics import Semantics

T = TypeVar("T")

NEVER_MATCHING: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
    # (name, CIDRs, why, applies to egress destinations too)
    (
        "loopback",
        ("127.0.0.0/8", "::1/128"),
        "loopback addresses never leave a host, so no packet on the network carries them",
        True,
    ),
    (
        "link-local",
        ("169.254.0.0/16", "fe80::/10"),
        "link-local addresses are never routed, and the AWS services on them (DNS, metadata, time) are not "
        "filtered by security groups at all",
        True,
    ),
    (
        "multicast",
        ("224.0.0.0/4", "ff00::/8"),
        "a multicast address is never the source of a packet",
        False,
    ),
    (
        "documentation",
        ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"),
        "documentation ranges (RFC 5737, RFC 3849, RFC 9637) are never used by real hosts: the rule admits "
        "nobody and is probably a placeholder copied from an example",
        True,
    ),
    (
        "this-network",
        ("0.0.0.0/8",),
        "0.0.0.0/8 means 'this network' and is never a source on the wire",
        False,
    ),
    (
        "reserved",
        ("240.0.0.0/4",),
        "240.0.0.0/4 is reserved (RFC 1112) and unused by real hosts",
        True,
    ),
)

# Addresses no real host sends from: a source in them admits nobody (EW108), and they never count
# as internet clients that reach a port (EW101-EW107).
NEVER_SOURCE = union_addresses(Addresses.from_cidrs(cidrs) for _name, cidrs, _why, _egress in NEVER_MATCHING)

NOWHERE = TrafficSpace.of(ALL_PROTOCOLS, ALL_PORTS, NEVER_SOURCE)


class AuditContext:
    def __init__(self, snapshot: Snapshot, settings: Settings | None = None) -> None:
        self.snapshot = snapshot
        self.settings = settings or Settings()
        self._exposure_space: dict[str, TrafficSpace] = {}
        self._shared: dict[str, Any] = {}

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per audit and shared by the rules that need it (e.g. origin verdicts)."""
        if key not in self._shared:
            self._shared[key] = compute()
        value: T = self._shared[key]
        return value

    @cached_property
    def semantics(self) -> Semantics:
        return Semantics(self.snapshot)

    @cached_property
    def reachability(self) -> Reachability:
        return Reachability(self.snapshot, self.semantics)

    @cached_property
    def exposure(self) -> Exposure:
        exposure = Exposure(self.snapshot, self.reachability)
        # rules ask about every public interface: compute them in one round, not one class at a time
        exposure.prepare(
            e
            for e in self.snapshot.interfaces.values()
            if (e.public_ipv4s or e.ipv6s) and not exposure.unknowns_of(e)
        )
        return exposure

    def exposure_space(self, eni: NetworkInterface) -> TrafficSpace:
        """(protocol, port, internet source) that get a reply from this interface: actual reachability.

        Sources no real host uses (documentation, loopback, ...) are left out. Empty when the answer
        depends on values the input leaves unknown (see `exposure_unknowns`): nothing is guessed.
        """
        if self.exposure_unknowns(eni):
            return TrafficSpace()
        key = self.exposure_class(eni)
        space = self._exposure_space.get(key)
        if space is None:
            space = self.exposure.interface_space(eni) - NOWHERE
            self._exposure_space[key] = space
        return space

    @staticmethod
    def exposure_class(eni: NetworkInterface) -> str:
        """Interfaces alike in everything `Exposure.interface_space` reads get the same answer: its
        VPC (gateways), subnet (route table, NACL), groups, and which address families are public."""
        return "|".join(
            (eni.vpc_id, eni.subnet_id, ",".join(eni.group_ids), str(bool(eni.public_ipv4s)), str(bool(eni.ipv6s)))
        )

    def exposure_unknowns(self, eni: NetworkInterface) -> tuple[UnknownValue, ...]:
        """Unknown values (from an IaC plan or template) that can change this interface's exposure."""
        return self.exposure.unknowns_of(eni)

    @cached_property
    def internet(self) -> Addresses:
        return self.snapshot.internet_addresses

    # -- naming -----------------------------------------------------------------------------
    def interface_resource(self, eni: NetworkInterface) -> tuple[str, str, str]:
        """(resource label, AWS id, type): the instance when the interface belongs to one."""
        if eni.instance_id and eni.instance_id in self.snapshot.instances:
            instance = self.snapshot.instances[eni.instance_id]
            return resource_label(instance.id, instance.source), instance.id, "instance"
        return resource_label(eni.id, eni.source), eni.id, "network-interface"

    def interface_text(self, eni: NetworkInterface) -> str:
        """`eni-1 (i-1 web)`, or the IaC address of the instance (or interface) for IaC inputs."""
        instance = self.snapshot.instances.get(eni.instance_id or "")
        address = (instance.source.address if instance else None) or eni.source.address
        return address or self.snapshot.describe_interface(eni)

    def interface_arn(self, eni: NetworkInterface) -> str | None:
        if eni.instance_id and eni.instance_id in self.snapshot.instances:
            return arn_for("instance", eni.instance_id, eni.account, eni.region)
        return arn_for("network-interface", eni.id, eni.account, eni.region)

    def group_arn(self, group: SecurityGroup) -> str | None:
        return arn_for("security-group", group.id, group.account, group.region)

    # -- peers ------------------------------------------------------------------------------
    def rule_peers(self, rule: SecurityGroupRule) -> Addresses:
        return self.semantics.groups.peers(rule).addresses

    def potential_peers(self, rule: SecurityGroupRule) -> Addresses | None:
        """Every address the rule's peer could ever stand for, or None when unknown.

        A group reference matches the private addresses of the referenced group's members, which always
        lie in that group's VPC CIDRs, whoever the members are tomorrow. CIDRs and prefix lists stand
        for their entries.
        """
        if rule.peer_kind is not PeerKind.SECURITY_GROUP:
            peers = self.rule_peers(rule)
            if rule.peer_kind is PeerKind.PREFIX_LIST and rule.prefix_list_id not in self.snapshot.prefix_lists:
                return None
            return peers
        assert rule.group is not None
        target = self.snapshot.security_groups.get(rule.group.group_id)
        if target is None or self.semantics.groups.peers(rule).note:
            return None
        vpc = self.snapshot.vpcs.get(target.vpc_id)
        if vpc is None:
            return None
        return Addresses.from_cidrs(vpc.cidrs_v4 + vpc.cidrs_v6)

    @cached_property
    def real_internet(self) -> Addresses:
        """Internet addresses a real host can have (no documentation, loopback, multicast, ... ranges)."""
        return self.internet - NEVER_SOURCE

    def internet_family_coverage(self, peers: Addresses) -> tuple[bool, bool]:
        """(covers every real IPv4 internet address, covers every real IPv6 internet address)."""
        internet = self.real_internet
        return (
            bool(internet.v4) and peers.v4.contains_set(internet.v4),
            bool(internet.v6) and peers.v6.contains_set(internet.v6),
        )


def peers_for_all_ports(space: TrafficSpace, protocol: int, ports: IntervalSet) -> Addresses:
    """Peers allowed on every port of `ports` for `protocol` (exact: intersect per port segment)."""
    relevant = [b for b in space.boxes if protocol in b.protocols and b.ports.overlaps(ports)]
    if not relevant:
        return NONE
    cuts = sorted(
        {edge for b in relevant for lo, hi in (b.ports & ports) for edge in (lo, hi + 1)}
        | {edge for lo, hi in ports for edge in (lo, hi + 1)}
    )
    result: Addresses | None = None
    for lo in cuts[:-1]:
        if lo not in ports:
            continue
        covering = union_addresses(b.peers for b in relevant if lo in b.ports)
        result = covering if result is None else result & covering
        if result.is_empty():
            return NONE
    return result if result is not None else NONE
