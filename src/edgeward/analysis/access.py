"""Who can do what: `can` for one principal, `who_can` over an estate's users and roles.

CloudFront questions (CloudFront has no resource-based policies, so identity policies,
boundaries and SCPs decide; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/security_iam_service-with-iam.html):
- who can change a distribution: `cloudfront:UpdateDistribution` on its ARN;
- who can read its origin secret (custom origin headers are part of the distribution config):
  `cloudfront:GetDistributionConfig` or `cloudfront:GetDistribution` on its ARN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from edgeward.iam.context import RequestContext
from edgeward.iam.estate import IamEstate, IamPrincipal, User
from edgeward.iam.evaluation import Decision, PolicySet, Request, derived_context, evaluate
from edgeward.iam.policy import Policy
from edgeward.iam.principal import Principal

ContextInput = RequestContext | Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | None

UPDATE_DISTRIBUTION = "cloudfront:UpdateDistribution"
READ_DISTRIBUTION_CONFIG: tuple[str, ...] = ("cloudfront:GetDistributionConfig", "cloudfront:GetDistribution")


@dataclass(frozen=True, slots=True)
class PrincipalAccess:
    """One principal's decision for one action on one resource."""

    principal_arn: str
    principal_type: Literal["user", "role"]
    action: str
    resource: str
    decision: Decision
    incomplete: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """The decision, or `unknown` when the input is incomplete for this principal (an explicit deny
        by the known policies stands whatever the rest says)."""
        if self.incomplete and self.decision.decision != "explicit-deny":
            return "unknown"
        return self.decision.decision

    def as_dict(self) -> dict[str, object]:
        return {
            "principal": self.principal_arn,
            "principal_type": self.principal_type,
            "action": self.action,
            "resource": self.resource,
            **self.decision.as_dict(),
            "verdict": self.verdict,
            "incomplete": list(self.incomplete),
        }


def _context(value: ContextInput) -> RequestContext:
    if value is None:
        return RequestContext()
    if isinstance(value, RequestContext):
        return value
    return RequestContext.build(value)


def resource_account_of(resource: str) -> str | None:
    """The account segment of an ARN, when it has one."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and len(parts[4]) == 12 and parts[4].isdigit():
        return parts[4]
    return None


def can(
    principal: Principal | str,
    action: str,
    resource: str,
    *,
    identity_policies: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    boundary: Policy | None = None,
    session_policies: Sequence[Policy] = (),
    scp_levels: Sequence[Sequence[Policy]] = (),
    rcps: Sequence[Policy] = (),
    resource_account: str | None = None,
    context: ContextInput = None,
    now: datetime | None = None,
) -> Decision:
    """Is `principal` allowed `action` on `resource`? Derived keys are added unless given."""
    caller = principal if isinstance(principal, Principal) else Principal.from_arn(principal)
    request = Request(
        caller,
        action,
        resource,
        _context(context).with_defaults(derived_context(caller, now)),
        resource_account,
    )
    policies = PolicySet(
        identity=tuple(identity_policies),
        resource=resource_policy,
        boundary=boundary,
        session=tuple(session_policies),
        scp_levels=tuple(tuple(level) for level in scp_levels),
        rcps=tuple(rcps),
    )
    return evaluate(request, policies)


def _principal_context(
    base: RequestContext, who: IamPrincipal, caller: Principal, now: datetime | None
) -> RequestContext:
    defaults: dict[str, str | Sequence[str]] = dict(derived_context(caller, now))
    for key, value in who.tags:
        defaults[f"aws:PrincipalTag/{key}"] = value
    return base.with_defaults(defaults)


def decide_for(
    estate: IamEstate,
    who: IamPrincipal,
    action: str,
    resource: str,
    *,
    context: ContextInput = None,
    resource_policy: Policy | None = None,
    resource_account: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """The decision for one user or role of the estate (its groups, boundary, SCPs, RCPs)."""
    caller = who.principal()
    account = resource_account or resource_account_of(resource) or who.account
    request = Request(caller, action, resource, _principal_context(_context(context), who, caller, now), account)
    policies = PolicySet(
        identity=estate.identity_policies(who),
        resource=resource_policy,
        boundary=estate.permissions_boundary(who),
        scp_levels=estate.scp_levels_for(who.account),
        rcps=estate.rcps_for(account),
    )
    return evaluate(request, policies)


def who_can(
    estate: IamEstate,
    action: str,
    resource: str,
    *,
    context: ContextInput = None,
    resource_policy: Policy | None = None,
    resource_account: str | None = None,
    now: datetime | None = None,
    include_denied: bool = False,
) -> list[PrincipalAccess]:
    """Every user and role (a session of it) allowed `action` on `resource`, sorted by ARN, and every
    one the input cannot decide for (`verdict` "unknown": a policy document unknown until a plan is
    applied, a managed policy attached but not in the input; `incomplete` says which).

    With `include_denied`, every principal is listed with its decision.
    """
    out: list[PrincipalAccess] = []
    base = _context(context)
    for who in estate.principals():
        decision = decide_for(
            estate,
            who,
            action,
            resource,
            context=base,
            resource_policy=resource_policy,
            resource_account=resource_account,
            now=now,
        )
        access = PrincipalAccess(
            who.arn, "user" if isinstance(who, User) else "role", action, resource, decision, estate.incomplete(who)
        )
        if decision.allowed or include_denied or access.verdict == "unknown":
            out.append(access)
    return out


def who_can_update_distribution(
    estate: IamEstate, distribution_arn: str, *, context: ContextInput = None, now: datetime | None = None
) -> list[PrincipalAccess]:
    """Principals allowed `cloudfront:UpdateDistribution` on the distribution."""
    return who_can(estate, UPDATE_DISTRIBUTION, distribution_arn, context=context, now=now)


def who_can_read_origin_secret(
    estate: IamEstate, distribution_arn: str, *, context: ContextInput = None, now: datetime | None = None
) -> list[PrincipalAccess]:
    """Principals allowed `GetDistributionConfig` or `GetDistribution` (either reveals the
    origin's custom headers); one entry per principal and allowed action."""
    out: list[PrincipalAccess] = []
    for action in READ_DISTRIBUTION_CONFIG:
        out.extend(who_can(estate, action, distribution_arn, context=context, now=now))
    return sorted(out, key=lambda a: (a.principal_arn, a.action))
