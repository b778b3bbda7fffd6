"""A naive reference evaluator: one packet at a time, plain loops over rules, `ipaddress` for matching.

It shares nothing with edgeward's engine but the model (no interval sets, no traffic spaces, no
semantics modules), so agreement between the two on every pair is real evidence. It is slow on
purpose: it is the baseline the benchmarks compare against and the oracle the tests use.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from edgeward.model.network import NaclEntry, NetworkAcl, NetworkInterface, Route, SecurityGroupRule
from edgeward.model.snapshot import Snapshot

TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
STALE = {"deleted", "deleting", "rejected", "failed", "expired"}


@dataclass(frozen=True)
class Packet:
    protocol: int
    port: int  # destination port, or ICMP type*256+code, 0 for other protocols
    src: str
    dst: str


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def _in(ip: str, cidr: str) -> bool:
    address = _ip(ip)
    network = ipaddress.ip_network(cidr, strict=False)
    return address.version == network.version and address in network


def _rule_ports_match(protocol: int, from_port: int | None, to_port: int | None, packet_proto: int, port: int) -> bool:
    if protocol == -1:
        return True
    if protocol != packet_proto:
        return False
    if protocol in (TCP, UDP):
        if from_port is None or to_port is None or from_port == -1:
            return True
        return from_port <= port <= to_port
    if protocol in (ICMP, ICMPV6):
        icmp_type, icmp_code = divmod(port, 256)
        if from_port is None or from_port == -1:
            return True
        if icmp_type != from_port:
            return False
        return to_port is None or to_port == -1 or icmp_code == to_port
    return True


class NaiveEvaluator:
    def __init__(self, snapshot: Snapshot) -> None:
        self.s = snapshot

    # -- security groups --------------------------------------------------------------------
    def _peer_matches(self, rule: SecurityGroupRule, ip: str) -> bool:
        if rule.cidr is not None:
            return _in(ip, rule.cidr)
        if rule.prefix_list_id is not None:
            pl = self.s.prefix_lists.get(rule.prefix_list_id)
            return pl is not None and any(_in(ip, c) for c in pl.cidrs)
        ref = rule.group
        assert ref is not None
        if ref.peering_status in STALE:
            return False
        target = self.s.security_groups.get(ref.group_id)
        if target is None:
            return False
        owner = self.s.security_groups[rule.group_id]
        if target.vpc_id != owner.vpc_id:
            peered = any(
                {p.requester.vpc_id, p.accepter.vpc_id} == {owner.vpc_id, target.vpc_id} and p.status == "active"
                for p in self.s.peering_connections.values()
            )
            if not peered:
                return False
        for eni in self.s.interfaces.values():
            if target.id in eni.group_ids and ip in (eni.private_ipv4s + eni.ipv6s):
                return True
        return False

    def sg_allows(self, eni: NetworkInterface, egress: bool, packet: Packet) -> bool:
        peer = packet.dst if egress else packet.src
        for group_id in eni.group_ids:
            group = self.s.security_groups[group_id]
            for rule in group.egress if egress else group.ingress:
                ports_ok = _rule_ports_match(rule.protocol, rule.from_port, rule.to_port, packet.protocol, packet.port)
                if ports_ok and self._peer_matches(rule, peer):
                    return True
        return False

    # -- network ACLs -----------------------------------------------------------------------
    def _acl(self, subnet_id: str) -> NetworkAcl | None:
        acl_id = self.s.acl_of_subnet.get(subnet_id)
        return self.s.network_acls.get(acl_id) if acl_id else None

    @staticmethod
    def _entry_matches(entry: NaclEntry, packet_proto: int, port: int, peer: str) -> bool:
        if not _in(peer, entry.cidr):
            return False
        if entry.protocol == -1:
            return True
        if entry.protocol != packet_proto:
            return False
        if entry.protocol in (TCP, UDP):
            if entry.port_from is None or entry.port_to is None:
                return True
            return entry.port_from <= port <= entry.port_to
        if entry.protocol == ICMP or (entry.protocol == ICMPV6 and ":" in entry.cidr):
            icmp_type, icmp_code = divmod(port, 256)
            if entry.icmp_type is None or entry.icmp_type == -1:
                return True
            if icmp_type != entry.icmp_type:
                return False
            return entry.icmp_code is None or entry.icmp_code == -1 or icmp_code == entry.icmp_code
        return True

    def nacl_allows(self, subnet_id: str, egress: bool, protocol: int, port: int, peer: str) -> bool:
        acl = self._acl(subnet_id)
        if acl is None:
            return True
        for entry in sorted(acl.entries, key=lambda e: e.rule_number):
            if entry.egress == egress and self._entry_matches(entry, protocol, port, peer):
                return entry.allow
        return False

    def _reply_ok(self, hops: list[tuple[str, bool, str]], packet: Packet) -> bool:
        """Some ephemeral client port passes every (subnet, egress, peer) NACL on the way back."""
        if packet.protocol in (TCP, UDP):
            candidates = {1024, 65535}
            for subnet_id, _, _ in hops:
                acl = self._acl(subnet_id)
                for entry in acl.entries if acl else ():
                    for edge in (entry.port_from, entry.port_to):
                        if edge is not None:
                            candidates.update(p for p in (edge - 1, edge, edge + 1) if 1024 <= p <= 65535)
            return any(
                all(self.nacl_allows(s, e, packet.protocol, port, peer) for s, e, peer in hops)
                for port in sorted(candidates)
            )
        if packet.protocol == ICMP and packet.port // 256 == 8:
            return all(self.nacl_allows(s, e, ICMP, 0, peer) for s, e, peer in hops)
        if packet.protocol == ICMPV6 and packet.port // 256 == 128:
            return all(self.nacl_allows(s, e, ICMPV6, 129 * 256, peer) for s, e, peer in hops)
        if packet.protocol in (ICMP, ICMPV6):
            return True
        return all(self.nacl_allows(s, e, packet.protocol, 0, peer) for s, e, peer in hops)

    # -- routing ----------------------------------------------------------------------------
    def route(self, subnet_id: str, ip: str) -> Route | None:
        table_id = self.s.route_table_of_subnet.get(subnet_id)
        table = self.s.route_tables.get(table_id) if table_id else None
        if table is None:
            return None
        best: tuple[int, Route] | None = None
        routes = list(table.routes)
        if not any(r.target.value == "local" for r in routes):
            from edgeward.model.network import RouteTarget

            vpc = self.s.vpcs[table.vpc_id]
            routes += [Route(c, RouteTarget.LOCAL, "local") for c in vpc.cidrs_v4 + vpc.cidrs_v6]
        for route in routes:
            cidrs: tuple[str, ...] = (route.destination,) if route.destination else ()
            if route.destination_prefix_list_id:
                pl = self.s.prefix_lists.get(route.destination_prefix_list_id)
                cidrs = pl.cidrs if pl else ()
            for cidr in cidrs:
                if _in(ip, cidr):
                    length = ipaddress.ip_network(cidr, strict=False).prefixlen
                    if best is None or length > best[0]:
                        best = (length, route)
        return best[1] if best else None

    # -- questions --------------------------------------------------------------------------
    def internet_to_interface(self, client: str, eni: NetworkInterface, protocol: int, port: int) -> bool:
        """An outside host reaching the interface: over a VPN when the subnet routes the client to a
        virtual private gateway, else from the internet at its public IPv4 (or IPv6 for an IPv6 client)."""
        v6 = ":" in client
        back = self.route(eni.subnet_id, client)
        if back is not None and back.target_id.startswith("vgw-"):
            vgw = self.s.vpn_gateways.get(back.target_id)
            if back.blackhole or (
                vgw is not None and (eni.vpc_id not in vgw.vpc_ids or (vgw.tunnels_up == 0 and vgw.tunnels_total))
            ):
                return False
            local_addresses = eni.ipv6s if v6 else eni.private_ipv4s
            if not local_addresses:
                return False
            packet = Packet(protocol, port, client, local_addresses[0])
            return (
                self.nacl_allows(eni.subnet_id, False, protocol, port, client)
                and self.sg_allows(eni, False, packet)
                and self._reply_ok([(eni.subnet_id, True, client)], packet)
            )
        if (v6 and not eni.ipv6s) or (not v6 and not eni.public_ipv4s):
            return False
        igws = [g for g in self.s.internet_gateways.values() if eni.vpc_id in g.vpc_ids and not g.egress_only]
        if not igws:
            return False
        local = eni.ipv6s[0] if v6 else eni.private_ipv4s[0]
        packet = Packet(protocol, port, client, local)
        if not self.nacl_allows(eni.subnet_id, False, protocol, port, client):
            return False
        if not self.sg_allows(eni, False, packet):
            return False
        if not self._reply_ok([(eni.subnet_id, True, client)], packet):
            return False
        back = self.route(eni.subnet_id, client)
        return back is not None and not back.blackhole and back.target_id in {g.id for g in igws}

    def interface_to_internet(self, eni: NetworkInterface, server: str, protocol: int, port: int) -> str | None:
        """The public source address the packet leaves with, or None when it cannot reach `server`."""
        v6 = ":" in server
        src = (eni.ipv6s[0] if eni.ipv6s else None) if v6 else eni.private_ipv4s[0]
        if src is None:
            return None
        packet = Packet(protocol, port, src, server)
        if not self.sg_allows(eni, True, packet) or not self.nacl_allows(eni.subnet_id, True, protocol, port, server):
            return None
        route = self.route(eni.subnet_id, server)
        if route is None or route.blackhole:
            return None
        if route.target_id.startswith("igw-") or route.target_id.startswith("eigw-"):
            if (
                route.target_id not in self.s.internet_gateways
                or eni.vpc_id not in self.s.internet_gateways[route.target_id].vpc_ids
            ):
                return None
            if not v6 and (not eni.public_ipv4s or route.target_id.startswith("eigw-")):
                return None
            if not self._reply_ok([(eni.subnet_id, False, server)], packet):
                return None
            return src if v6 else eni.public_ipv4s[0]
        if route.target_id.startswith("vgw-"):
            vgw = self.s.vpn_gateways.get(route.target_id)
            if vgw is not None and (eni.vpc_id not in vgw.vpc_ids or (vgw.tunnels_up == 0 and vgw.tunnels_total)):
                return None
            return src if self._reply_ok([(eni.subnet_id, False, server)], packet) else None
        if route.target_id.startswith("nat-"):
            nat = self.s.nat_gateways.get(route.target_id)
            if nat is None or v6 or nat.state != "available" or nat.connectivity != "public" or not nat.public_ips:
                return None
            if protocol not in (TCP, UDP, ICMP):
                return None
            crosses = nat.subnet_id != eni.subnet_id
            if crosses and not self.nacl_allows(nat.subnet_id, False, protocol, port, src):
                return None
            if not self.nacl_allows(nat.subnet_id, True, protocol, port, server):
                return None
            out = self.route(nat.subnet_id, server)
            if out is None or out.blackhole or not out.target_id.startswith("igw-"):
                return None
            if not self._reply_ok([(nat.subnet_id, False, server)], packet):
                return None
            back = [(eni.subnet_id, False, server)]
            if crosses:
                back.insert(0, (nat.subnet_id, True, src))
            if not self._reply_ok(back, packet):
                return None
            return nat.public_ips[0]
        return None

    def interface_to_interface(self, a: NetworkInterface, b: NetworkInterface, protocol: int, port: int) -> bool:
        """a -> b at b's primary private IPv4: privately when routed so, else via b's public address."""
        dst = b.private_ipv4s[0]
        src = a.private_ipv4s[0]
        if a.id == b.id:
            return True
        packet = Packet(protocol, port, src, dst)
        private = a.subnet_id == b.subnet_id
        route = None if private else self.route(a.subnet_id, dst)
        if not private and route is not None and not route.blackhole:
            private = (route.target_id == "local" and a.vpc_id == b.vpc_id) or route.target_id.startswith("pcx-")
        if not private:
            if not b.public_ipv4s:
                return False
            public = self.interface_to_internet(a, b.public_ipv4s[0], protocol, port)
            return public is not None and self.internet_to_interface(public, b, protocol, port)
        if not self.sg_allows(a, True, packet):
            return False
        if a.subnet_id != b.subnet_id:
            if not self._private_route_ok(a, b, dst) or not self._private_route_ok(b, a, src):
                return False
            if not self.nacl_allows(a.subnet_id, True, protocol, port, dst):
                return False
            if not self.nacl_allows(b.subnet_id, False, protocol, port, src):
                return False
        if not self.sg_allows(b, False, packet):
            return False
        if a.subnet_id != b.subnet_id:
            return self._reply_ok([(b.subnet_id, True, src), (a.subnet_id, False, dst)], packet)
        return True

    def _private_route_ok(self, a: NetworkInterface, b: NetworkInterface, ip: str) -> bool:
        route = self.route(a.subnet_id, ip)
        if route is None or route.blackhole:
            return False
        if route.target_id == "local":
            return a.vpc_id == b.vpc_id
        if route.target_id.startswith("pcx-"):
            pcx = self.s.peering_connections.get(route.target_id)
            return (
                pcx is not None
                and pcx.status == "active"
                and {pcx.requester.vpc_id, pcx.accepter.vpc_id} == {a.vpc_id, b.vpc_id}
            )
        return False
