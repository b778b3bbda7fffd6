"""Security groups as AWS evaluates them (shared/facts/network.md section 2).

- Allow-only; the rules of every group on an interface are unioned.
- Stateful: a flow allowed one way has its responses allowed whatever the other direction says.
- Protocol -1, and any protocol other than TCP, UDP, ICMP and ICMPv6, allows all ports (botocore
  `IpPermission.IpProtocol`). ICMP: FromPort is the type, ToPort the code, -1 meaning all.
- A group reference matches the *private* addresses of the interfaces that carry the referenced group
  (never their public or Elastic IPs) and is not transitive. Across VPCs it needs an active peering;
  a stale reference (deleted group or peering) matches nothing.
- A prefix list matches its entries.

IPv6 addresses of members: the EC2 guide speaks of the members' "private IP addresses"; an IPv6
address of an interface is its own (no NAT), so members' IPv6 addresses are matched too
(marked [U] in the fact sheet; see docs/semantics.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property, lru_cache

from edgeward.algebra.addresses import ALL, NONE, AddressError, Addresses, parse_cidr, union_addresses
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
from edgeward.model.network import NetworkInterface, PeerKind, SecurityGroup, SecurityGroupRule
from edgeward.model.snapshot import Snapshot

# Interfaces that may exist without security groups, and are then not filtered by any.
UNFILTERED_INTERFACE_TYPES = frozenset({"network_load_balancer", "gateway_load_balancer"})
STALE_PEERING_STATES = frozenset({"deleted", "deleting", "rejected", "failed", "expired"})


def rule_protocols_and_ports(rule: SecurityGroupRule) -> tuple[IntervalSet, IntervalSet]:
    """The protocol numbers and port (or ICMP type/code) set a rule covers."""
    return _protocols_and_ports(rule.protocol, rule.from_port, rule.to_port)


@lru_cache(maxsize=4096)
def _protocols_and_ports(protocol: int, from_port: int | None, to_port: int | None) -> tuple[IntervalSet, IntervalSet]:
    """Shared by every rule with these three values (a few hundred distinct in a large estate)."""
    if protocol == -1:
        return ALL_PROTOCOLS, ALL_PORTS
    protocols = IntervalSet.point(protocol)
    if protocol in (TCP, UDP):
        lo = from_port
        hi = to_port
        if lo is None or hi is None or lo < 0:
            return protocols, ALL_PORTS
        return protocols, IntervalSet.span(max(lo, 0), min(hi, 65535))
    if protocol in (ICMP, ICMPV6):
        icmp_type = -1 if from_port is None else from_port
        icmp_code = -1 if to_port is None else to_port
        return protocols, icmp_span(icmp_type, icmp_code)
    return protocols, ALL_PORTS


def describe_rule(rule: SecurityGroupRule) -> str:
    """`tcp port 22 from 0.0.0.0/0` in the rule's own direction."""
    _protocols, ports = rule_protocols_and_ports(rule)
    proto = "all traffic" if rule.protocol == -1 else protocol_name(rule.protocol)
    port_text = "" if rule.protocol == -1 else " " + describe_ports(rule.protocol, ports)
    direction = "to" if rule.egress else "from"
    text = f"{proto}{port_text} {direction} {rule.peer_text()}"
    if rule.description:
        text += f' ("{rule.description}")'
    return text


class RulePeers:
    """The addresses a rule's peer stands for, and why (for traces).

    For a reference to a group, the members' address set is built only when `addresses` is first
    read: `holds` answers for one address from an index of addresses to groups instead.
    """

    __slots__ = ("_addresses", "_members", "members_of", "note")

    def __init__(
        self,
        addresses: Addresses | None,
        note: str = "",  # e.g. "stale reference: matches nothing"
        *,
        members_of: str | None = None,
        members: _MemberAddresses | None = None,
    ) -> None:
        if addresses is None and (members_of is None or members is None):
            raise ValueError("a rule's peers are addresses, or the members of a group")
        self._addresses = addresses
        self.note = note
        self.members_of = members_of  # the referenced group, when the peers are its members
        self._members = members

    @property
    def addresses(self) -> Addresses:
        if self._addresses is None:
            assert self._members is not None and self.members_of is not None
            self._addresses = self._members.get(self.members_of, NONE)
        return self._addresses

    def holds(self, peer: Addresses) -> bool:
        """`addresses.contains_set(peer)`; for one address and a group's members, from the index."""
        if self._addresses is None and self._members is not None:
            holding = self._members.groups_holding(peer)
            if holding is not None:
                return self.members_of in holding
        return self.addresses.contains_set(peer)


