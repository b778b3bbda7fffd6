"""Application and Network Load Balancers as AWS decides (shared/facts/network.md section 8, cloudfront.md 1a).

Network side: a load balancer has one node per subnet. Its interfaces (`ELB app/<name>/<id>`,
`ELB net/<name>/<id>`, requester-managed) carry the load balancer's security groups; an NLB created
without groups has interfaces no security group filters. When the snapshot lacks the interfaces, each
node is modelled as a synthetic interface `elb-node:<name>:<subnet>` in its subnet with the load
balancer's groups, so the network engine (NACLs, routes, groups) decides its reachability exactly as
for any interface. A node accepts only what a listener listens to (protocol and port).

Public addresses: an internet-facing load balancer's nodes have public IPv4 addresses (not with
`dualstack-without-public-ipv4`) and, when dual-stack, IPv6 addresses the internet gateway carries
unless `ipv6.deny_all_igw_traffic` is true (its default for internal load balancers, which have no
public IPv4 at all).

Listener side (ALB): rules by priority, lowest first, then the default rule; the first rule whose
conditions all match decides. A request reaches the application only through a rule whose final
action forwards (authenticate actions run first, then the forward). `http-header` conditions compare
values case-insensitively, with `*` (any run of characters) and `?` (one character) as wildcards; the
values of one condition are ORed, the conditions of one rule ANDed. NLB listeners (TCP, TLS, UDP)
forward without reading HTTP, so they can check no header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Literal

from edgeward.algebra.addresses import ALL
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import Box, TrafficSpace
from edgeward.model.edge import (
    Distribution,
    EdgeEstate,
    Listener,
    ListenerRule,
    LoadBalancer,
    OriginHeader,
    RuleCondition,
    SecretText,
)
from edgeward.model.network import NetworkInterface
from edgeward.model.snapshot import Snapshot

SYNTHETIC_PREFIX = "elb-node:"


def edge_of(snapshot: Snapshot) -> EdgeEstate:
    """The snapshot's edge estate (an empty one when the snapshot has none)."""
    edge = snapshot.edge
    return edge if isinstance(edge, EdgeEstate) else EdgeEstate()


# -- ALB header values: case-insensitive, `*` and `?` wildcards --------------------------------
@lru_cache(maxsize=4096)
def _alb_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def alb_value_matches(pattern: str, value: str) -> bool:
    """Does an ALB condition value (`*`, `?` wildcards, any case) match this request value?"""
    return _alb_regex(pattern).fullmatch(value) is not None


def _regex_matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


HeaderCheck = Literal["checked", "weak", "mismatch", "absent"]


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """How one rule's header conditions judge the distribution's secret header."""

    status: HeaderCheck
    header: OriginHeader | None
    condition: RuleCondition | None
    reason: str
    other_values: tuple[SecretText, ...] = ()  # values the condition also admits (rotation)


def header_check(rule: ListenerRule, headers: tuple[OriginHeader, ...]) -> ConditionCheck:
    """Does this rule require a secret header that only the distribution's value passes?

    - `checked`: an http-header condition names one of the distribution's headers and every value
      pattern is a literal (no `*`/`?`), one of them equal to the secret (ignoring case).
    - `weak`: a pattern that matches the secret has a wildcard (or the secret itself contains `*` or
      `?`), so values other than the secret pass.
    - `mismatch`: the header is checked, but no pattern matches the distribution's value.
    - `absent`: no condition on any of the distribution's headers.
    """
    best: ConditionCheck | None = None
    rank = {"checked": 3, "weak": 2, "mismatch": 1, "absent": 0}
    for condition in rule.conditions:
        if condition.field != "http-header" or not condition.header_name:
            continue
        for header in headers:
            if header.name.lower() != condition.header_name.lower():
                continue
            found = _judge(condition, header)
            if best is None or rank[found.status] > rank[best.status]:
                best = found
    if best is None:
        if not headers:
            return ConditionCheck("absent", None, None, "the distribution sends no custom header to check")
        names = ", ".join(h.name for h in headers)
        return ConditionCheck("absent", None, None, f"{rule.label} has no http-header condition on {names}")
    return best


