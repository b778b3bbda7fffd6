"""`origins`: for every origin of every CloudFront distribution, can it be reached only through CloudFront?

One `OriginVerdict` per origin (shared/facts/cloudfront.md; DESIGN.md):

- `only-via-cloudfront`: a request that does not come from this distribution gets no response from
  the origin: it checks a secret only this distribution sends (the origin header at every listener
  rule that forwards, the default action not forwarding; or a WAF web ACL on the load balancer that
  blocks requests without it; or OAC with `AWS:SourceArn` naming this distribution), or nothing but
  CloudFront reaches it at all (a VPC origin in private subnets).
- `other-distributions-can-reach`: only CloudFront's addresses reach it (the origin-facing prefix
  list), or the secret is not this distribution's alone, so another distribution (of any account,
  for the prefix list and OAC without `AWS:SourceArn`) can be pointed at it.
- `bypassable`: an internet source outside CloudFront gets through to the application: the network
  path (from the network core's trace) and the listener rule, or the policy statement.
- `unknown`: the snapshot cannot tell, and the reason says what is missing.

Load balancers: every listener counts, not only the ports CloudFront uses: a bypasser connects to
any listener the network lets it reach. A listener reached by no internet source is not a path.
Target health checks go from the load balancer to its targets inside the VPC and are no path from
the internet; but a listener rule that forwards `/health` (or any path) without the header check is
a path to the application like any other, and makes the origin bypassable.

Secrets never appear: only their fingerprints (`sha256:` and 8 hex digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from edgeward.algebra.addresses import NONE, Addresses
from edgeward.algebra.traffic import TCP, TrafficSpace
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Endpoint, EndpointKind, Hop, Traffic, describe_internet_sources
from edgeward.analysis.reach import V4_ONLY, V6_ONLY, Reachability, representative
from edgeward.analysis.unknowns import interface_dependencies, unknowns_for
from edgeward.errors import InputError
from edgeward.iam.policy import Policy
from edgeward.model.edge import (
    Distribution,
    EdgeEstate,
    LambdaFunctionUrl,
    Listener,
    LoadBalancer,
    Origin,
    VpcOrigin,
    WebAcl,
)
from edgeward.model.network import NetworkInterface
from edgeward.model.snapshot import Snapshot
from edgeward.semantics.cloudfront import (
    OriginFacing,
    Resolution,
    origin_dependencies,
    origin_facing,
    resolve_origin,
)
from edgeward.semantics.load_balancers import (
    ListenerJudgement,
    edge_of,
    judge_listener,
    other_distributions_passing,
)
from edgeward.semantics.origin_policies import (
    PROBE_ACCOUNT,
    Probe,
    ProbeResult,
    anonymous_probe,
    ask,
    oai_probe,
    other_account_probe,
    parse_resource_policy,
    resource_patterns,
    service_probe,
    source_ip_networks,
)
from edgeward.semantics.security_groups import describe_rule
from edgeward.semantics.waf import WafJudge, evaluate, secret_statement

ONLY = "only-via-cloudfront"
OTHERS = "other-distributions-can-reach"
BYPASS = "bypassable"
UNKNOWN = "unknown"
VERDICTS = (ONLY, OTHERS, BYPASS, UNKNOWN)
SEVERITY = {BYPASS: 3, UNKNOWN: 2, OTHERS: 1, ONLY: 0}
PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
IPV6_PREFIX_LIST = "com.amazonaws.global.ipv6.cloudfront.origin-facing"
NEW_SECRET = "<a new random secret: 32+ characters of [A-Za-z0-9] only>"
PROBE_DISTRIBUTION = "EDGEWARDPROBE"


@dataclass(frozen=True, slots=True)
class Fix:
    """The smallest change that makes the origin reachable only through this distribution."""

    text: str
    changes: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "changes": [dict(c) for c in self.changes]}


@dataclass(frozen=True, slots=True)
class OriginVerdict:
    distribution: Distribution
    origin: Origin
    verdict: str
    summary: str
    resolved: str
    evidence: tuple[str, ...]
    fix: Fix | None
    notes: tuple[str, ...] = ()
    trace: tuple[Hop, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution.label,
            "distribution_id": self.distribution.id,
            "distribution_arn": self.distribution.arn,
            "origin": self.origin.id,
            "domain": self.origin.domain,
            "resolved_to": self.resolved,
            "verdict": self.verdict,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "fix": self.fix.to_json() if self.fix else None,
            "trace": [h.to_json() for h in self.trace],
            "notes": list(self.notes),
        }


@dataclass
class _Case:
    """What one origin's analysis gathers before the verdict."""

    verdict: str = ONLY
    summary: str = ""
    evidence: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fix_text: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    trace: tuple[Hop, ...] = ()

    def worsen(self, verdict: str, summary: str) -> None:
        """Keep the worst verdict (bypassable > unknown > other-distributions-can-reach > only-via)."""
        if SEVERITY[verdict] > SEVERITY[self.verdict] or not self.summary:
            self.verdict, self.summary = verdict, summary

    def fix(self, text: str, *changes: dict[str, Any]) -> None:
        if text not in self.fix_text:
            self.fix_text.append(text)
        for change in changes:
            if change not in self.changes:
                self.changes.append(change)


@dataclass(frozen=True, slots=True)
class _Reach:
    """Internet sources that get a reply from a listener (or port), split at CloudFront's addresses."""

    protocol: int
    port: int
    outside: Addresses
    cloudfront: Addresses
    node: NetworkInterface | None  # a node the outside sources reach (for the trace)
    cf_node: NetworkInterface | None = None  # a node CloudFront's addresses reach