class SecurityGroupSemantics:
    """Per-snapshot evaluation of security groups, with member address sets computed once."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._group_space: dict[tuple[str, bool], TrafficSpace] = {}
        self._interface_space: dict[tuple[tuple[str, ...], bool], TrafficSpace] = {}
        self._rule_peers: dict[int, RulePeers] = {}
        self._prefix_list_addresses: dict[str, Addresses] = {}
        self._shared_peers: dict[tuple[object, ...], RulePeers] = {}
        self._allowed: dict[tuple[tuple[str, ...], bool, int, int, bool], Addresses] = {}
        self._by_protocol: dict[tuple[str, bool, int], list[tuple[SecurityGroupRule, int, int]]] = {}
        self._covering: dict[
            tuple[tuple[str, ...], bool, int, int], list[tuple[SecurityGroup, SecurityGroupRule, RulePeers]]
        ] = {}

    @cached_property
    def members_private(self) -> bool:
        """True when the private addresses of every interface in a group lie inside the estate's VPC
        CIDRs, so a rule that references a group matches no internet address (checked, not assumed:
        an interface whose VPC is missing from the input, or an address outside its VPC, keeps them
        counted)."""
        internet = self.snapshot.internet_addresses
        v4, v6 = internet.v4, internet.v6
        for eni in self.snapshot.interfaces.values():
            if not eni.group_ids:
                continue  # a member of no group: no reference matches its addresses
            try:
                own = self.member_addresses.addresses_of(eni)
            except AddressError:
                return False  # not an address we can place: count the members
            for version, first, last in own:
                family = v4 if version == 4 else v6
                if first in family if first == last else family.overlaps(IntervalSet.span(first, last)):
                    return False
        return True

    @cached_property
    def member_addresses(self) -> _MemberAddresses:
        """Private IPv4 and IPv6 addresses of the interfaces carrying each group (computed per group on
        first use: a batch of questions needs the members of the few groups its rules reference)."""
        return _MemberAddresses(self.snapshot)

    def peers(self, rule: SecurityGroupRule) -> RulePeers:
        key = id(rule)
        cached = self._rule_peers.get(key)
        if cached is None:
            # the peers depend only on these few values, shared by many rules of a large estate
            if rule.peer_kind is PeerKind.SECURITY_GROUP:
                owner = self.snapshot.security_groups.get(rule.group_id)
                shared: tuple[object, ...] = (rule.group, owner.vpc_id if owner else None)
            else:
                shared = (rule.peer_kind, rule.cidr, rule.prefix_list_id)
            cached = self._shared_peers.get(shared)
            if cached is None:
                cached = self._shared_peers[shared] = self._compute_peers(rule)
            self._rule_peers[key] = cached
        return cached

    def _compute_peers(self, rule: SecurityGroupRule) -> RulePeers:
        if rule.peer_kind is PeerKind.CIDR:
            assert rule.cidr is not None
            return RulePeers(Addresses.cidr(rule.cidr))
        if rule.peer_kind is PeerKind.PREFIX_LIST:
            assert rule.prefix_list_id is not None
            prefix_list = self.snapshot.prefix_lists.get(rule.prefix_list_id)
            if prefix_list is None:
                return RulePeers(
                    NONE, f"prefix list {rule.prefix_list_id} is not in the snapshot: matches nothing known"
                )
            note = " (entries from the dated copy of AWS ip-ranges.json)" if prefix_list.from_dated_copy else ""
            addresses = self._prefix_list_addresses.get(prefix_list.id)
            if addresses is None:
                addresses = self._prefix_list_addresses[prefix_list.id] = Addresses.from_cidrs(prefix_list.cidrs)
            return RulePeers(addresses, note.strip())
        ref = rule.group
        assert ref is not None
        if ref.peering_status and ref.peering_status in STALE_PEERING_STATES:
            return RulePeers(
                NONE, f"stale reference: peering {ref.peering_id} is {ref.peering_status}; matches nothing"
            )
        target = self.snapshot.security_groups.get(ref.group_id)
        if target is None:
            return RulePeers(
                NONE, f"group {ref.group_id} is not in the snapshot (deleted, or another account): matches nothing"
            )
        owner = self.snapshot.security_groups[rule.group_id]
        if target.vpc_id != owner.vpc_id and not self._peered(owner.vpc_id, target.vpc_id, ref.peering_id):
            return RulePeers(
                NONE,
                f"group {target.id} is in {target.vpc_id}, not peered (actively) with {owner.vpc_id}: matches nothing",
            )
        return RulePeers(None, members_of=target.id, members=self.member_addresses)

    def _peered(self, vpc_a: str, vpc_b: str, peering_id: str | None) -> bool:
        for pcx in self.snapshot.peering_connections.values():
            if peering_id and pcx.id != peering_id:
                continue
            sides = {pcx.requester.vpc_id, pcx.accepter.vpc_id}
            if sides == {vpc_a, vpc_b} and pcx.active:
                return True
        return False

    def rule_space(self, rule: SecurityGroupRule) -> TrafficSpace:
        protocols, ports = rule_protocols_and_ports(rule)
        return TrafficSpace([Box(protocols, ports, self.peers(rule).addresses)])

    def group_space(self, group: SecurityGroup, egress: bool) -> TrafficSpace:
        key = (group.id, egress)
        space = self._group_space.get(key)
        if space is None:
            boxes: list[Box] = []
            for rule in group.egress if egress else group.ingress:
                protocols, ports = rule_protocols_and_ports(rule)
                boxes.append(Box(protocols, ports, self.peers(rule).addresses))
            space = TrafficSpace(boxes)
            self._group_space[key] = space
        return space

    @staticmethod
    def filters(eni: NetworkInterface) -> bool:
        """False for a load balancer interface without security groups (an NLB created without them,
        a GWLB): no group filters its traffic (facts/network.md section 8)."""
        return bool(eni.group_ids) or eni.interface_type not in UNFILTERED_INTERFACE_TYPES

    def interface_space(self, eni: NetworkInterface, egress: bool) -> TrafficSpace:
        """Union of every group's rules on the interface, in one direction."""
        if not self.filters(eni):
            return TrafficSpace.everything()
        key = (eni.group_ids, egress)
        space = self._interface_space.get(key)
        if space is None:
            boxes: list[Box] = []
            for group in self.snapshot.groups_of(eni):
                boxes.extend(self.group_space(group, egress).boxes)
            space = TrafficSpace(boxes)
            self._interface_space[key] = space
        return space

    def allowed_peers(
        self, eni: NetworkInterface, egress: bool, protocol: int, port: int, *, internet: bool = False
    ) -> Addresses:
        """Peers allowed for this protocol/port by any group of the interface. With `internet`, only
        their internet addresses are asked for (the caller intersects with them): references to
        groups are left out when members are known to be private (`members_private`)."""
        if not self.filters(eni):
            return ALL
        key = (eni.group_ids, egress, protocol, port, internet)
        found = self._allowed.get(key)
        if found is None:
            skip_members = internet and self.members_private
            found = union_addresses(
                peers.addresses
                for _, _, peers in self._rules_for(eni, egress, protocol, port)
                if not (skip_members and peers.members_of is not None)
            )
            if len(self._allowed) >= 100_000:
                self._allowed.clear()
            self._allowed[key] = found
        return found

    def _rules_for(
        self, eni: NetworkInterface, egress: bool, protocol: int, port: int
    ) -> list[tuple[SecurityGroup, SecurityGroupRule, RulePeers]]:
        """The rules of the interface's groups that cover this protocol and port, in order, with their
        peers; remembered per (groups, direction, protocol, port), as many questions share them."""
        key = (eni.group_ids, egress, protocol, port)
        found = self._covering.get(key)
        if found is None:
            found = []
            for group in self.snapshot.groups_of(eni):
                for rule, lo, hi in self._group_protocol_rules(group, egress, protocol):
                    if lo <= port <= hi:  # peers resolved only now: a reference's members are built on demand
                        found.append((group, rule, self.peers(rule)))
            if len(self._covering) >= 100_000:  # a bound for long batches of varied questions
                self._covering.clear()
            self._covering[key] = found
        return found

    def _group_protocol_rules(
        self, group: SecurityGroup, egress: bool, protocol: int
    ) -> list[tuple[SecurityGroupRule, int, int]]:
        """The group's rules (in order) that cover this protocol, with each span of their ports (a
        rule's ports are one interval; a rule with several would appear once per interval)."""
        key = (group.id, egress, protocol)
        found = self._by_protocol.get(key)
        if found is None:
            found = []
            for rule in group.egress if egress else group.ingress:
                if rule.protocol == protocol or rule.protocol == -1:  # rule_protocols_and_ports's protocols
                    bounds = rule_protocols_and_ports(rule)[1].bounds
                    for i in range(0, len(bounds), 2):
                        found.append((rule, bounds[i], bounds[i + 1]))
            self._by_protocol[key] = found
        return found

    def matching_rules(
        self, eni: NetworkInterface, egress: bool, protocol: int, port: int, peer: Addresses
    ) -> list[tuple[SecurityGroup, SecurityGroupRule]]:
        """Every rule of every group on the interface that admits this traffic (for traces)."""
        return [
            (group, rule) for group, rule, peers in self._rules_for(eni, egress, protocol, port) if peers.holds(peer)
        ]

    def near_misses(
        self, eni: NetworkInterface, egress: bool, protocol: int, port: int
    ) -> list[tuple[SecurityGroup, SecurityGroupRule, str]]:
        """Rules that cover the protocol and port but not the peer (to explain a denial)."""
        return [(group, rule, peers.note) for group, rule, peers in self._rules_for(eni, egress, protocol, port)]