def _judge(condition: RuleCondition, header: OriginHeader) -> ConditionCheck:
    secret = header.value.reveal()
    matching = [p for p in condition.header_values if alb_value_matches(p.reveal(), secret)]
    others = tuple(p for p in condition.header_values if p not in matching)
    name = condition.header_name
    regexes = [r for r in condition.header_regexes if _regex_matches(r.reveal(), secret)]
    if regexes:
        return ConditionCheck(
            "weak",
            header,
            condition,
            f"http-header {name} is checked with a regular expression ({regexes[0].fingerprint}): edgeward cannot "
            "prove that only the secret matches it",
            others,
        )
    if not matching:
        prints = ", ".join(p.fingerprint for p in condition.header_values + condition.header_regexes)
        return ConditionCheck(
            "mismatch",
            header,
            condition,
            f"http-header {name} accepts [{prints}], none of which matches the value this distribution sends "
            f"({header.value.fingerprint})",
            others,
        )
    wild = [p for p in condition.header_values if has_wildcard(p.reveal())]
    if wild:
        if has_wildcard(secret):
            why = (
                f"the secret {header.value.fingerprint} contains '*' or '?', which the ALB reads as wildcards: "
                "other values pass the check"
            )
        else:
            why = (
                f"value pattern {wild[0].fingerprint} of http-header {name} contains a wildcard ('*' or '?'): "
                "values other than the secret pass"
            )
        return ConditionCheck("weak", header, condition, why, others)
    reason = f"requires http-header {name} = {header.value.fingerprint} (compared ignoring case)"
    return ConditionCheck("checked", header, condition, reason, others)


def is_universal(condition: RuleCondition) -> bool:
    """A condition every request satisfies (so a rule made of such conditions shadows all after it)."""
    if condition.field == "path-pattern":
        return any(v in ("*", "/*") for v in condition.values)
    if condition.field == "host-header":
        return "*" in condition.values
    if condition.field == "source-ip":
        return {"0.0.0.0/0", "::/0"} <= set(condition.values)
    return False


@dataclass(frozen=True, slots=True)
class ForwardPath:
    """A rule that forwards (or authenticates, then forwards), with how it checks the secret."""

    rule: ListenerRule
    check: ConditionCheck
    authenticated: bool

    def describe(self) -> str:
        conds = "; ".join(c.describe() for c in self.rule.conditions) or "any request"
        final = self.rule.final_action()
        action = final.describe() if final else "?"
        auth = " after authentication" if self.authenticated else ""
        return f"{self.rule.label} ({conds}) -> {action}{auth}"


@dataclass(frozen=True, slots=True)
class ListenerJudgement:
    """How one listener treats a request without the secret.

    `status`: `checked` (every forward path requires the secret), `unchecked` (some path forwards
    without it: `bypass_paths`), `no-forward` (nothing forwards), `unknown` (rules not in the snapshot).
    """

    listener: Listener
    status: str
    forward_paths: tuple[ForwardPath, ...]
    reason: str

    @property
    def bypass_paths(self) -> tuple[ForwardPath, ...]:
        return tuple(p for p in self.forward_paths if p.check.status != "checked")