class OriginAnalysis:
    """Verdicts for the origins of one snapshot; create once."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.edge: EdgeEstate = edge_of(snapshot)
        self.reach = Reachability(snapshot)
        self.exposure = Exposure(snapshot, self.reach)
        self.lbs = self.reach.sem.load_balancers
        self.cf: OriginFacing = origin_facing(snapshot, self.edge)
        self._spaces: dict[str, TrafficSpace] = {}

    # -- public -----------------------------------------------------------------------------
    def all(self) -> list[OriginVerdict]:
        return [self.of_origin(d, o) for d in self.edge.distributions for o in d.origins]

    def of_origin(self, dist: Distribution, origin: Origin) -> OriginVerdict:
        case = _Case()
        res = resolve_origin(self.snapshot, self.edge, origin)
        case.evidence.extend(res.via)
        pending = unknowns_for(self.snapshot, origin_dependencies(self.edge, dist.id, origin, res))
        if pending:  # a Terraform plan or template leaves values it depends on unknown
            case.worsen(UNKNOWN, "depends on values not known until the change is applied")
            case.evidence.extend(u.describe() for u in pending)
        if not dist.enabled:
            case.notes.append(f"distribution {dist.id} is disabled")
        if res.kind == "unknown":
            case.worsen(UNKNOWN, f"cannot tell: {res.missing}")
            case.fix(f"add what is missing to the snapshot: {res.missing}")
        elif res.kind == "load-balancer" and res.load_balancer is not None:
            self._load_balancer(case, dist, origin, res.load_balancer, res.vpc_origin)
        elif res.kind == "interface" and res.interface is not None:
            self._instance(case, dist, origin, res.interface, res.vpc_origin)
        elif res.kind in ("s3-rest", "s3-website"):
            self._bucket(case, dist, origin, res)
        elif res.kind == "lambda-url" and res.function_url is not None:
            self._function_url(case, dist, origin, res.function_url)
        if case.verdict in (BYPASS, OTHERS) and dist.web_acl_id:
            case.notes.append(
                f"the distribution's web ACL ({dist.web_acl_id}) inspects requests to CloudFront only; requests "
                "sent to the origin directly never meet it"
            )
        fix = Fix("; ".join(case.fix_text), tuple(case.changes)) if case.fix_text or case.changes else None
        if case.verdict == ONLY and not case.changes:
            fix = None
        return OriginVerdict(
            dist,
            origin,
            case.verdict,
            case.summary,
            res.describe(),
            tuple(case.evidence),
            fix,
            tuple(case.notes),
            case.trace,
        )

    # -- network ----------------------------------------------------------------------------
    def _space(self, eni: NetworkInterface) -> TrafficSpace:
        if eni.id not in self._spaces:
            self._spaces[eni.id] = self.exposure.interface_space(eni)
        return self._spaces[eni.id]

    def _reach_port(self, nodes: Iterable[NetworkInterface], protocol: int, port: int) -> _Reach:
        outside = NONE
        cloudfront = NONE
        reached: NetworkInterface | None = None
        cf_reached: NetworkInterface | None = None
        for node in nodes:
            peers = self._space(node).peers_for(protocol, port)
            out = peers - self.cf.addresses
            if out and reached is None:
                reached = node
            if peers.overlaps(self.cf.addresses) and cf_reached is None:
                cf_reached = node
            outside = outside | out
            cloudfront = cloudfront | (peers & self.cf.addresses)
        return _Reach(protocol, port, outside, cloudfront, reached, cf_reached)

    def _trace(self, case: _Case, node: NetworkInterface, sources: Addresses, protocol: int, port: int) -> None:
        """Explain one representative packet from outside CloudFront with the network core's trace."""
        client = representative(sources)
        if client is None or case.trace:
            return
        src = Endpoint(EndpointKind.INTERNET_HOST, client, address=client)
        dst = Endpoint(EndpointKind.INTERFACE, node.id, node)
        result = self.reach.reach_endpoints(src, dst, Traffic(protocol, port=port))
        case.trace = result.hops
        for hop in result.hops:
            if hop.direction == "forward" and hop.decision in ("allow", "pass"):
                case.evidence.append(f"path from {client}: {hop.component} {hop.resource}: {hop.text}")

    def _open_rules(self, node: NetworkInterface, reach: _Reach) -> list[dict[str, Any]]:
        """The security group rules that admit sources outside CloudFront on this port, as removals."""
        out: list[dict[str, Any]] = []
        for group in self.snapshot.groups_of(node):
            for rule in group.ingress:
                peers = self.reach.sem.groups.rule_space(rule).peers_for(reach.protocol, reach.port)
                if peers.overlaps(reach.outside):
                    out.append(
                        {
                            "resource": group.id,
                            "kind": "security-group-rule",
                            "action": "remove",
                            "rule": describe_rule(rule),
                            "position": rule.position or rule.rule_id or "",
                        }
                    )
        return out

    def _admits_origin_facing(self, node: NetworkInterface, reach: _Reach) -> bool:
        """Does a group of the node already admit the CloudFront origin-facing list on this port?"""
        for group in self.snapshot.groups_of(node):
            for rule in group.ingress:
                listed = self.snapshot.prefix_lists.get(rule.prefix_list_id or "")
                if listed is None or listed.name not in (PREFIX_LIST, IPV6_PREFIX_LIST):
                    continue
                if self.reach.sem.groups.rule_space(rule).peers_for(reach.protocol, reach.port):
                    return True
        return False

    def _network_unknowns(self, case: _Case, nodes: Iterable[NetworkInterface]) -> bool:
        ids: set[str] = set()
        for node in nodes:
            ids |= interface_dependencies(self.snapshot, node)
        unknowns = unknowns_for(self.snapshot, ids)
        if unknowns:
            case.worsen(UNKNOWN, "depends on values not known until the change is applied")
            case.evidence.extend(u.describe() for u in unknowns)
            return True
        return False

    def _who(self, outside: Addresses) -> str:
        """Sources outside CloudFront, read as a person would: `any IPv4 internet address`, or the CIDRs."""
        families = Addresses(
            V4_ONLY.v4 if outside.v4 else NONE.v4, V6_ONLY.v6 if outside.v6 else NONE.v6
        )  # CloudFront's own addresses, in the families the outside sources use
        full = outside | (self.cf.addresses & self.snapshot.internet_addresses & families)
        text = describe_internet_sources(self.snapshot, full)
        if text.startswith("any "):
            return text
        return describe_internet_sources(self.snapshot, outside)

    def _cf_note(self, case: _Case) -> None:
        if self.cf.dated_copy and self.cf.text not in case.notes:
            case.notes.append(self.cf.text)

    # -- load balancers ---------------------------------------------------------------------
    def _load_balancer(
        self, case: _Case, dist: Distribution, origin: Origin, lb: LoadBalancer, vpc_origin: VpcOrigin | None
    ) -> None:
        listeners = self.lbs.listeners(lb)
        if listeners is None:
            case.worsen(UNKNOWN, f"the listeners of {lb.name} are not in the snapshot (elbv2 describe-listeners)")
            case.fix(f"add the listeners of {lb.name} (and their rules) to the snapshot")
            return
        nodes = [self.lbs.internet_view(lb, n) for n in self.lbs.nodes(lb)]
        if self.lbs.nodes_are_synthetic(lb):
            case.notes.append(
                f"the snapshot has no interfaces of {lb.name}; its nodes are modelled in its subnets "
                f"{', '.join(lb.subnet_ids)} with its security groups ({', '.join(lb.security_group_ids) or 'none'})"
            )
        if self._network_unknowns(case, nodes):
            return
        reached: list[tuple[Listener, _Reach]] = []
        for listener in listeners:
            for protocol in listener.ip_protocols:
                r = self._reach_port(nodes, protocol, listener.port)
                if r.outside or r.cloudfront:
                    reached.append((listener, r))
                else:
                    case.evidence.append(
                        f"listener {listener.protocol}:{listener.port} of {lb.name}: no internet source reaches it"
                    )
        if not reached:
            self._private(case, dist, lb.name, vpc_origin, f"{lb.name} ({lb.scheme})")
            return
        self._cf_note(case)
        acl = self._web_acl(lb)
        for listener, r in reached:
            self._listener(case, dist, origin, lb, listener, r, acl)
        if not case.summary:
            case.worsen(
                ONLY, f"no listener of {lb.name} that the internet reaches forwards requests to the application"
            )

    def _web_acl(self, lb: LoadBalancer) -> WebAcl | None:
        for arn in self.edge.web_acls_of_resource.get(lb.arn, ()):
            acl = self.edge.web_acl_by_arn.get(arn)
            if acl is not None and acl.scope == "REGIONAL":
                return acl
        return None

    def _listener(
        self,
        case: _Case,
        dist: Distribution,
        origin: Origin,
        lb: LoadBalancer,
        listener: Listener,
        r: _Reach,
        acl: WebAcl | None,
    ) -> None:
        label = f"listener {listener.protocol}:{listener.port} of {lb.name}"
        if r.outside:
            who = self._who(r.outside)
            case.evidence.append(f"{label}: internet sources outside CloudFront reach it: {who}")
        else:
            case.evidence.append(
                f"{label}: only CloudFront's origin-facing addresses reach it ({r.cloudfront.describe(4)})"
            )
        judgement = judge_listener(listener, origin.headers)
        case.evidence.append(judgement.reason)
        waf = self._waf(case, dist, origin, lb, listener, r, acl) if listener.is_http else None
        mtls = listener.mtls_mode == "verify" and origin.mtls_certificate_arn is not None
        if mtls:
            case.evidence.append(
                f"{label} requires a client certificate (mutual TLS, verify) and the origin presents "
                f"{origin.mtls_certificate_arn}; edgeward assumes the trust store admits no other client"
            )
        if waf == "checked" or judgement.status in ("checked", "no-forward") or mtls:
            self._checked(case, dist, lb, listener, r, judgement, waf, acl)
            return
        if judgement.status == "unknown" or waf == "unknown":
            case.worsen(UNKNOWN, f"{label}: cannot tell whether requests without the secret reach the application")
            if judgement.status == "unknown":
                case.fix(
                    f"add the rules of {label} to the snapshot (elbv2 describe-rules --listener-arn {listener.arn})"
                )
            if waf == "unknown" and acl is not None:
                case.fix(
                    f"check the secret where edgeward can prove it: a listener rule, or a web ACL rule outside rule "
                    f"groups (the rules of the rule groups of {acl.name} are not in the snapshot)"
                )
            return
        mismatched = [p for p in judgement.bypass_paths if p.check.status == "mismatch"]
        open_paths = [p for p in judgement.bypass_paths if p.check.status != "mismatch"]
        if waf == "mismatch" or (mismatched and not open_paths):
            reason = mismatched[0].check.reason if mismatched else f"web ACL {acl.name if acl else '?'} blocks it"
            others = other_distributions_passing(judgement, dist, self.edge.distributions)
            if acl is not None:
                others += [o for o in self._waf_others(dist, origin, acl) if o not in others]
            self._mismatch(case, dist, origin, label, reason, others)
            return
        if r.outside and r.node is not None:
            self._trace(case, r.node, r.outside, r.protocol, r.port)
            first = open_paths[0] if open_paths else None
            if not listener.is_http:
                tail = f"it forwards {listener.protocol} connections without reading HTTP"
            else:
                tail = f"{first.describe() if first else 'it'} forwards requests without the secret header"
            case.worsen(BYPASS, f"{self._who(r.outside)} can reach {label}, and {tail}")
        else:
            if r.cf_node is not None:
                self._trace(case, r.cf_node, r.cloudfront, r.protocol, r.port)
            case.worsen(
                OTHERS,
                f"only CloudFront's addresses reach {label}, but nothing checks that a request comes from this "
                "distribution: any distribution of any AWS account can be pointed at it",
            )
        self._header_fix(case, dist, origin, lb, listener, judgement, acl)
        if r.outside and r.node is not None and not lb.security_group_ids and lb.type == "network":
            case.fix(
                f"{lb.name} was created without security groups and cannot be given one: recreate it with a group "
                f"admitting only the CloudFront origin-facing prefix list ({PREFIX_LIST}), or make it internal "
                "behind a CloudFront VPC origin"
            )
        elif r.outside and r.node is not None:
            changes = self._open_rules(r.node, r)
            if not self._admits_origin_facing(r.node, r):
                changes.append(
                    {
                        "resource": lb.security_group_ids[0] if lb.security_group_ids else lb.name,
                        "kind": "security-group-rule",
                        "action": "add",
                        "rule": f"tcp port {listener.port} from prefix list {PREFIX_LIST}",
                    }
                )
            case.fix(
                f"also (defence in depth) admit only the CloudFront origin-facing prefix list ({PREFIX_LIST}, "
                f"weight 55 in the security group quota) on port {listener.port} instead of the rules open to others",
                *changes,
            )

    def _checked(
        self,
        case: _Case,
        dist: Distribution,
        lb: LoadBalancer,
        listener: Listener,
        r: _Reach,
        judgement: ListenerJudgement,
        waf: str | None,
        acl: WebAcl | None,
    ) -> None:
        label = f"listener {listener.protocol}:{listener.port} of {lb.name}"
        others: list[tuple[Distribution, str]] = []
        if judgement.status == "checked":
            others = other_distributions_passing(judgement, dist, self.edge.distributions)
        origin = next((o for o in dist.origins if o.headers), None)
        if waf == "checked" and acl is not None and origin is not None:
            others += [o for o in self._waf_others(dist, origin, acl) if o not in others]
        if r.outside:
            case.evidence.append(
                f"{label} is still reachable from the internet at the network level; requests without the secret are "
                "refused by the check"
            )
            if r.node is not None:
                self._trace(case, r.node, r.outside, r.protocol, r.port)
        if others:
            names = ", ".join(f"{d.label} (origin {oid})" for d, oid in others)
            self._others_evidence(case, next((o for o in dist.origins if o.headers), None), others)
            case.worsen(OTHERS, f"{label} accepts the header value other distributions send too: {names}")
            self._rotate_fix(case, lb.name, others)
            return
        if judgement.status == "no-forward" and waf != "checked":
            return  # nothing reaches the application through this listener
        case.worsen(ONLY, f"{lb.name} answers only requests carrying the secret only {dist.label} sends")

    @staticmethod
    def _others_evidence(case: _Case, origin: Origin | None, others: list[tuple[Distribution, str]]) -> None:
        names = {h.name.lower() for h in origin.headers} if origin is not None else set()
        for other, oid in others:
            theirs = next((o for o in other.origins if o.id == oid), None)
            for header in theirs.headers if theirs else ():
                if not names or header.name.lower() in names:
                    case.evidence.append(
                        f"distribution {other.label} (origin {oid}) sends {header.name} = {header.value.fingerprint}, "
                        "which the check accepts"
                    )

    @staticmethod
    def _rotate_fix(case: _Case, where: str, others: list[tuple[Distribution, str]]) -> None:
        for other, oid in others:
            case.fix(
                f"give distribution {other.label} its own secret (or stop sending this one to {where})",
                {"resource": other.id, "kind": "origin-custom-header", "action": "set", "origin": oid,
                 "value": NEW_SECRET},
            )  # fmt: skip

    def _mismatch(
        self,
        case: _Case,
        dist: Distribution,
        origin: Origin,
        label: str,
        reason: str,
        others: list[tuple[Distribution, str]],
    ) -> None:
        if not any(reason in e for e in case.evidence):
            case.evidence.append(reason)
        self._others_evidence(case, origin, others)
        if others:
            names = ", ".join(f"{d.label} (origin {oid})" for d, oid in others)
            case.worsen(
                OTHERS,
                f"{label} checks a header value this distribution does not send, but other distributions send it: "
                f"{names}",
            )
        else:
            case.worsen(
                UNKNOWN,
                f"{label} checks a header value this distribution does not send: its requests are refused, and who "
                "holds the value checked is not in the snapshot",
            )
        header = origin.headers[0] if origin.headers else None
        case.fix(
            "make the value checked at the origin and the value the distribution sends agree",
            {
                "resource": dist.id,
                "kind": "origin-custom-header",
                "action": "set",
                "origin": origin.id,
                "header": header.name if header else "X-Origin-Verify",
                "value": "<the value the origin checks>",
            },
        )

    def _waf(
        self,
        case: _Case,
        dist: Distribution,
        origin: Origin,
        lb: LoadBalancer,
        listener: Listener,
        r: _Reach,
        acl: WebAcl | None,
    ) -> str:
        """`checked` (blocks requests without the secret), `open`, `unknown`, or `none` (no web ACL)."""
        if acl is None:
            loose = [a for a in self.edge.web_acls if a.scope == "REGIONAL" and self._mentions_secret(a, origin)]
            for candidate in loose:
                case.evidence.append(
                    f"web ACL {candidate.name} checks the secret header but is not associated with {lb.name}: "
                    "it inspects nothing"
                )
            return "none"
        senders = r.outside if r.outside else r.cloudfront
        outcome = evaluate(acl, WafJudge(self.edge, origin.headers, (), senders))
        case.evidence.append(f"web ACL {acl.name} on {lb.name}, a request without the secret: {outcome.reason}")
        case.evidence.extend(f"web ACL {acl.name}: {t}" for t in outcome.trail)
        own = evaluate(acl, WafJudge(self.edge, origin.headers, origin.headers, self.cf.addresses))
        if own.result == "blocked":
            case.evidence.append(f"web ACL {acl.name} blocks this distribution's requests too: {own.reason}")
        elif outcome.result == "blocked":
            case.evidence.append(f"web ACL {acl.name}, a request from this distribution: {own.reason}")
        if outcome.result == "blocked":
            return "checked" if own.result != "blocked" else "mismatch"
        if outcome.result == "maybe":
            return "unknown"
        return "open"

    def _waf_others(self, dist: Distribution, origin: Origin, acl: WebAcl) -> list[tuple[Distribution, str]]:
        """Other distributions of the snapshot whose origin headers get their requests through the web ACL."""
        out: list[tuple[Distribution, str]] = []
        for other in self.edge.distributions:
            if other.id == dist.id:
                continue
            for o in other.origins:
                judge = WafJudge(self.edge, origin.headers, o.headers, self.cf.addresses)
                if o.headers and evaluate(acl, judge).result != "blocked":
                    out.append((other, o.id))
                    break
        return out

    @staticmethod
    def _mentions_secret(acl: WebAcl, origin: Origin) -> bool:
        """Does a byte match of the web ACL look for this distribution's secret (or a part of it)?"""
        stack = [r.statement for r in acl.rules]
        while stack:
            statement = stack.pop()
            found = secret_statement(statement, origin.headers)
            if found is not None and found[0] in ("secret", "partial"):
                return True
            stack.extend(statement.children)
        return False

    def _header_fix(
        self,
        case: _Case,
        dist: Distribution,
        origin: Origin,
        lb: LoadBalancer,
        listener: Listener,
        judgement: ListenerJudgement,
        acl: WebAcl | None,
    ) -> None:
        header = origin.headers[0] if origin.headers else None
        name = header.name if header else "X-Origin-Verify"
        value = f"<the value of {name} that {dist.label} sends: {header.value.fingerprint}>" if header else NEW_SECRET
        if header is None and listener.is_http:
            case.fix(
                f"add a secret custom header {name} to origin {origin.id} of {dist.label}",
                {
                    "resource": dist.id,
                    "kind": "origin-custom-header",
                    "action": "add",
                    "origin": origin.id,
                    "header": name,
                    "value": NEW_SECRET,
                },
            )
        if not listener.is_http:
            case.fix(
                f"a {listener.protocol} listener cannot check a header: make {lb.name} internal behind a CloudFront "
                "VPC origin, or check the header in the application (edgeward.guard)",
                {
                    "resource": dist.id,
                    "kind": "vpc-origin",
                    "action": "use",
                    "origin": origin.id,
                    "endpoint": lb.arn,
                },
            )
            return
        if acl is not None and self._mentions_secret(acl, origin):
            self._waf_fix(case, acl, origin, lb)
            return
        if acl is None and self._unassociated_fix(case, origin, lb):
            return
        condition = {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": name, "Values": [value]}}
        for path in judgement.bypass_paths:
            if path.rule.is_default:
                final = path.rule.final_action()
                case.fix(
                    f"on listener {listener.protocol}:{listener.port} of {lb.name}, forward only requests with the "
                    f"secret header {name} and answer every other request 403",
                    {
                        "resource": listener.arn,
                        "kind": "listener-rule",
                        "action": "add",
                        "priority": 1,
                        "Conditions": [condition],
                        "Actions": [
                            {"Type": "forward", "TargetGroupArns": list(final.target_group_arns if final else ())}
                        ],
                    },
                    {
                        "resource": listener.arn,
                        "kind": "listener-default-action",
                        "action": "set",
                        "DefaultActions": [
                            {
                                "Type": "fixed-response",
                                "FixedResponseConfig": {
                                    "StatusCode": "403",
                                    "ContentType": "text/plain",
                                    "MessageBody": "Access denied",
                                },
                            }
                        ],
                    },
                )
            elif path.check.status == "weak":
                case.fix(
                    f"check {name} with the exact secret (no '*' or '?'; a secret of [A-Za-z0-9] only, since the "
                    f"ALB ignores case and reads '*' and '?' as wildcards) in {path.rule.label}",
                    {
                        "resource": path.rule.arn,
                        "kind": "listener-rule-condition",
                        "action": "replace",
                        "condition": condition,
                    },
                )
            else:
                case.fix(
                    f"add the condition {name} = the secret to {path.rule.label} of listener "
                    f"{listener.protocol}:{listener.port}",
                    {
                        "resource": path.rule.arn,
                        "kind": "listener-rule-condition",
                        "action": "add",
                        "condition": condition,
                    },
                )

    def _waf_fix(self, case: _Case, acl: WebAcl, origin: Origin, lb: LoadBalancer) -> None:
        names = {h.name.lower() for h in origin.headers}
        for rule in acl.ordered():
            statement = rule.statement
            mentions = statement.kind == "byte-match" and statement.header in names
            negated = statement.kind == "not" and any(
                c.kind == "byte-match" and c.header in names for c in statement.children
            )
            if (mentions or negated) and rule.action == "count":
                to = "allow" if mentions else "block"
                case.fix(
                    f"switch rule {rule.name} of web ACL {acl.name} from Count to {to.capitalize()}",
                    {"resource": acl.arn, "kind": "waf-rule", "action": "set-action", "rule": rule.name, "to": to},
                )
                if mentions and acl.default_action == "allow":
                    case.fix(
                        f"set the default action of web ACL {acl.name} to Block",
                        {"resource": acl.arn, "kind": "waf-default-action", "action": "set", "to": "block"},
                    )
                return
            if mentions and rule.action == "allow" and acl.default_action == "allow":
                case.fix(
                    f"set the default action of web ACL {acl.name} to Block (rule {rule.name} allows requests with the "
                    "secret; every other request must be blocked)",
                    {"resource": acl.arn, "kind": "waf-default-action", "action": "set", "to": "block"},
                )
                return
        case.fix(
            f"make web ACL {acl.name} block every request without the secret header before any rule allows it",
            {"resource": acl.arn, "kind": "waf-rule", "action": "review"},
        )

    def _unassociated_fix(self, case: _Case, origin: Origin, lb: LoadBalancer) -> bool:
        for acl in self.edge.web_acls:
            if acl.scope == "REGIONAL" and self._mentions_secret(acl, origin):
                case.fix(
                    f"associate web ACL {acl.name} with {lb.name}",
                    {"resource": acl.arn, "kind": "waf-association", "action": "add", "resource_arn": lb.arn},
                )
                return True
        return False

    # -- private resources (VPC origins) ----------------------------------------------------------
    def _private(self, case: _Case, dist: Distribution, name: str, vpc_origin: VpcOrigin | None, what: str) -> None:
        if vpc_origin is None:
            case.worsen(
                ONLY,
                f"no internet source reaches {what}: not even CloudFront can, so the distribution's requests fail "
                "unless it uses a VPC origin",
            )
            case.notes.append(f"{what} is not reachable from the internet, and origin is not a VPC origin")
            return
        case.evidence.append(f"CloudFront reaches {what} privately through VPC origin {vpc_origin.id}")
        sharing = [
            d
            for d in self.edge.distributions
            if d.id != dist.id
            and any(
                o.vpc_origin_id == vpc_origin.id
                or (
                    o.vpc_origin_id
                    and (v := self.edge.vpc_origin_by_id.get(o.vpc_origin_id)) is not None
                    and v.endpoint_arn == vpc_origin.endpoint_arn
                )
                for o in d.origins
            )
        ]
        if sharing:
            names = ", ".join(d.label for d in sharing)
            case.worsen(OTHERS, f"{name} is private, but other distributions reach it through a VPC origin: {names}")
            case.fix(
                f"check a secret header per distribution at {name} (listener rule or edgeward.guard), or stop sharing "
                "the VPC origin"
            )
            return
        case.worsen(
            ONLY, f"no internet source reaches {what}; only CloudFront reaches it, through VPC origin {vpc_origin.id}"
        )
        case.notes.append(
            "a VPC origin admits the distributions of its account (and accounts it is shared with); none other in "
            "the snapshot uses it"
        )

    # -- EC2 instances ----------------------------------------------------------------------
    def _instance(
        self, case: _Case, dist: Distribution, origin: Origin, eni: NetworkInterface, vpc_origin: VpcOrigin | None
    ) -> None:
        if self._network_unknowns(case, [eni]):
            return
        label = self.snapshot.describe_interface(eni)
        ports = self._cloudfront_ports(origin, vpc_origin)
        reached = [r for r in (self._reach_port([eni], TCP, port) for _, port in ports) if r.outside or r.cloudfront]
        if reached:
            self._cf_note(case)
        else:
            case.evidence.append(
                f"{label}: no internet source reaches tcp port(s) {', '.join(str(p) for _, p in ports)}"
            )
            self._private(case, dist, eni.id, vpc_origin, label)
            return
        for r in reached:
            if r.outside:
                who = self._who(r.outside)
                case.evidence.append(f"{label}: {who} can reach tcp port {r.port}")
                self._trace(case, eni, r.outside, TCP, r.port)
                case.worsen(BYPASS, f"{who} can reach {label} on tcp port {r.port} directly")
                case.fix(
                    f"admit only the CloudFront origin-facing prefix list ({PREFIX_LIST}) on port {r.port}, then check "
                    "the secret header in the application (edgeward.guard), or move the instance to a private subnet "
                    "behind a CloudFront VPC origin",
                    *self._open_rules(eni, r),
                    *(
                        []
                        if self._admits_origin_facing(eni, r)
                        else [
                            {
                                "resource": eni.group_ids[0] if eni.group_ids else eni.id,
                                "kind": "security-group-rule",
                                "action": "add",
                                "rule": f"tcp port {r.port} from prefix list {PREFIX_LIST}",
                            }
                        ]
                    ),
                )
            else:
                case.evidence.append(
                    f"{label}: only CloudFront's origin-facing addresses reach tcp port {r.port} "
                    f"({r.cloudfront.describe(4)})"
                )
                case.worsen(
                    OTHERS,
                    f"only CloudFront's addresses reach {label}, but nothing in the snapshot checks that a request "
                    "comes from this distribution",
                )
                case.fix(
                    "check the secret header in the application (edgeward.guard; not visible in the snapshot), or "
                    "move the instance to a private subnet behind a CloudFront VPC origin"
                )
                for header in origin.headers:
                    case.notes.append(
                        f"the distribution sends {header.name} = {header.value.fingerprint}; an application that "
                        "checks it would make this origin reachable only through CloudFront, but no snapshot shows it"
                    )

    @staticmethod
    def _cloudfront_ports(origin: Origin, vpc_origin: VpcOrigin | None) -> tuple[tuple[str, int], ...]:
        if vpc_origin is not None:
            return Origin(
                origin.id,
                origin.domain,
                protocol_policy=vpc_origin.protocol_policy,
                http_port=vpc_origin.http_port,
                https_port=vpc_origin.https_port,
            ).ports()
        return origin.ports()

    # -- S3 ----------------------------------------------------------------------------------------
    def _policy(self, case: _Case, text: str | None, name: str, file: str | None) -> tuple[bool, Policy | None]:
        if text is None:
            return True, None
        try:
            return True, parse_resource_policy(text, name, file)
        except InputError as exc:
            case.worsen(UNKNOWN, f"the {name} cannot be read: {exc.detail}")
            return False, None

    def _outside_addresses(self, policy: Policy | None) -> list[str]:
        """Addresses outside CloudFront to ask from: a typical one, and one inside each range the policy names."""
        outside = self.snapshot.internet_addresses - self.cf.addresses
        out: list[str] = []
        first = representative(outside)
        if first:
            out.append(first)
        for net in source_ip_networks(policy):
            address = str(net.network_address + (1 if net.num_addresses > 2 else 0))
            if not self.cf.addresses.contains(address) and address not in out:
                out.append(address)
            if len(out) > 8:
                break
        return out

    def _cloudfront_address(self, policy: Policy | None) -> str:
        for net in source_ip_networks(policy):
            address = str(net.network_address + (1 if net.num_addresses > 2 else 0))
            if self.cf.addresses.contains(address):
                return address
        return representative(self.cf.addresses) or "130.176.0.1"

    def _bucket(self, case: _Case, dist: Distribution, origin: Origin, res: Resolution) -> None:
        name = res.bucket_name or "?"
        bucket = res.bucket
        if bucket is None:
            case.worsen(UNKNOWN, f"bucket {name} is not in the snapshot (its policy and Block Public Access decide)")
            case.fix(f"add bucket {name} (s3api get-bucket-policy, get-public-access-block) to the snapshot")
            return
        if not bucket.policy_known:
            case.worsen(UNKNOWN, f"the policy of bucket {name} is not in the snapshot (s3api get-bucket-policy)")
            case.fix(f"add the policy of bucket {name} to the snapshot")
            return
        ok, policy = self._policy(case, bucket.policy, f"bucket policy of {name}", bucket.source.file or None)
        if not ok:
            return
        website = res.kind == "s3-website"
        account_pab = self.edge.account_public_access_block(bucket.account)
        restrict = any(p is not None and p.restrict_public_buckets for p in (bucket.public_access_block, account_pab))
        if restrict:
            case.evidence.append(
                f"Block Public Access (RestrictPublicBuckets) is on for {name}: a public policy grants nothing to "
                "anonymous callers or other accounts (AWS service principals excepted)"
            )
        elif bucket.public_access_block is None and account_pab is None:
            case.notes.append(
                f"Block Public Access of {name} is not in the snapshot; object ACLs (not modelled) can still make "
                "objects public unless IgnorePublicAcls is on"
            )
        resources = resource_patterns(policy, f"arn:aws:s3:::{name}/") or [f"arn:aws:s3:::{name}/index.html"]
        account = bucket.account if bucket.account != "unknown" else dist.account

        def asks(probe: Probe) -> list[ProbeResult]:
            return [ask(policy, "s3:GetObject", r, probe, account, restrict_public=restrict) for r in resources]

        if website:
            case.evidence.append(
                f"origin {origin.id} uses the S3 website endpoint of {name}: website endpoints serve anonymous "
                "requests only (CloudFront cannot sign them, so no OAC)"
            )
            if bucket.website is False:
                case.notes.append(f"bucket {name} has no website configuration in the snapshot")
        base = {"aws:SecureTransport": "true"}
        public: list[ProbeResult] = []
        for address in self._outside_addresses(policy):
            for extra in ({}, {"aws:Referer": "https://edgeward.invalid/", "aws:UserAgent": "Amazon CloudFront"}):
                results = asks(
                    anonymous_probe(f"an anonymous request from {address}", {**base, "aws:SourceIp": address, **extra})
                )
                public.extend(r for r in results if r.allowed)
            if public:
                break
        if not public:
            case.evidence.append(results[0].evidence())
        if not website and not public:
            stranger = asks(other_account_probe(base))
            public.extend(r for r in stranger if r.allowed)
            if not public:
                case.evidence.append(stranger[0].evidence())
        if public:
            first = public[0]
            case.evidence.append(first.evidence())
            case.worsen(BYPASS, f"{first.probe.label} reads objects of {name} directly: {self._statement_text(first)}")
            self._s3_public_fix(case, dist, name, first, website)
            return
        self._s3_cloudfront(case, dist, origin, name, policy, account, restrict, website, asks, base)

    @staticmethod
    def _statement_text(result: ProbeResult) -> str:
        refs = result.decision.statements
        return "; ".join(r.describe() for r in refs[:2]) if refs else "the policy allows it"

    def _s3_public_fix(self, case: _Case, dist: Distribution, name: str, result: ProbeResult, website: bool) -> None:
        refs = [r for r in result.decision.statements if r.policy_type == "resource"]
        changes: list[dict[str, Any]] = [
            {
                "resource": f"arn:aws:s3:::{name}",
                "kind": "bucket-policy-statement",
                "action": "remove",
                "statement": ref.index,
                "sid": ref.sid,
            }
            for ref in refs
        ]
        changes.append(
            {
                "resource": f"arn:aws:s3:::{name}",
                "kind": "bucket-policy-statement",
                "action": "add",
                "statement": oac_statement(name, dist.arn),
            }
        )
        prefix = (
            f"serve {name} through its REST endpoint ({name}.s3.<region>.amazonaws.com) with an origin access control, "
            "turn website hosting off for CloudFront, and "
            if website
            else "attach an origin access control to the origin and "
        )
        case.fix(
            f"{prefix}replace the statement(s) granting public read by one granting s3:GetObject to "
            f"cloudfront.amazonaws.com with AWS:SourceArn = {dist.arn}; turn Block Public Access on",
            *changes,
        )

    def _s3_cloudfront(
        self,
        case: _Case,
        dist: Distribution,
        origin: Origin,
        name: str,
        policy: Policy | None,
        account: str,
        restrict: bool,
        website: bool,
        asks: Callable[[Probe], list[ProbeResult]],
        base: dict[str, str],
    ) -> None:
        oac = self.edge.oac_by_id.get(origin.oac_id or "")
        signs = origin.oac_id is not None and not website and (oac is None or oac.signing_behavior != "never")
        if origin.oac_id and oac is None:
            case.notes.append(f"origin access control {origin.oac_id} is not in the snapshot; assumed to sign (always)")
        others: list[tuple[str, ProbeResult]] = []
        own: list[ProbeResult] = []
        if signs:
            case.evidence.append(f"origin {origin.id} signs its requests with origin access control {origin.oac_id}")
            own = asks(service_probe(f"{dist.label} (OAC)", "cloudfront.amazonaws.com", dist.arn, dist.account))
            candidates = self._other_distributions(dist)
            for label, arn, acct in candidates:
                answers = asks(service_probe(label, "cloudfront.amazonaws.com", arn, acct))
                found = [r for r in answers if r.allowed]
                if found:
                    others.append((label, found[0]))
                elif arn == _probe_arn(PROBE_ACCOUNT):
                    case.evidence.append(answers[0].evidence())
        elif origin.oai and not website:
            case.evidence.append(f"origin {origin.id} uses the legacy origin access identity {origin.oai}")
            own = asks(oai_probe(origin.oai))
            for d in self.edge.distributions:
                for o in d.origins:
                    if d.id != dist.id and o.oai == origin.oai:
                        others.append((f"{d.label} (origin {o.id}, same OAI)", own[0]))
            case.notes.append(
                "an origin access identity is not tied to one distribution: any distribution of the account can use "
                "it; prefer an origin access control with AWS:SourceArn"
            )
        else:
            cf_address = self._cloudfront_address(policy)
            context = {**base, "aws:SourceIp": cf_address}
            for header in origin.headers:
                if header.name.lower() in ("referer", "user-agent"):
                    context["aws:Referer" if header.name.lower() == "referer" else "aws:UserAgent"] = (
                        header.value.reveal()
                    )
            own = asks(anonymous_probe(f"{dist.label} (unsigned, from CloudFront)", context))
            found = [
                r
                for r in asks(
                    anonymous_probe(
                        f"an anonymous request from CloudFront's address {cf_address}",
                        {**base, "aws:SourceIp": cf_address},
                    )
                )
                if r.allowed
            ]
            if found:
                others.append(("any distribution (requests from CloudFront's addresses)", found[0]))
        if own and not any(r.allowed for r in own):
            case.notes.append(f"this distribution cannot read {name} either: {own[0].evidence()}")
        elif own:
            case.evidence.append(next(r for r in own if r.allowed).evidence())
        if others:
            label, result = others[0]
            case.evidence.extend(r.evidence() for _, r in others)
            named = [lbl for lbl, _ in others[1:] if lbl.startswith("distribution ")]
            also = f"; so can {', '.join(named)}" if named else ""
            case.worsen(OTHERS, f"{label} can read {name} too: {self._statement_text(result)}{also}")
            refs = [r for r in result.decision.statements if r.policy_type == "resource"]
            public = [r for r in refs if policy is not None and _wildcard_principal(policy, r.index)]
            if public:
                case.evidence.append(
                    "Block Public Access lets AWS service principals through a public policy: CloudFront, signing "
                    "for any distribution, passes the wildcard-principal statement"
                )
                case.fix(
                    f"remove the public statement(s) of {name}'s policy; keep the one granting "
                    f"cloudfront.amazonaws.com with AWS:SourceArn = {dist.arn}",
                    *(
                        {"resource": f"arn:aws:s3:::{name}", "kind": "bucket-policy-statement", "action": "remove",
                         "statement": ref.index, "sid": ref.sid}
                        for ref in public
                    ),
                )  # fmt: skip
                return
            case.fix(
                f"add the condition AWS:SourceArn = {dist.arn} to the statement granting cloudfront.amazonaws.com "
                f"access to {name}"
                + (" and replace the origin access identity by an origin access control" if origin.oai else ""),
                *(
                    {
                        "resource": f"arn:aws:s3:::{name}",
                        "kind": "bucket-policy-statement",
                        "action": "add-condition",
                        "statement": ref.index,
                        "sid": ref.sid,
                        "condition": {"StringEquals": {"AWS:SourceArn": dist.arn}},
                    }
                    for ref in refs
                ),
            )
            return
        case.worsen(ONLY, f"only {dist.label} can read {name}: anonymous requests and other distributions are denied")

    def _other_distributions(self, dist: Distribution) -> list[tuple[str, str, str]]:
        """(label, ARN, account) of the distributions to ask as: made-up ones (another account first, the
        widest claim), then the snapshot's others, which the evidence names."""
        made_up = [
            (f"a distribution of another account ({PROBE_ACCOUNT})", _probe_arn(PROBE_ACCOUNT), PROBE_ACCOUNT),
            ("another distribution of the same account", _probe_arn(dist.account), dist.account),
        ]
        return made_up + [
            (f"distribution {d.label}", d.arn, d.account) for d in self.edge.distributions if d.id != dist.id
        ]

    # -- Lambda function URLs -------------------------------------------------------------------------
    def _function_url(self, case: _Case, dist: Distribution, origin: Origin, url: LambdaFunctionUrl) -> None:
        ok, policy = self._policy(case, url.policy, f"resource policy of {url.function_name}", url.source.file or None)
        if not ok:
            return
        if url.policy is None:
            case.notes.append(f"{url.function_name} has no resource-based policy in the snapshot: treated as none")
        action = "lambda:InvokeFunctionUrl"
        context = {"lambda:FunctionUrlAuthType": url.auth_type, "aws:SecureTransport": "true"}
        account = url.account if url.account != "unknown" else dist.account
        if url.auth_type == "NONE":
            case.evidence.append(
                f"function URL of {url.function_name} has AuthType NONE: Lambda does not authenticate callers, its "
                "resource policy alone decides"
            )
            result = ask(policy, action, url.function_arn, anonymous_probe("an anonymous request", context), account)
            case.evidence.append(result.evidence())
            if result.allowed:
                case.worsen(BYPASS, f"anyone on the internet invokes {url.function_name} through its URL directly")
            else:
                case.worsen(ONLY, f"nobody can invoke {url.function_name} through its URL (not even CloudFront)")
                case.notes.append("with AuthType NONE and no public statement, every request is refused")
                return
            self._lambda_fix(case, dist, url)
            return
        result = ask(policy, action, url.function_arn, other_account_probe(context), account)
        if result.allowed:
            case.evidence.append(result.evidence())
            case.worsen(
                BYPASS,
                f"principals of any AWS account invoke {url.function_name} through its URL directly: "
                f"{self._statement_text(result)}",
            )
            self._lambda_fix(case, dist, url)
            return
        own = ask(
            policy,
            action,
            url.function_arn,
            service_probe(dist.label, "cloudfront.amazonaws.com", dist.arn, dist.account),
            account,
        )
        case.evidence.append(own.evidence())
        if not origin.oac_id:
            case.notes.append(
                f"origin {origin.id} has no origin access control: CloudFront's requests are not signed and AuthType "
                "AWS_IAM refuses them"
            )
        candidates = self._other_distributions(dist)
        for label, arn, acct in candidates:
            other = ask(policy, action, url.function_arn, service_probe(label, "cloudfront.amazonaws.com", arn, acct),
                        account)  # fmt: skip
            if other.allowed:
                case.evidence.append(other.evidence())
                case.worsen(OTHERS, f"{label} can invoke {url.function_name} too: {self._statement_text(other)}")
                case.fix(
                    f"add the condition AWS:SourceArn = {dist.arn} to the statement granting cloudfront.amazonaws.com "
                    f"{action}",
                    *(
                        {
                            "resource": url.function_arn,
                            "kind": "function-policy-statement",
                            "action": "add-condition",
                            "statement": ref.index,
                            "sid": ref.sid,
                            "condition": {"ArnLike": {"AWS:SourceArn": dist.arn}},
                        }
                        for ref in other.decision.statements
                        if ref.policy_type == "resource"
                    ),
                )
                return
        case.notes.append(
            "IAM principals of the function's own account whose identity policies allow lambda:InvokeFunctionUrl "
            "can still call the URL with signed requests (not the internet at large)"
        )
        case.worsen(ONLY, f"only {dist.label} (signed by CloudFront) can invoke {url.function_name} through its URL")

    def _lambda_fix(self, case: _Case, dist: Distribution, url: LambdaFunctionUrl) -> None:
        case.fix(
            f"set the URL's AuthType to AWS_IAM, attach an origin access control (type lambda) to the origin, and "
            f"grant lambda:InvokeFunctionUrl only to cloudfront.amazonaws.com with AWS:SourceArn = {dist.arn}",
            {"resource": url.function_arn, "kind": "function-url", "action": "set", "AuthType": "AWS_IAM"},
            {
                "resource": url.function_arn,
                "kind": "function-policy-statement",
                "action": "add",
                "statement": {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "lambda:InvokeFunctionUrl",
                    "Resource": url.function_arn,
                    "Condition": {"ArnLike": {"AWS:SourceArn": dist.arn}},
                },
            },
        )


def _wildcard_principal(policy: Policy, index: int) -> bool:
    principals = policy.statements[index].principals if index < len(policy.statements) else None
    return principals is not None and principals.wildcard and not principals.negated


def _probe_arn(account: str) -> str:
    return f"arn:aws:cloudfront::{account}:distribution/{PROBE_DISTRIBUTION}"


def oac_statement(bucket: str, distribution_arn: str) -> dict[str, Any]:
    """The standard bucket policy statement for an origin access control (cloudfront.md 1d)."""
    return {
        "Sid": "AllowCloudFrontServicePrincipalReadOnly",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
    }


def origin_verdicts(snapshot: Snapshot) -> list[OriginVerdict]:
    """One verdict per origin of every distribution of the snapshot."""
    return OriginAnalysis(snapshot).all()


__all__ = ["VERDICTS", "Fix", "OriginAnalysis", "OriginVerdict", "origin_verdicts"]