_NO_GROUPS: frozenset[str] = frozenset()


class _MemberAddresses(Mapping[str, Addresses]):
    """Group id -> its members' private addresses, each group computed once, when first asked for."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._done: dict[str, Addresses] = {}
        self._parsed: dict[str, list[tuple[int, int, int]]] = {}
        self._holding: dict[tuple[int, int], set[str]] | None = None  # (version, address) -> groups
        self._no_index = False

    def groups_holding(self, peer: Addresses) -> set[str] | frozenset[str] | None:
        """The groups whose members hold `peer`, when it is one address (a member's set holds it
        exactly when some interface with that address carries the group); None when the index cannot
        tell: several addresses, or an interface address that is a range or unreadable."""
        v4, v6 = peer.v4.bounds, peer.v6.bounds
        if len(v4) == 2 and not v6 and v4[0] == v4[1]:
            key = (4, v4[0])
        elif len(v6) == 2 and not v4 and v6[0] == v6[1]:
            key = (6, v6[0])
        else:
            return None
        holding = self._index()
        return None if holding is None else holding.get(key, _NO_GROUPS)

    def addresses_of(self, eni: NetworkInterface) -> list[tuple[int, int, int]]:
        """(version, first, last) of each private address of the interface, parsed once whatever
        its number of groups and whoever asks; AddressError for one that is not an address."""
        found = self._parsed.get(eni.id)
        if found is None:
            found = self._parsed[eni.id] = [parse_cidr(text) for text in eni.private_ipv4s + eni.ipv6s]
        return found

    def _index(self) -> dict[tuple[int, int], set[str]] | None:
        if self._holding is None and not self._no_index:
            holding: dict[tuple[int, int], set[str]] = {}
            for eni in self._snapshot.interfaces.values():
                if not eni.group_ids:
                    continue
                try:
                    own = self.addresses_of(eni)
                except AddressError:
                    own = None
                if own is None or any(first != last for _, first, last in own):
                    self._no_index = True  # unreadable, or a range: members' sets answer (or fail) as before
                    return None
                for version, first, _ in own:
                    found = holding.get((version, first))
                    if found is None:
                        holding[(version, first)] = set(eni.group_ids)
                    else:
                        found.update(eni.group_ids)
            self._holding = holding
        return self._holding

    def __getitem__(self, group_id: str) -> Addresses:
        found = self._done.get(group_id)
        if found is None:
            eni_ids = self._snapshot.members_of_group[group_id]  # KeyError for a group without members
            v4: list[tuple[int, int]] = []
            v6: list[tuple[int, int]] = []
            for eni_id in eni_ids:
                for version, first, last in self.addresses_of(self._snapshot.interfaces[eni_id]):
                    (v4 if version == 4 else v6).append((first, last))
            found = self._done[group_id] = Addresses(IntervalSet(v4), IntervalSet(v6))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot.members_of_group)

    def __len__(self) -> int:
        return len(self._snapshot.members_of_group)