def judge_listener(listener: Listener, headers: tuple[OriginHeader, ...]) -> ListenerJudgement:
    """Walk the listener's rules (priority order, then default) for requests lacking the secret."""
    if not listener.is_http:
        forwards = any(a.forwards for a in listener.default_actions)
        if not forwards:
            return ListenerJudgement(listener, "no-forward", (), f"{_label(listener)} does not forward")
        path = ForwardPath(
            listener.default_rule(),
            ConditionCheck("absent", None, None, f"a {listener.protocol} listener forwards without reading HTTP"),
            False,
        )
        return ListenerJudgement(
            listener,
            "unchecked",
            (path,),
            f"{_label(listener)} forwards {listener.protocol} connections without reading HTTP headers: "
            "it cannot check a secret header",
        )
    if listener.rules is None:
        return ListenerJudgement(
            listener,
            "unknown",
            (),
            f"the rules of {_label(listener)} are not in the snapshot (describe-rules for {listener.arn})",
        )
    paths: list[ForwardPath] = []
    for rule in listener.ordered_rules():
        final = rule.final_action()
        if final is not None and final.forwards:
            authenticated = any(a.type.startswith("authenticate") for a in rule.actions)
            paths.append(ForwardPath(rule, header_check(rule, headers), authenticated))
        if rule.conditions and all(is_universal(c) for c in rule.conditions):
            break  # every request stops here: later rules are never reached
    if not paths:
        return ListenerJudgement(listener, "no-forward", (), f"no rule of {_label(listener)} forwards")
    unchecked = [p for p in paths if p.check.status != "checked"]
    if unchecked:
        first = unchecked[0]
        if all(p.check.status == "mismatch" for p in unchecked):
            return ListenerJudgement(
                listener,
                "unchecked",
                tuple(paths),
                f"{_label(listener)}: {first.describe()} forwards only requests with another value "
                f"({first.check.reason})",
            )
        return ListenerJudgement(
            listener,
            "unchecked",
            tuple(paths),
            f"{_label(listener)}: {first.describe()} forwards without the secret check ({first.check.reason})",
        )
    return ListenerJudgement(
        listener,
        "checked",
        tuple(paths),
        f"{_label(listener)}: every rule that forwards {paths[0].check.reason}; the default action does not forward",
    )


def _label(listener: Listener) -> str:
    return f"listener {listener.protocol}:{listener.port}"


def other_distributions_passing(
    judgement: ListenerJudgement, distribution: Distribution, all_distributions: tuple[Distribution, ...]
) -> list[tuple[Distribution, str]]:
    """Other distributions of the snapshot whose origin headers satisfy a forward path's header conditions.

    Their viewers control everything else in the request, so only the header conditions stand in the way.
    """
    out: list[tuple[Distribution, str]] = []
    for other in all_distributions:
        if other.id == distribution.id:
            continue
        for origin in other.origins:
            if origin.headers and any(_passes(p.rule, origin.headers) for p in judgement.forward_paths):
                out.append((other, origin.id))
                break
    return out


def _passes(rule: ListenerRule, headers: tuple[OriginHeader, ...]) -> bool:
    """Would a request carrying these headers satisfy every http-header condition of the rule?"""
    for condition in rule.conditions:
        if condition.field != "http-header" or not condition.header_name:
            continue
        header = next((h for h in headers if h.name.lower() == condition.header_name.lower()), None)
        if header is None:
            return False
        if not any(alb_value_matches(p.reveal(), header.value.reveal()) for p in condition.header_values):
            return False
    return True


# -- network side: the nodes --------------------------------------------------------------------


