"""AWS's policy evaluation logic for one request, with the statements that decided it.

Order and rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):

1. An applicable Deny in any policy (SCP, RCP, resource-based, identity, boundary, session) is an
   explicit deny.
2. RCPs: `RCPFullAWSAccess` is always attached, so only their Deny statements matter.
3. SCPs: every level of the principal's organization path (root, OUs, account) needs an Allow.
4. Resource-based policy, same account: an Allow that names the caller
   - by IAM user ARN, role-session ARN, federated-user ARN (or `*`) is enough on its own;
   - by role ARN (or the IAM user behind a federated session) is still limited by the
     permissions boundary and the session policy;
   - by account (`arn:aws:iam::ACCOUNT:root` or the account id) only delegates to the identity
     policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html).
   Role trust policies and KMS key policies must allow the caller themselves (a policy of kind
   "trust", or any resource-based policy when the resource is a KMS ARN).
5. Identity-based policies, 6. permissions boundary, 7. session policy: each must allow.
   Same account: the resource-based route or the identity route suffices. Cross account: the
   resource-based policy must allow the caller *and* the identity side must allow
   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).

The account root user has full access in its own account (SCPs still bind it). A federated user
session (GetFederationToken) without a session policy has no permissions except what
resource-based policies grant its ARN directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from edgeward.iam.context import RequestContext
from edgeward.iam.policy import Effect, Policy
from edgeward.iam.principal import Principal

DecisionName = Literal["allowed", "explicit-deny", "implicit-deny"]
PolicyType = Literal["scp", "rcp", "resource", "identity", "permissions-boundary", "session"]

_DIRECT = frozenset({"wildcard", "user", "role-session", "federated-user", "service", "any"})
_LIMITED = frozenset({"role", "parent-user"})


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement that took part in the decision."""

    policy_type: PolicyType
    policy: str
    index: int
    sid: str | None
    effect: Effect
    level: int | None = None  # SCP level (0 = organization root)

    def describe(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        level = f" level {self.level}" if self.level is not None else ""
        return f"{self.effect} in {self.policy_type}{level} policy {self.policy} Statement[{self.index}]{sid}"

    def as_dict(self) -> dict[str, object]:
        return {
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement_index": self.index,
            "sid": self.sid,
            "effect": self.effect,
            "level": self.level,
        }


@dataclass(frozen=True, slots=True)
class MissingAllow:
    """A policy type that was required and had no applicable Allow."""

    policy_type: PolicyType
    level: int | None = None
    policies: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.policy_type == "scp":
            names = ", ".join(self.policies)
            return f"no Allow in the SCPs of organization level {self.level} ({names})"
        if self.policy_type == "resource":
            return "no Allow for this principal in the resource-based policy"
        return f"no Allow in the {self.policy_type} policies"

    def as_dict(self) -> dict[str, object]:
        return {"policy_type": self.policy_type, "level": self.level, "policies": list(self.policies)}


@dataclass(frozen=True, slots=True)
class Decision:
    """AWS's answer with its evidence.

    `statements`: for an explicit deny, every applicable Deny; for an allow, the Allow statements
    that made it. `missing_allow`: for an implicit deny, the policy types that had no Allow.
    """

    decision: DecisionName
    statements: tuple[StatementRef, ...] = ()
    missing_allow: tuple[MissingAllow, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    def as_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision,
            "statements": [s.as_dict() for s in self.statements],
            "missing_allow": [m.as_dict() for m in self.missing_allow],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Request:
    """One request. `resource_account` defaults to the principal's account."""

    principal: Principal
    action: str
    resource: str
    context: RequestContext = field(default_factory=RequestContext)
    resource_account: str | None = None


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to a request.

    `scp_levels`: the SCPs attached at each level of the principal's organization path, root
    first; each level needs an Allow. `rcps`: the resource account's RCPs (Deny statements only
    matter). `session`: session policies passed when the session was created (any may allow).
    `resource_policy_required`: the resource-based policy itself must allow (role trust
    policies, KMS key policies); set automatically for a policy of kind "trust".
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundary: Policy | None = None
    session: tuple[Policy, ...] = ()
    scp_levels: tuple[tuple[Policy, ...], ...] = ()
    rcps: tuple[Policy, ...] = ()
    resource_policy_required: bool = False


@dataclass(slots=True)
class _Scan:
    allows: list[StatementRef] = field(default_factory=list)
    denies: list[StatementRef] = field(default_factory=list)
    allow_kinds: set[str] = field(default_factory=set)


def _scan(
    policies: Iterable[Policy],
    policy_type: PolicyType,
    request: Request,
    *,
    level: int | None = None,
    with_principal: bool = False,
) -> _Scan:
    out = _Scan()
    action, resource, context = request.action.lower(), request.resource, request.context
    for policy in policies:
        for statement in policy.statements:
            if not statement.matches_lowered(action, resource, context):
                continue
            kind = "any"
            if with_principal:
                matched = statement.principal_match(request.principal)
                if matched is None:
                    continue
                kind = matched
            ref = StatementRef(policy_type, policy.name, statement.index, statement.sid, statement.effect, level)
            if statement.effect == "Deny":
                out.denies.append(ref)
            else:
                out.allows.append(ref)
                out.allow_kinds.add(kind)
    return out


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """AWS's decision for the request under the policies, with the deciding statements."""
    principal = request.principal
    iam_principal = principal.kind not in ("service", "anonymous")
    resource_account = request.resource_account or principal.account
    same_account = principal.account is not None and resource_account == principal.account
    notes: list[str] = []

    rcp = _scan(policies.rcps, "rcp", request, with_principal=True)
    scp_scans = (
        [_scan(level, "scp", request, level=n) for n, level in enumerate(policies.scp_levels)] if iam_principal else []
    )
    resource = (
        _scan((policies.resource,), "resource", request, with_principal=True)
        if policies.resource is not None
        else _Scan()
    )
    identity = _scan(policies.identity, "identity", request) if iam_principal else _Scan()
    boundary = (
        _scan((policies.boundary,), "permissions-boundary", request)
        if policies.boundary is not None and iam_principal
        else _Scan()
    )
    session = _scan(policies.session, "session", request) if principal.is_session else _Scan()

    denies = [*rcp.denies, *(d for s in scp_scans for d in s.denies), *resource.denies]
    denies += [*identity.denies, *boundary.denies, *session.denies]
    if denies:
        return Decision("explicit-deny", tuple(denies), (), tuple(notes))

    missing: list[MissingAllow] = []
    used: list[StatementRef] = []
    for n, scan in enumerate(scp_scans):
        if scan.allows:
            used.extend(scan.allows)
        else:
            missing.append(MissingAllow("scp", n, tuple(p.name for p in policies.scp_levels[n])))

    identity_ok = principal.kind == "root" or bool(identity.allows)
    if principal.kind == "root":
        notes.append("the account root user has full access in its own account")
    boundary_ok = policies.boundary is None or bool(boundary.allows)
    if principal.kind == "federated-user":
        session_ok = bool(session.allows)
        if not policies.session:
            notes.append("a federated user session without a session policy has no permissions")
    elif principal.is_session:
        session_ok = not policies.session or bool(session.allows)
    else:
        session_ok = True
        if policies.session:
            notes.append("session policies apply only to sessions; ignored for this principal")

    kinds = resource.allow_kinds
    required = policies.resource_policy_required or (
        policies.resource is not None
        and (policies.resource.kind == "trust" or request.resource.split(":")[2:3] == ["kms"])
    )
    identity_side = [
        (identity_ok, MissingAllow("identity"), identity.allows),
        (boundary_ok, MissingAllow("permissions-boundary"), boundary.allows),
        (session_ok, MissingAllow("session"), session.allows),
    ]
    limited_side = identity_side[1:]

    route_ok: bool
    route_missing: list[MissingAllow] = []
    route_used: list[StatementRef] = []
    if not iam_principal:
        route_ok = bool(kinds & _DIRECT)
        if route_ok:
            route_used = resource.allows
        else:
            route_missing = [MissingAllow("resource")]
    elif same_account:
        if kinds & _DIRECT:
            route_ok, route_used = True, list(resource.allows)
        elif kinds & _LIMITED:
            route_ok = all(ok for ok, _, _ in limited_side)
            route_used = [*resource.allows, *(r for _, _, refs in limited_side for r in refs)]
            route_missing = [m for ok, m, _ in limited_side if not ok]
            notes.append(
                "the resource-based policy names the role (or the user behind the session), so the "
                "permissions boundary and session policy still limit it"
            )
        else:
            if "account" in kinds:
                notes.append("the resource-based policy names the account, which delegates to the identity policies")
            if required and not kinds:
                route_ok = False
                route_missing = [MissingAllow("resource")]
                notes.append("this resource-based policy must itself allow the principal")
            else:
                route_ok = all(ok for ok, _, _ in identity_side)
                route_used = [*resource.allows, *(r for _, _, refs in identity_side for r in refs)]
                route_missing = [m for ok, m, _ in identity_side if not ok]
                if not route_ok and policies.resource is not None and not kinds:
                    route_missing.insert(0, MissingAllow("resource"))
    else:
        notes.append("cross-account request: the resource-based policy and the identity side must both allow")
        resource_ok = bool(kinds)
        route_ok = resource_ok and all(ok for ok, _, _ in identity_side)
        route_used = [*resource.allows, *(r for _, _, refs in identity_side for r in refs)]
        if not resource_ok:
            route_missing.append(MissingAllow("resource"))
        route_missing += [m for ok, m, _ in identity_side if not ok]

    if route_ok and not missing:
        return Decision("allowed", tuple([*used, *route_used]), (), tuple(notes))
    return Decision("implicit-deny", (), tuple([*missing, *route_missing]), tuple(notes))


# --- the request context AWS derives -------------------------------------------------------


def derived_context(principal: Principal, now: datetime | None = None) -> dict[str, str]:
    """Keys AWS fills in from the principal and the clock.

    `aws:PrincipalArn` (a role session reports its role's ARN), `aws:PrincipalAccount`,
    `aws:username` (IAM users only), `aws:CurrentTime`, `aws:EpochTime`.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    out: dict[str, str] = {
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
    }
    principal_arn = principal.principal_arn
    if principal_arn is not None:
        out["aws:PrincipalArn"] = principal_arn
    if principal.account is not None:
        out["aws:PrincipalAccount"] = principal.account
    username = principal.username()
    if username is not None:
        out["aws:username"] = username
    return out


def request_context(
    principal: Principal,
    values: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] = (),
    *,
    now: datetime | None = None,
    extra: Mapping[str, str | Sequence[str]] | None = None,
    multivalued_keys: Iterable[str] = (),
) -> RequestContext:
    """The context for a request: the given keys, then derived keys not given, then `extra`."""
    context = RequestContext.build(values, multivalued_keys=multivalued_keys)
    context = context.with_defaults(derived_context(principal, now))
    if extra:
        context = context.with_defaults(extra)
    return context
