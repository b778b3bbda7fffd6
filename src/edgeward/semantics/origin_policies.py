"""S3 bucket policies and Lambda function URL policies asked, through the IAM engine, who can read the origin.

Each question is one request evaluated by `edgeward.iam.evaluation.evaluate` with the origin's
resource-based policy:
- an anonymous request (the internet at large), from an address outside CloudFront and, where the
  policy names addresses (`aws:SourceIp`), from an address of each range it names;
- a signed request from a principal of an unrelated account, whose own policies allow everything
  (a cross-account request also needs the caller's identity side, which the caller controls);
- `cloudfront.amazonaws.com` with `AWS:SourceArn` of this distribution, of another distribution of
  the same account, of a distribution of another account, and of every other distribution of the
  snapshot (what an origin access control signs: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html);
- a legacy origin access identity (`arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity <id>`).

S3 Block Public Access, `RestrictPublicBuckets` (bucket or account): when the policy is public, only
AWS service principals and users of the bucket owner's account get access through it
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html). A
statement is public unless it names fixed principals or carries a condition on a key AWS accepts as
narrowing (`aws:SourceIp` that is not wide, `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`,
`aws:SourceAccount`, `aws:SourceOwner`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
`aws:PrincipalArn`, `aws:userid`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from edgeward.iam.context import RequestContext
from edgeward.iam.evaluation import Decision, PolicySet, Request, derived_context, evaluate
from edgeward.iam.policy import Policy, Statement, parse_policy
from edgeward.iam.principal import Principal

PROBE_ACCOUNT = "000000000000"
OTHER_ACCOUNT_PRINCIPAL = f"arn:aws:iam::{PROBE_ACCOUNT}:user/edgeward-probe"
OAI_PRINCIPAL = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {}"
NARROWING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalarn",
        "aws:userid",
    }
)

_ALLOW_ALL = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="the caller's own policies (assumed to allow)",
    kind="identity",
)


def parse_resource_policy(text: str, name: str, file: str | None) -> Policy:
    """Parse a bucket or function policy (JSON text); InputError names the policy and place."""
    return parse_policy(text, name=name, kind="resource", file=file)


@dataclass(frozen=True, slots=True)
class Probe:
    """One question: who asks, from where, with what context."""

    label: str
    principal: Principal
    context: Mapping[str, str]
    cross_account: bool = False  # the caller's own identity policies allow everything


@dataclass(frozen=True, slots=True)
class ProbeResult:
    probe: Probe
    action: str
    resource: str
    decision: Decision
    restricted: bool = False  # denied by Block Public Access RestrictPublicBuckets despite the policy

    @property
    def allowed(self) -> bool:
        return self.decision.allowed and not self.restricted

    def evidence(self) -> str:
        verb = "is allowed" if self.allowed else "is denied"
        how = ""
        if (self.decision.allowed and self.decision.statements) or self.decision.decision == "explicit-deny":
            how = " (" + "; ".join(s.describe() for s in self.decision.statements[:2]) + ")"
        if self.restricted:
            how += " — but Block Public Access RestrictPublicBuckets refuses access through a public policy"
        return f"{self.probe.label} {verb} {self.action} on {self.resource}{how}"


def ask(
    policy: Policy | None,
    action: str,
    resource: str,
    probe: Probe,
    resource_account: str,
    *,
    restrict_public: bool = False,
) -> ProbeResult:
    """Evaluate one probe against the resource policy (identity side assumed for cross-account callers)."""
    context = RequestContext.build(dict(probe.context)).with_defaults(derived_context(probe.principal))
    policies = PolicySet(identity=(_ALLOW_ALL,) if probe.cross_account else (), resource=policy)
    decision = evaluate(Request(probe.principal, action, resource, context, resource_account), policies)
    restricted = False
    outsider = probe.principal.kind == "anonymous" or (
        probe.principal.kind != "service" and probe.principal.account != resource_account
    )
    if restrict_public and decision.allowed and outsider and policy is not None:
        restricted = is_public(policy, decision)
    return ProbeResult(probe, action, resource, decision, restricted)


def is_public(policy: Policy, decision: Decision) -> bool:
    """Did a public statement (wildcard principal without a narrowing condition) allow the request?"""
    for ref in decision.statements:
        if ref.policy_type != "resource":
            continue
        statement = policy.statements[ref.index]
        principals = statement.principals
        wildcard = principals is not None and (principals.wildcard or principals.negated)
        if wildcard and not _narrowed(statement):
            return True
    return False


def _narrowed(statement: Statement) -> bool:
    for test in statement.conditions:
        key = test.lookup_key
        if key in NARROWING_KEYS and not test.operator.negated:
            return True
        if key == "aws:sourceip" and not test.operator.negated:
            nets = [v for v in test.values if isinstance(v, ipaddress.IPv4Network | ipaddress.IPv6Network)]
            if nets and all(n.prefixlen >= (8 if n.version == 4 else 32) for n in nets):
                return True
    return False


def source_ip_networks(policy: Policy | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Every network an `aws:SourceIp` condition of the policy names (to ask from inside each)."""
    out: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    if policy is None:
        return out
    for statement in policy.statements:
        for test in statement.conditions:
            if test.lookup_key == "aws:sourceip":
                out.extend(v for v in test.values if isinstance(v, ipaddress.IPv4Network | ipaddress.IPv6Network))
    return out


def resource_patterns(policy: Policy | None, prefix: str) -> list[str]:
    """Concrete resources, one per Resource pattern of the policy under `prefix` (`*` -> a key, `?` -> x)."""
    out: list[str] = []
    if policy is None:
        return out
    for statement in policy.statements:
        matcher = statement.resources
        if matcher is None or matcher.negated:
            continue
        for template in matcher.patterns:
            raw = template.raw
            if raw.startswith(prefix) and "${" not in raw:
                concrete = raw.replace("*", "edgeward-probe").replace("?", "x")
                if concrete not in out:
                    out.append(concrete)
    return out


def service_probe(label: str, service: str, source_arn: str, source_account: str) -> Probe:
    return Probe(
        label,
        Principal.from_arn(service),
        {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account},
    )


def oai_probe(oai_id: str) -> Probe:
    arn = OAI_PRINCIPAL.format(oai_id)
    return Probe(f"origin access identity {oai_id}", Principal(arn, "user", None, name=oai_id), {}, cross_account=True)


def anonymous_probe(label: str, context: Mapping[str, str]) -> Probe:
    return Probe(label, Principal.from_arn("*"), context)


def other_account_probe(context: Mapping[str, str]) -> Probe:
    return Probe(
        f"a principal of an unrelated account ({PROBE_ACCOUNT})",
        Principal.from_arn(OTHER_ACCOUNT_PRINCIPAL),
        context,
        cross_account=True,
    )