class LoadBalancerSemantics:
    """Nodes, listeners and the interfaces that belong to each load balancer of a snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.edge = edge_of(snapshot)

    @cached_property
    def _nodes(self) -> dict[str, tuple[tuple[NetworkInterface, ...], bool]]:
        by_description: dict[str, list[NetworkInterface]] = {}
        for eni in self.snapshot.interfaces.values():
            if eni.description.startswith("ELB "):
                by_description.setdefault(eni.description[4:], []).append(eni)
        out: dict[str, tuple[tuple[NetworkInterface, ...], bool]] = {}
        for lb in self.edge.load_balancers:
            real = by_description.get(lb.key, [])
            if real:
                out[lb.arn] = (tuple(real), False)
            else:
                out[lb.arn] = (tuple(synthetic_node(lb, subnet) for subnet in lb.subnet_ids), True)
        return out

    @cached_property
    def _owner(self) -> dict[str, LoadBalancer]:
        out: dict[str, LoadBalancer] = {}
        for lb in self.edge.load_balancers:
            for eni in self._nodes[lb.arn][0]:
                out[eni.id] = lb
        return out

    def nodes(self, lb: LoadBalancer) -> tuple[NetworkInterface, ...]:
        """The load balancer's interfaces: the snapshot's own, else one synthetic node per subnet."""
        return self._nodes[lb.arn][0]

    def nodes_are_synthetic(self, lb: LoadBalancer) -> bool:
        return self._nodes[lb.arn][1]

    def internet_view(self, lb: LoadBalancer, eni: NetworkInterface) -> NetworkInterface:
        """The node as the internet sees it: no IPv6 when the load balancer drops IGW IPv6 traffic."""
        if eni.ipv6s and not ipv6_from_internet(lb):
            return replace(eni, ipv6s=())
        return eni

    def load_balancer_of(self, eni: NetworkInterface) -> LoadBalancer | None:
        return self._owner.get(eni.id)

    def listeners(self, lb: LoadBalancer) -> tuple[Listener, ...] | None:
        """Its listeners, or None when the snapshot has none for it (not collected)."""
        found = self.edge.listeners_by_lb.get(lb.arn)
        return found if found else None

    def listener_for(self, lb: LoadBalancer, protocol: int, port: int) -> Listener | None:
        for listener in self.listeners(lb) or ():
            if protocol in listener.ip_protocols and listener.port == port:
                return listener
        return None

    def accepted_space(self, eni: NetworkInterface) -> TrafficSpace:
        """What the interface accepts beyond its groups: a load balancer node only its listeners' traffic."""
        lb = self.load_balancer_of(eni)
        if lb is None:
            return TrafficSpace.everything()
        listeners = self.listeners(lb)
        if listeners is None:
            return TrafficSpace.everything()  # listeners not collected: do not guess
        return TrafficSpace(
            Box(IntervalSet.point(protocol), IntervalSet.point(listener.port), ALL)
            for listener in listeners
            for protocol in listener.ip_protocols
        )


def ipv6_from_internet(lb: LoadBalancer) -> bool:
    """Does the internet gateway carry IPv6 to this load balancer? (`ipv6.deny_all_igw_traffic`)"""
    if lb.ip_address_type not in ("dualstack", "dualstack-without-public-ipv4"):
        return False
    value = lb.attribute("ipv6.deny_all_igw_traffic")
    if value is None:
        return lb.internet_facing  # AWS default: true (deny) for internal, false for internet-facing
    return value.lower() != "true"


def synthetic_node(lb: LoadBalancer, subnet_id: str) -> NetworkInterface:
    """A stand-in interface for the load balancer's node in one subnet.

    Its addresses are placeholders in angle brackets (the IPv6 one holds a colon, as the engine tells
    families apart by it): they only mark which families the node has, and name it in traces.
    """
    public_v4 = lb.internet_facing and lb.ip_address_type != "dualstack-without-public-ipv4"
    kind = {"application": "load_balancer", "network": "network_load_balancer", "gateway": "gateway_load_balancer"}
    node = f"{lb.name} node in {subnet_id}"
    return NetworkInterface(
        id=f"{SYNTHETIC_PREFIX}{lb.name}:{subnet_id}",
        vpc_id=lb.vpc_id,
        subnet_id=subnet_id,
        account=lb.account,
        region=lb.region,
        private_ipv4s=(f"<private IPv4 of {node}>",),
        ipv6s=(f"<IPv6 address: {node}>",) if ipv6_from_internet(lb) else (),
        public_ipv4s=(f"<public IPv4 of {node}>",) if public_v4 else (),
        group_ids=lb.security_group_ids,
        interface_type=kind.get(lb.type, "load_balancer"),
        description=f"ELB {lb.key} (node in {subnet_id}; its interface is not in the snapshot)",
        requester_managed=True,
    )
