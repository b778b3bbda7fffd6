"""`reach`: can this source reach this destination with this traffic? Both directions, with the trace.

The point evaluator below applies AWS's components in order for one concrete packet and its reply;
questions about *any* internet host first narrow the candidate addresses with the same set algebra
that `exposure` uses, then explain one representative packet. So `reach` and `exposure` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from edgeward.algebra.addresses import NONE, Addresses
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import EPHEMERAL_PORTS
from edgeward.analysis.flows import (
    Endpoint,
    EndpointKind,
    Hop,
    ReachResult,
    Traffic,
    Verdict,
    describe_internet_sources,
    resolve_endpoint,
    service_name,
)
from edgeward.analysis.unknowns import interface_dependencies, unknown_addresses, unknowns_for
from edgeward.errors import UsageError
from edgeward.model.network import NetworkAcl, NetworkInterface, RouteTarget, UnknownValue
from edgeward.model.snapshot import Snapshot
from edgeward.semantics import Semantics
from edgeward.semantics.security_groups import describe_rule

V4_ONLY = Addresses.from_cidrs(["0.0.0.0/0"])
V6_ONLY = Addresses.from_cidrs(["::/0"])
INTERNET_TARGETS = frozenset(
    {RouteTarget.INTERNET_GATEWAY, RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY, RouteTarget.NAT_GATEWAY}
)
PREFERRED_EXAMPLES = ("203.0.113.10", "198.51.100.10", "8.8.8.8", "2001:db8::10", "2606:4700::1111")


def is_v6(address: str) -> bool:
    """IPv6 by its colons; `<...>` placeholders (addresses a model only names, such as a load balancer
    node's public IPv4) are never IPv6, whatever their text holds."""
    return ":" in address and not address.startswith("<")


def representative(addresses: Addresses) -> str | None:
    """A readable member of the set for the trace: a documentation address if it is in the set."""
    for example in PREFERRED_EXAMPLES:
        if addresses.contains_set(Addresses.address(example)):
            return example
    for cidr in addresses.to_cidrs():
        first = Addresses.cidr(cidr).first_address()
        if first and not first.startswith("0."):
            return first
    return addresses.first_address()


@dataclass
class Path:
    """Hops collected while walking one packet and its reply."""

    hops: list[Hop] = field(default_factory=list)
    ephemeral: IntervalSet | None = None
    source_address: str | None = None
    destination_address: str | None = None
    notes: list[str] = field(default_factory=list)

    def add(
        self, direction: str, component: str, resource: str, decision: str, text: str, rules: tuple[str, ...] = ()
    ) -> bool:
        self.hops.append(Hop(direction, component, resource, decision, text, rules))
        return decision != "deny"

    @property
    def denied(self) -> bool:
        return any(h.decision == "deny" for h in self.hops)


class Reachability:
    """Answers flow questions on one snapshot; create once, ask many times."""

    def __init__(self, snapshot: Snapshot, semantics: Semantics | None = None) -> None:
        self.snapshot = snapshot
        self.sem = semantics or Semantics(snapshot)

    # -- public API -------------------------------------------------------------------------
    def reach(self, source: str, destination: str, traffic: Traffic) -> ReachResult:
        src = resolve_endpoint(self.snapshot, source, "--from")
        dst = resolve_endpoint(self.snapshot, destination, "--to")
        return self.reach_endpoints(src, dst, traffic)

    @staticmethod
    def check_askable(src: Endpoint, dst: Endpoint) -> None:
        """Raise the usage error a question between these two ends would raise, without answering it."""
        if src.kind is EndpointKind.INTERNET and dst.kind is EndpointKind.INTERNET:
            raise UsageError("both ends are 'internet'; at least one must be in the estate", place="--from/--to")

    def reach_endpoints(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        result = self._answer(src, dst, traffic)
        unknowns = self._unknowns(src) + self._unknowns(dst)
        if not unknowns:
            return result
        known = "allowed" if result.verdict is Verdict.ALLOWED else "denied"
        first = unknowns[0].describe()
        more = f" (and {len(unknowns) - 1} more)" if len(unknowns) > 1 else ""
        return replace(
            result,
            verdict=Verdict.UNKNOWN,
            summary=f"unknown: {first}{more}; with only the known values it would be {known}",
            unknowns=tuple(dict.fromkeys(unknowns)),
        )

    def _unknowns(self, end: Endpoint) -> tuple[UnknownValue, ...]:
        """Unknown values this end of the question depends on (none for fully known inputs)."""
        if not self.snapshot.unknowns_of:
            return ()
        if end.interface is not None:
            return unknowns_for(self.snapshot, interface_dependencies(self.snapshot, end.interface))
        if end.kind is EndpointKind.UNOWNED:
            return unknown_addresses(self.snapshot, end.resource)
        if end.kind is EndpointKind.INTERNET_HOST:
            return unknown_addresses(self.snapshot)
        return ()

    def _answer(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        internet_kinds = (EndpointKind.INTERNET, EndpointKind.INTERNET_HOST)
        if src.kind in internet_kinds and dst.kind in internet_kinds:
            self.check_askable(src, dst)
            unowned = dst if dst.kind is EndpointKind.INTERNET_HOST else src
            return self._simple_denied(
                src,
                dst,
                traffic,
                f"nothing in the estate owns {unowned.address}: it is outside every VPC of the snapshot",
            )
        if src.kind in (EndpointKind.PUBLIC_ADDRESS,):
            # a packet sent from a public address comes from its interface
            src = Endpoint(EndpointKind.INTERFACE, src.asked, src.interface)
        if src.kind in (EndpointKind.UNOWNED, EndpointKind.NAT_ADDRESS, EndpointKind.LINK_LOCAL):
            return self._simple_denied(src, dst, traffic, f"no interface in the estate sends from {src.address}")
        if dst.kind is EndpointKind.UNOWNED:
            return self._simple_denied(src, dst, traffic, f"no interface in {dst.resource} owns {dst.address}")
        if dst.kind is EndpointKind.NAT_ADDRESS:
            return self._simple_denied(
                src,
                dst,
                traffic,
                f"{dst.address} is the public address of {dst.resource}, which accepts no new connections",
            )
        if src.kind in internet_kinds:
            if dst.kind is EndpointKind.LINK_LOCAL:
                return self._simple_denied(
                    src, dst, traffic, f"{dst.address} is link-local: only instances inside a VPC reach it"
                )
            return self._from_internet(src, dst, traffic)
        assert src.interface is not None
        if dst.kind is EndpointKind.LINK_LOCAL:
            return self._link_local(src, dst, traffic)
        if dst.kind in internet_kinds:
            return self._to_internet(src, dst, traffic)
        if dst.kind is EndpointKind.PUBLIC_ADDRESS:
            return self._hairpin(src, dst, traffic)
        return self._between_interfaces(src, dst, traffic)

    # -- results ----------------------------------------------------------------------------
    def _result(
        self, src: Endpoint, dst: Endpoint, traffic: Traffic, path: Path, summary_ok: str, **extra: object
    ) -> ReachResult:
        denied = path.denied
        blocking = next((h for h in path.hops if h.decision == "deny"), None)
        summary = (
            summary_ok if not denied else f"denied by {blocking.resource}: {blocking.text}" if blocking else "denied"
        )
        return ReachResult(
            verdict=Verdict.DENIED if denied else Verdict.ALLOWED,
            source=src.describe(self.snapshot),
            destination=dst.describe(self.snapshot),
            traffic=traffic,
            summary=summary,
            hops=tuple(h for h in path.hops if h.direction != "return")
            + tuple(h for h in path.hops if h.direction == "return"),
            source_address=path.source_address,
            destination_address=path.destination_address,
            ephemeral_ports=path.ephemeral,
            notes=tuple(path.notes) + self.snapshot.notes,
            **extra,  # type: ignore[arg-type]
        )

    def _simple_denied(self, src: Endpoint, dst: Endpoint, traffic: Traffic, reason: str) -> ReachResult:
        path = Path(source_address=src.address, destination_address=dst.address)
        path.add("forward", "address", dst.address or dst.asked, "deny", reason)
        return self._result(src, dst, traffic, path, "")

    def _link_local(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        path = Path(source_address=self._private_address(src, dst.address or ""), destination_address=dst.address)
        service = service_name(dst.address or "", dst.resource)
        path.add(
            "forward",
            "link-local",
            dst.address or "",
            "allow",
            f"{dst.address} is the {service}: security groups and network ACLs do not filter it",
        )
        return self._result(src, dst, traffic, path, f"allowed: {service} is not filtered by security groups or NACLs")

    # -- helpers ----------------------------------------------------------------------------
    def _private_address(self, ep: Endpoint, towards: str) -> str | None:
        eni = ep.interface
        if eni is None:
            return ep.address
        if ep.address and ep.kind is EndpointKind.INTERFACE:
            return ep.address
        if is_v6(towards):
            return eni.ipv6s[0] if eni.ipv6s else None
        return eni.primary_ipv4

    def _acl(self, eni: NetworkInterface) -> NetworkAcl | None:
        return self.sem.acls.acl_of_subnet(eni.subnet_id)

    def _acl_hop(
        self, path: Path, direction: str, eni: NetworkInterface, egress: bool, traffic: Traffic, point: int, peer: str
    ) -> bool:
        acl = self._acl(eni)
        decision = self.sem.acls.decide(acl, egress, traffic.protocol, point, peer)
        way = "outbound" if egress else "inbound"
        resource = acl.id if acl else f"{eni.subnet_id} (default NACL)"
        verb = "allows" if decision.allowed else "denies"
        text = f"{way} from subnet {eni.subnet_id}" if egress else f"{way} into subnet {eni.subnet_id}"
        return path.add(
            direction,
            "network-acl",
            resource,
            "allow" if decision.allowed else "deny",
            f"{text}: {decision.text} {verb} it",
            (decision.text,),
        )

    def _sg_hop(
        self, path: Path, direction: str, eni: NetworkInterface, egress: bool, traffic: Traffic, peer: str
    ) -> bool:
        if not self.sem.groups.filters(eni):
            return path.add(
                direction,
                "security-group",
                eni.id,
                "pass",
                f"{eni.id} is a {eni.interface_type} interface without security groups: no group filters it",
            )
        point = Addresses.address(peer)
        rules = self.sem.groups.matching_rules(eni, egress, traffic.protocol, traffic.point, point)
        groups = ", ".join(eni.group_ids) or "no security group"
        way = "outbound" if egress else "inbound"
        if rules:
            texts = tuple(f"{g.id} ({g.name}): {describe_rule(r)}" for g, r in rules)
            return path.add(
                direction,
                "security-group",
                groups,
                "allow",
                f"{way} {traffic.describe()} {'to' if egress else 'from'} {peer} allowed by {texts[0]}",
                texts,
            )
        misses = self.sem.groups.near_misses(eni, egress, traffic.protocol, traffic.point)
        detail = f"no {way} rule of {groups} allows {traffic.describe()} {'to' if egress else 'from'} {peer}"
        notes = tuple(f"{g.id}: {describe_rule(r)}" + (f" — {n}" if n else "") for g, r, n in misses)
        if notes:
            detail += f" (rules for this traffic cover other peers: {'; '.join(notes[:3])})"
        return path.add(direction, "security-group", groups, "deny", detail, notes)

    def _listener_hop(self, path: Path, eni: NetworkInterface, traffic: Traffic) -> bool:
        """A load balancer node accepts only what one of its listeners listens to (protocol and port)."""
        lbs = self.sem.load_balancers
        lb = lbs.load_balancer_of(eni)
        if lb is None:
            return True
        if lbs.listeners(lb) is None:
            return path.add(
                "forward", "load-balancer", lb.name, "pass", f"the listeners of {lb.name} are not in the snapshot"
            )
        listener = lbs.listener_for(lb, traffic.protocol, traffic.point) if traffic.has_ports else None
        if listener is None:
            return path.add(
                "forward",
                "load-balancer",
                lb.name,
                "deny",
                f"{lb.name} has no listener for {traffic.describe()}: nothing accepts it",
            )
        return path.add(
            "forward",
            "load-balancer",
            lb.name,
            "allow",
            f"listener {listener.protocol}:{listener.port} of {lb.name} accepts it",
        )

    def _return_ports(
        self,
        path: Path,
        acls: list[tuple[NetworkInterface, bool, str]],
        traffic: Traffic,
        ephemeral: IntervalSet = EPHEMERAL_PORTS,
    ) -> bool:
        """Stateless reply check: a client port that every NACL on the way back lets through."""
        if not acls:
            return True
        reply = traffic.reply_point()
        if traffic.has_ports:
            ports = ephemeral
            for eni, egress, peer in acls:
                ports = ports & self.sem.acls.allowed_return_ports(self._acl(eni), egress, traffic.protocol, peer)
            path.ephemeral = ports
            for eni, egress, peer in acls:
                acl = self._acl(eni)
                way = "outbound" if egress else "inbound"
                probe = ports.min() if ports else ephemeral.min()
                decision = self.sem.acls.decide(acl, egress, traffic.protocol, probe, peer)
                allowed_here = self.sem.acls.allowed_return_ports(acl, egress, traffic.protocol, peer) & ephemeral
                resource = acl.id if acl else f"{eni.subnet_id} (default NACL)"
                if not allowed_here:
                    path.add(
                        "return",
                        "network-acl",
                        resource,
                        "deny",
                        f"reply {way} {'from' if egress else 'into'} subnet {eni.subnet_id}: no ephemeral port "
                        f"{ephemeral.describe()} is allowed {'to' if egress else 'from'} {peer} ({decision.text})",
                        (decision.text,),
                    )
                    return False
                path.add(
                    "return",
                    "network-acl",
                    resource,
                    "allow",
                    f"reply {way} {'from' if egress else 'into'} subnet {eni.subnet_id} on ephemeral ports "
                    f"{allowed_here.describe()}: {decision.text}",
                    (decision.text,),
                )
            if not ports:
                path.add(
                    "return",
                    "network-acl",
                    "+".join(a.id for e, _, _ in acls if (a := self._acl(e))),
                    "deny",
                    "no single ephemeral client port passes every NACL on the way back",
                )
                return False
            return True
        if traffic.protocol in (1, 58) and reply is None:
            path.add(
                "return",
                "network-acl",
                "-",
                "pass",
                f"{traffic.describe()} expects no reply; NACLs are not checked for one",
            )
            return True
        point = reply if reply is not None else 0
        reply_traffic = Traffic(traffic.protocol, icmp_type=point // 256, icmp_code=point % 256) if reply else traffic
        ok = True
        for eni, egress, peer in acls:
            ok = self._acl_hop(path, "return", eni, egress, reply_traffic, point, peer) and ok
            if not ok:
                return False
        return ok

    # -- internet -> interface --------------------------------------------------------------
    def _public_target(self, eni: NetworkInterface, preferred: str | None) -> str | None:
        if preferred:
            return preferred
        if eni.public_ipv4s:
            return eni.public_ipv4s[0]
        if eni.ipv6s:
            return eni.ipv6s[0]
        return None

    def _inbound_from_internet(
        self, path: Path, client: str, eni: NetworkInterface, target: str, traffic: Traffic
    ) -> bool:
        igws = [
            g
            for g in self.snapshot.internet_gateways_of_vpc.get(eni.vpc_id, ())
            if not self.snapshot.internet_gateways[g].egress_only
        ]
        if not igws:
            return path.add(
                "forward",
                "internet-gateway",
                eni.vpc_id,
                "deny",
                f"VPC {eni.vpc_id} has no internet gateway attached: nothing enters from the internet",
            )
        private = target if is_v6(target) else (eni.primary_ipv4 or target)
        if not is_v6(target):
            idx = eni.public_ipv4s.index(target) if target in eni.public_ipv4s else 0
            private = eni.private_ipv4s[min(idx, len(eni.private_ipv4s) - 1)] if eni.private_ipv4s else target
            path.add(
                "forward",
                "internet-gateway",
                igws[0],
                "pass",
                f"{igws[0]} translates public address {target} to private address {private} (1:1 NAT)",
            )
        else:
            path.add("forward", "internet-gateway", igws[0], "pass", f"{igws[0]} forwards IPv6 {target} unchanged")
        path.destination_address = private
        if not self._acl_hop(path, "forward", eni, False, traffic, traffic.point, client):
            return False
        if not self._sg_hop(path, "forward", eni, False, traffic, client):
            return False
        if not self._listener_hop(path, eni, traffic):
            return False
        path.add(
            "return",
            "security-group",
            ", ".join(eni.group_ids) or eni.id,
            "pass",
            "security groups are stateful: the reply is allowed whatever the outbound rules say",
        )
        if not self._return_ports(path, [(eni, True, client)], traffic):
            return False
        table = self.sem.routes.table_of_subnet(eni.subnet_id)
        decision = self.sem.routes.lookup(table, client)
        route = decision.route
        if (
            route is None
            or route.blackhole
            or route.target is not RouteTarget.INTERNET_GATEWAY
            or route.target_id not in igws
        ):
            why = decision.text if route is None else f"{decision.text}, not to the internet gateway {igws[0]}"
            return path.add(
                "return",
                "route-table",
                table.id if table else eni.subnet_id,
                "deny",
                f"the reply to {client} cannot leave: {why}",
            )
        return path.add(
            "return",
            "route-table",
            table.id if table else "",
            "allow",
            f"the reply to {client} leaves through {route.target_id}: {decision.text}",
        )

    def candidate_internet_sources(
        self, eni: NetworkInterface, target: str, traffic: Traffic
    ) -> list[tuple[str, Addresses]]:
        """Internet sources after each inbound stage, in AWS order (set algebra, for any-host questions)."""
        family = V6_ONLY if is_v6(target) else V4_ONLY
        stages: list[tuple[str, Addresses]] = []
        current = self.snapshot.internet_addresses & family
        stages.append(("internet", current))
        igws = [
            g
            for g in self.snapshot.internet_gateways_of_vpc.get(eni.vpc_id, ())
            if not self.snapshot.internet_gateways[g].egress_only
        ]
        if not igws:
            stages.append(("internet-gateway", NONE))
            return stages
        acl = self._acl(eni)
        current = current & self.sem.acls.peers_at(acl, False, traffic.protocol, traffic.point)
        stages.append(("network-acl inbound", current))
        current = current & self.sem.groups.allowed_peers(eni, False, traffic.protocol, traffic.point, internet=True)
        stages.append(("security-group", current))
        if self.sem.load_balancers.load_balancer_of(eni) is not None:
            accepted = self.sem.load_balancers.accepted_space(eni).peers_for(traffic.protocol, traffic.point)
            current = current & accepted
            stages.append(("load-balancer listener", current))
        current = current & self._reply_peers(eni.subnet_id, True, traffic)
        stages.append(("network-acl return", current))
        table = self.sem.routes.table_of_subnet(eni.subnet_id)
        routed: Addresses = NONE
        for igw in igws:
            routed = routed | self.sem.routes.addresses_routed_to(table, {RouteTarget.INTERNET_GATEWAY}, igw)
        current = current & routed
        stages.append(("route back", current))
        return stages

    def _from_internet(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        eni = dst.interface
        assert eni is not None
        if src.kind is EndpointKind.INTERNET_HOST and dst.kind is EndpointKind.INTERFACE and src.address:
            table = self.sem.routes.table_of_subnet(eni.subnet_id)
            back = self.sem.routes.lookup(table, src.address)
            if back.route is not None and back.route.target is RouteTarget.VIRTUAL_PRIVATE_GATEWAY:
                return self._from_vpn(src, dst, traffic, back.route.target_id, back.text, back.route.blackhole)
        target = self._public_target(eni, dst.address if dst.kind is EndpointKind.PUBLIC_ADDRESS else None)
        if (
            dst.kind is EndpointKind.INTERFACE
            and dst.address
            and dst.address == eni.primary_ipv4
            and dst.asked == dst.address
        ):
            path = Path(destination_address=dst.address)
            path.add(
                "forward",
                "address",
                dst.address,
                "deny",
                f"{dst.address} is a private address: the internet cannot route to it "
                "(ask for the interface or its public address)",
            )
            return self._result(src, dst, traffic, path, "")
        if target is None:
            path = Path()
            path.add(
                "forward",
                "address",
                eni.id,
                "deny",
                f"{eni.id} has no public IPv4 address, Elastic IP or IPv6 address: no path from the internet",
            )
            return self._result(src, dst, traffic, path, "")
        if src.kind is EndpointKind.INTERNET_HOST:
            assert src.address is not None
            path = Path(source_address=src.address)
            if is_v6(src.address) != is_v6(target):
                other = [a for a in ((eni.ipv6s[:1]) if is_v6(src.address) else eni.public_ipv4s[:1])]
                if not other:
                    path.add(
                        "forward",
                        "address",
                        eni.id,
                        "deny",
                        f"{eni.id} has no {'IPv6' if is_v6(src.address) else 'public IPv4'} address for "
                        f"{'an IPv6' if is_v6(src.address) else 'an IPv4'} client",
                    )
                    return self._result(src, dst, traffic, path, "")
                target = other[0]
            self._inbound_from_internet(path, src.address, eni, target, traffic)
            return self._result(
                src,
                dst,
                traffic,
                path,
                f"allowed: {src.address} reaches {eni.id} at {target} with {traffic.describe()}",
            )
        # any internet host: narrow with sets, explain one representative packet
        stages = self.candidate_internet_sources(eni, target, traffic)
        final = stages[-1][1]
        if final:
            client = representative(final) or ""
        else:
            before = next((stages[i - 1][1] for i, (_, s) in enumerate(stages) if not s and i > 0), stages[0][1])
            client = representative(before) or "203.0.113.10"
        path = Path(source_address=client)
        self._inbound_from_internet(path, client, eni, target, traffic)
        if final and path.denied:  # pragma: no cover - the set and point evaluators must agree
            raise AssertionError(f"set and packet evaluation disagree for {eni.id} from {client}")
        summary = (
            f"allowed: {describe_internet_sources(self.snapshot, final)} reaches {eni.id} at {target} "
            f"with {traffic.describe()}"
            if final
            else ""
        )
        return self._result(src, dst, traffic, path, summary, internet_sources=final)

    # -- interface -> internet --------------------------------------------------------------
    def _outbound_to_internet(self, path: Path, eni: NetworkInterface, server: str, traffic: Traffic) -> str | None:
        """Walk a packet from the interface to an internet address; return the public source address."""
        src = self._private_address(Endpoint(EndpointKind.INTERFACE, eni.id, eni), server)
        if src is None:
            path.add(
                "forward",
                "address",
                eni.id,
                "deny",
                f"{eni.id} has no {'IPv6' if is_v6(server) else 'IPv4'} address to send from",
            )
            return None
        path.source_address = src
        path.destination_address = server
        if not self._sg_hop(path, "forward", eni, True, traffic, server):
            return None
        if not self._acl_hop(path, "forward", eni, True, traffic, traffic.point, server):
            return None
        table = self.sem.routes.table_of_subnet(eni.subnet_id)
        decision = self.sem.routes.lookup(table, server)
        route = decision.route
        table_id = table.id if table else eni.subnet_id
        if route is None:
            path.add("forward", "route-table", table_id, "deny", decision.text)
            return None
        if route.blackhole:
            path.add(
                "forward", "route-table", table_id, "deny", f"{decision.text}: the target is gone, traffic is dropped"
            )
            return None
        if route.target in (RouteTarget.INTERNET_GATEWAY, RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY):
            igw = self.snapshot.internet_gateways.get(route.target_id)
            if igw is None or eni.vpc_id not in igw.vpc_ids:
                path.add(
                    "forward",
                    "route-table",
                    table_id,
                    "deny",
                    f"{decision.text}, but {route.target_id} is not attached to {eni.vpc_id}",
                )
                return None
            if is_v6(server):
                public = src
                path.add("forward", "route-table", table_id, "allow", f"{decision.text}")
            else:
                if route.target is RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY:
                    path.add(
                        "forward",
                        "route-table",
                        table_id,
                        "deny",
                        f"{decision.text}: egress-only gateways carry IPv6 only",
                    )
                    return None
                if not eni.public_ipv4s:
                    path.add(
                        "forward",
                        "route-table",
                        table_id,
                        "deny",
                        f"{decision.text}, but {eni.id} has no public IPv4 or Elastic IP: the internet gateway "
                        "cannot translate its private address",
                    )
                    return None
                idx = eni.private_ipv4s.index(src) if src in eni.private_ipv4s else 0
                public = eni.public_ipv4s[min(idx, len(eni.public_ipv4s) - 1)]
                path.add("forward", "route-table", table_id, "allow", decision.text)
                path.add(
                    "forward",
                    "internet-gateway",
                    route.target_id,
                    "pass",
                    f"{route.target_id} translates {src} to public address {public}",
                )
            if not self._return_ports(path, [(eni, False, server)], traffic):
                return None
            return public
        if route.target is RouteTarget.NAT_GATEWAY:
            return self._via_nat(path, eni, src, server, traffic, route.target_id, decision.text, table_id)
        if route.target is RouteTarget.VIRTUAL_PRIVATE_GATEWAY:
            return self._via_vpn(path, eni, server, route.target_id, decision.text, table_id, traffic)
        path.add(
            "forward",
            "route-table",
            table_id,
            "deny",
            f"{decision.text}: {route.target.value} {route.target_id} does not lead to the internet in this snapshot",
        )
        return None

    def _reply_peers(self, subnet_id: str, egress: bool, traffic: Traffic) -> Addresses:
        """Remote addresses whose replies pass the subnet's NACL in this direction (any ephemeral port)."""
        acls = self.sem.acls
        acl = acls.acl_of_subnet(subnet_id)
        if traffic.has_ports:
            return acls.peers_for_ports(acl, egress, traffic.protocol, EPHEMERAL_PORTS)
        reply = traffic.reply_point()
        if reply is not None:
            return acls.peers_at(acl, egress, traffic.protocol, reply)
        if traffic.protocol in (1, 58):
            return Addresses.everything()
        return acls.peers_at(acl, egress, traffic.protocol, 0)

    def _from_vpn(
        self, src: Endpoint, dst: Endpoint, traffic: Traffic, vgw_id: str, route_text: str, blackhole: bool
    ) -> ReachResult:
        """An on-premises address whose replies the subnet routes to a virtual private gateway.

        Traffic from on-premises arrives over the VPN at the private address; no public address is
        involved (VPC guide: VPN connections; facts/network.md section 7).
        """
        eni = dst.interface
        client = src.address
        assert eni is not None and client is not None
        v6 = is_v6(client)
        private = dst.address or (eni.ipv6s[0] if v6 and eni.ipv6s else None if v6 else eni.primary_ipv4)
        path = Path(source_address=client, destination_address=private)
        vgw = self.snapshot.vpn_gateways.get(vgw_id)
        if private is None:
            path.add("forward", "address", eni.id, "deny", f"{eni.id} has no {'IPv6' if v6 else 'IPv4'} address")
        elif vgw is not None and eni.vpc_id not in vgw.vpc_ids:
            path.add("forward", "vpn-gateway", vgw_id, "deny", f"{vgw_id} is not attached to {eni.vpc_id}")
        elif blackhole:
            path.add("forward", "vpn-gateway", vgw_id, "deny", f"{route_text}: the route is a blackhole")
        elif vgw is not None and vgw.tunnels_up == 0 and vgw.tunnels_total > 0:
            path.add(
                "forward", "vpn-gateway", vgw_id, "deny", f"all {vgw.tunnels_total} VPN tunnels of {vgw_id} are DOWN"
            )
        else:
            state = "" if vgw is None or vgw.tunnels_up is None else f" ({vgw.tunnels_up} of {vgw.tunnels_total} UP)"
            path.add(
                "forward",
                "vpn-gateway",
                vgw_id,
                "pass",
                f"{client} is on-premises: it arrives over the VPN through {vgw_id}{state} "
                f"at private address {private}",
            )
            if (
                self._acl_hop(path, "forward", eni, False, traffic, traffic.point, client)
                and self._sg_hop(path, "forward", eni, False, traffic, client)
                and path.add(
                    "return",
                    "security-group",
                    ", ".join(eni.group_ids),
                    "pass",
                    "security groups are stateful: the reply is allowed whatever the outbound rules say",
                )
                and self._return_ports(path, [(eni, True, client)], traffic)
            ):
                table = self.sem.routes.table_of_subnet(eni.subnet_id)
                path.add(
                    "return",
                    "route-table",
                    table.id if table else eni.subnet_id,
                    "allow",
                    f"the reply goes back over the VPN: {route_text}",
                )
        path.notes.append(f"{client} is reached over VPN through {vgw_id}, not over the internet")
        return self._result(
            src, dst, traffic, path, f"allowed: {client} reaches {eni.id} at {private} over the VPN through {vgw_id}"
        )

    def _via_vpn(
        self,
        path: Path,
        eni: NetworkInterface,
        server: str,
        vgw_id: str,
        route_text: str,
        table_id: str,
        traffic: Traffic,
    ) -> str | None:
        """A route to a virtual private gateway leaves the estate towards on-premises, not the internet."""
        vgw = self.snapshot.vpn_gateways.get(vgw_id)
        if vgw is not None and eni.vpc_id not in vgw.vpc_ids:
            path.add(
                "forward",
                "route-table",
                table_id,
                "deny",
                f"{route_text}, but {vgw_id} is not attached to {eni.vpc_id}",
            )
            return None
        if vgw is not None and vgw.tunnels_up == 0 and vgw.tunnels_total > 0:
            path.add(
                "forward",
                "vpn-gateway",
                vgw_id,
                "deny",
                f"{route_text}, but all {vgw.tunnels_total} VPN tunnels of {vgw_id} are DOWN: traffic is dropped",
            )
            return None
        path.add("forward", "route-table", table_id, "allow", route_text)
        state = (
            "" if vgw is None or vgw.tunnels_up is None else f" ({vgw.tunnels_up} of {vgw.tunnels_total} tunnels UP)"
        )
        path.add(
            "forward",
            "vpn-gateway",
            vgw_id,
            "pass",
            f"leaves the estate through {vgw_id}{state} towards on-premises; what lies beyond is not in the snapshot",
        )
        path.notes.append(f"{server} is reached over VPN through {vgw_id}, not over the internet")
        if not self._return_ports(path, [(eni, False, server)], traffic):
            return None
        return path.source_address

    def _via_nat(
        self,
        path: Path,
        eni: NetworkInterface,
        src: str,
        server: str,
        traffic: Traffic,
        nat_id: str,
        route_text: str,
        table_id: str,
    ) -> str | None:
        nat = self.snapshot.nat_gateways.get(nat_id)
        if nat is None:
            path.add("forward", "route-table", table_id, "deny", f"{route_text}, but {nat_id} is not in the snapshot")
            return None
        if nat.state != "available" or nat.connectivity != "public" or not nat.public_ips or is_v6(server):
            why = (
                "is not available"
                if nat.state != "available"
                else "is a private NAT gateway"
                if nat.connectivity != "public"
                else "has no public address"
                if not nat.public_ips
                else "translates IPv4 only"
            )
            path.add("forward", "nat-gateway", nat.id, "deny", f"{route_text}, but {nat.id} {why}")
            return None
        if traffic.protocol not in (1, 6, 17):
            path.add(
                "forward",
                "nat-gateway",
                nat.id,
                "deny",
                f"{route_text}, but NAT gateways translate only TCP, UDP and ICMP, not {traffic.describe()}",
            )
            return None
        path.add("forward", "route-table", table_id, "allow", route_text)
        nat_subnet = self.snapshot.subnets[nat.subnet_id]
        nat_eni = NetworkInterface(
            id=nat.id,
            vpc_id=nat.vpc_id,
            subnet_id=nat_subnet.id,
            account=nat.account,
            region=nat.region,
            private_ipv4s=nat.private_ips,
        )
        crosses = nat.subnet_id != eni.subnet_id
        if crosses and not self._acl_hop(path, "forward", nat_eni, False, traffic, traffic.point, src):
            return None
        path.add(
            "forward",
            "nat-gateway",
            nat.id,
            "pass",
            f"{nat.id} translates source {src} to its public address {nat.public_ips[0]}",
        )
        if not self._acl_hop(path, "forward", nat_eni, True, traffic, traffic.point, server):
            return None
        nat_table = self.sem.routes.table_of_subnet(nat.subnet_id)
        decision = self.sem.routes.lookup(nat_table, server)
        route = decision.route
        if route is None or route.blackhole or route.target is not RouteTarget.INTERNET_GATEWAY:
            path.add(
                "forward",
                "route-table",
                nat_table.id if nat_table else nat.subnet_id,
                "deny",
                f"the NAT gateway's subnet {nat.subnet_id} has no route to the internet gateway "
                f"for {server}: {decision.text}",
            )
            return None
        path.add("forward", "route-table", nat_table.id if nat_table else "", "allow", decision.text)
        # replies: internet -> NAT (NAT's own ports 1024-65535), then NAT -> instance (client's port)
        if not self._return_ports(path, [(nat_eni, False, server)], traffic):
            return None
        back: list[tuple[NetworkInterface, bool, str]] = [(eni, False, server)]
        if crosses:
            back.insert(0, (nat_eni, True, src))
        if not self._return_ports(path, back, traffic):
            return None
        return nat.public_ips[0]

    def _to_internet(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        eni = src.interface
        assert eni is not None
        if dst.kind is EndpointKind.INTERNET_HOST:
            assert dst.address is not None
            path = Path()
            public = self._outbound_to_internet(path, eni, dst.address, traffic)
            return self._result(
                src,
                dst,
                traffic,
                path,
                f"allowed: {eni.id} reaches {dst.address} with {traffic.describe()}, appearing as {public}",
            )
        # any internet host: try representatives of each route block that leads out
        families = [V4_ONLY] + ([V6_ONLY] if eni.ipv6s else [])
        candidates = self.snapshot.internet_addresses & Addresses(
            families[0].v4, families[-1].v6 if len(families) > 1 else NONE.v6
        )
        candidates = candidates & self.sem.groups.allowed_peers(
            eni, True, traffic.protocol, traffic.point, internet=True
        )
        candidates = candidates & self.sem.acls.peers_at(self._acl(eni), True, traffic.protocol, traffic.point)
        table = self.sem.routes.table_of_subnet(eni.subnet_id)
        reachable = NONE
        best: Path | None = None
        tried: Path | None = None
        blocks = self.sem.routes.partition(table) if table else []
        for block, route in blocks:
            if route.target not in INTERNET_TARGETS or route.blackhole:
                continue  # local, peering, VPN and other targets do not lead to the internet
            piece = candidates & block & self._reply_peers(eni.subnet_id, False, traffic)
            if route.target is RouteTarget.NAT_GATEWAY and route.target_id in self.snapshot.nat_gateways:
                nat_subnet = self.snapshot.nat_gateways[route.target_id].subnet_id
                nat_acl = self.sem.acls.acl_of_subnet(nat_subnet)
                piece = piece & self.sem.acls.peers_at(nat_acl, True, traffic.protocol, traffic.point)
                piece = piece & self._reply_peers(nat_subnet, False, traffic)
            server = representative(piece)
            if server is None:
                continue
            path = Path()
            public = self._outbound_to_internet(path, eni, server, traffic)
            tried = tried or path
            if public is not None:
                reachable = reachable | piece
                best = best or path
        if best is None:
            best = tried or Path()
            if tried is None:
                server = representative(self.snapshot.internet_addresses & V4_ONLY) or "203.0.113.10"
                self._outbound_to_internet(best, eni, server, traffic)
            if not best.denied:
                # the packet went somewhere (a VPN, a peering), but no route leads to the internet
                best.add(
                    "forward",
                    "route-table",
                    table.id if table else eni.subnet_id,
                    "deny",
                    f"no route of {table.id if table else eni.subnet_id} sends this traffic to an internet gateway "
                    "or NAT gateway: it does not reach the internet",
                )
        summary = (
            f"allowed: {eni.id} reaches {describe_internet_sources(self.snapshot, reachable)} with {traffic.describe()}"
        )
        result = self._result(src, dst, traffic, best, summary, internet_destinations=reachable)
        return result

    # -- interface -> public address of the estate (hairpin) ---------------------------------
    def _hairpin(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        a = src.interface
        b = dst.interface
        assert a is not None and b is not None and dst.address is not None
        path = Path()
        path.notes.append(
            f"{dst.address} is a public address of {b.id}: traffic leaves through an internet gateway and comes "
            "back in with the sender's public address as its source, so rules naming the sender's security "
            "group or private range do not match it"
        )
        public = self._outbound_to_internet(path, a, dst.address, traffic)
        if public is not None and any(h.component == "vpn-gateway" for h in path.hops):
            path.add(
                "forward",
                "vpn-gateway",
                dst.address,
                "deny",
                f"the route to public address {dst.address} goes to on-premises over VPN, not to the internet",
            )
        elif public is not None:
            self._inbound_from_internet(path, public, b, dst.address, traffic)
        path.destination_address = dst.address  # the packet is addressed to the public address
        return self._result(
            src, dst, traffic, path, f"allowed: {a.id} reaches {b.id} at public address {dst.address} (as {public})"
        )

    # -- interface -> interface --------------------------------------------------------------
    def _between_interfaces(self, src: Endpoint, dst: Endpoint, traffic: Traffic) -> ReachResult:
        a = src.interface
        b = dst.interface
        assert a is not None and b is not None
        dst_addr = dst.address or b.primary_ipv4 or (b.ipv6s[0] if b.ipv6s else None)
        if dst_addr is None:
            return self._simple_denied(src, dst, traffic, f"{b.id} has no address")
        src_addr = self._private_address(src, dst_addr)
        path = Path(source_address=src_addr, destination_address=dst_addr)
        if src_addr is None:
            path.add(
                "forward", "address", a.id, "deny", f"{a.id} has no {'IPv6' if is_v6(dst_addr) else 'IPv4'} address"
            )
            return self._result(src, dst, traffic, path, "")
        # no private route between the two: use the destination's public address when it has one
        private_route = self._private_route(a, b, dst_addr)
        if private_route is None and a.id != b.id and b.public_ipv4s and not is_v6(dst_addr) and dst.address is None:
            public_dst = Endpoint(EndpointKind.PUBLIC_ADDRESS, dst.asked, b, b.public_ipv4s[0])
            return self._hairpin(src, public_dst, traffic)
        if a.id == b.id:
            path.add("forward", "interface", a.id, "allow", "source and destination are the same interface")
            return self._result(src, dst, traffic, path, "allowed: same interface")
        if not self._sg_hop(path, "forward", a, True, traffic, dst_addr):
            return self._result(src, dst, traffic, path, "")
        same_subnet = a.subnet_id == b.subnet_id
        if same_subnet:
            path.add(
                "forward",
                "network-acl",
                a.subnet_id,
                "pass",
                f"both interfaces are in subnet {a.subnet_id}: network ACLs are not applied inside a subnet",
            )
        else:
            if not self._acl_hop(path, "forward", a, True, traffic, traffic.point, dst_addr):
                return self._result(src, dst, traffic, path, "")
            if not self._route_hop(path, "forward", a, b, dst_addr):
                return self._result(src, dst, traffic, path, "")
            if not self._acl_hop(path, "forward", b, False, traffic, traffic.point, src_addr):
                return self._result(src, dst, traffic, path, "")
        if not self._sg_hop(path, "forward", b, False, traffic, src_addr):
            return self._result(src, dst, traffic, path, "")
        if not self._listener_hop(path, b, traffic):
            return self._result(src, dst, traffic, path, "")
        path.add(
            "return",
            "security-group",
            ", ".join(b.group_ids) or b.id,
            "pass",
            "security groups are stateful: the reply is allowed whatever the outbound rules say",
        )
        if not same_subnet:
            if not self._route_hop(path, "return", b, a, src_addr):
                return self._result(src, dst, traffic, path, "")
            self._return_ports(path, [(b, True, src_addr), (a, False, dst_addr)], traffic)
        return self._result(
            src,
            dst,
            traffic,
            path,
            f"allowed: {a.id} ({src_addr}) reaches {b.id} ({dst_addr}) with {traffic.describe()}",
        )

    def _private_route(self, a: NetworkInterface, b: NetworkInterface, dst_addr: str) -> str | None:
        """`local` or the peering id when a's subnet routes dst_addr privately to b's VPC."""
        if a.subnet_id == b.subnet_id:
            return "local"
        table = self.sem.routes.table_of_subnet(a.subnet_id)
        route = self.sem.routes.lookup(table, dst_addr).route
        if route is None or route.blackhole:
            return None
        if route.target is RouteTarget.LOCAL and a.vpc_id == b.vpc_id:
            return "local"
        if route.target is RouteTarget.PEERING:
            return route.target_id
        return None

    def _route_hop(self, path: Path, direction: str, a: NetworkInterface, b: NetworkInterface, dst_addr: str) -> bool:
        table = self.sem.routes.table_of_subnet(a.subnet_id)
        decision = self.sem.routes.lookup(table, dst_addr)
        route = decision.route
        table_id = table.id if table else a.subnet_id
        what = "the reply" if direction == "return" else "the packet"
        if route is None:
            return path.add(direction, "route-table", table_id, "deny", f"{what}: {decision.text}")
        if route.blackhole:
            return path.add(direction, "route-table", table_id, "deny", f"{what}: {decision.text}: dropped")
        if route.target is RouteTarget.LOCAL:
            if a.vpc_id == b.vpc_id:
                return path.add(direction, "route-table", table_id, "allow", f"{what}: {decision.text}")
            return path.add(
                direction,
                "route-table",
                table_id,
                "deny",
                f"{what}: {decision.text}, but {dst_addr} is in another VPC ({b.vpc_id})",
            )
        if route.target is RouteTarget.PEERING:
            pcx = self.snapshot.peering_connections.get(route.target_id)
            if pcx is None:
                return path.add(
                    direction,
                    "vpc-peering",
                    route.target_id,
                    "deny",
                    f"{what}: {decision.text}, but {route.target_id} is not in the snapshot",
                )
            if not pcx.active:
                return path.add(
                    direction,
                    "vpc-peering",
                    pcx.id,
                    "deny",
                    f"{what}: {decision.text}, but {pcx.id} is {pcx.status}, not active",
                )
            other = pcx.other_side(a.vpc_id)
            if other is None or other.vpc_id != b.vpc_id:
                return path.add(
                    direction,
                    "vpc-peering",
                    pcx.id,
                    "deny",
                    f"{what}: {pcx.id} does not connect {a.vpc_id} to {b.vpc_id}",
                )
            path.add(direction, "route-table", table_id, "allow", f"{what}: {decision.text}")
            return path.add(
                direction, "vpc-peering", pcx.id, "pass", f"{pcx.id} (active) carries it from {a.vpc_id} to {b.vpc_id}"
            )
        return path.add(
            direction,
            "route-table",
            table_id,
            "deny",
            f"{what}: {decision.text}: {route.target.value} {route.target_id} is not followed to {b.id}",
        )


def reach(snapshot: Snapshot, source: str, destination: str, traffic: Traffic) -> ReachResult:
    """One-shot convenience: see `Reachability` to ask many questions of one snapshot."""
    return Reachability(snapshot).reach(source, destination, traffic)
