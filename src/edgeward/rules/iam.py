"""EW4xx: IAM, judged by evaluating policies (analysis/access.py), not by reading their text.

- Who can read a distribution's origin secret (its custom origin headers are part of the
  distribution config) or change the distribution, beyond the configured allow-list.
- Identity policies that grant CloudFront with a wildcard.
- Deny statements on tags that requests for untagged resources slip past.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from edgeward.analysis.access import PrincipalAccess, who_can_read_origin_secret, who_can_update_distribution
from edgeward.iam.context import RequestContext
from edgeward.iam.estate import IamEstate
from edgeward.iam.policy import Policy, Statement
from edgeward.model.network import NO_SOURCE, SourceRef
from edgeward.rules.base import Finding, Rule, Severity
from edgeward.rules.context import AuditContext

FAMILY = "IAM"
CLOUDFRONT_IAM_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/security_iam_service-with-iam.html"
)
ORIGIN_HEADER_DOC = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html"
CONDITION_OPERATORS_DOC = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
LEAST_PRIVILEGE_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
SAMPLE_DISTRIBUTION = "arn:aws:cloudfront::{account}:distribution/EDGEWARDPROBE"
TAG_KEYS = ("aws:resourcetag/", "aws:requesttag/")


def _distributions(ctx: AuditContext) -> list[Any]:
    edge = ctx.snapshot.edge
    return list(getattr(edge, "distributions", ()) or ())


def _estate(ctx: AuditContext) -> IamEstate | None:
    iam = ctx.snapshot.iam
    return iam if isinstance(iam, IamEstate) else None


def _allowed(ctx: AuditContext, arn: str) -> bool:
    return any(fnmatchcase(arn, pattern) for pattern in ctx.settings.iam_allowed_principals)


def _access_evidence(access: PrincipalAccess) -> dict[str, Any]:
    return {
        "principal": access.principal_arn,
        "principal_type": access.principal_type,
        "action": access.action,
        "allowed_by": [s.describe() for s in access.decision.statements],
    }


def _distribution_finding(
    rule_id: str, distribution: Any, title: str, message: str, accesses: list[PrincipalAccess], remediation: str
) -> Finding:
    principals = sorted({a.principal_arn for a in accesses})
    return Finding(
        rule_id=rule_id,
        severity=Severity.HIGH,
        resource=distribution.label,
        resource_id=distribution.id,
        resource_type="cloudfront-distribution",
        title=title,
        message=message,
        evidence={"distribution": distribution.arn, "principals": [_access_evidence(a) for a in accesses]},
        evidence_text=tuple(
            f"{a.principal_arn} may {a.action}: {'; '.join(s.describe() for s in a.decision.statements[:2])}"
            for a in accesses
        ),
        location=distribution.source,
        key=",".join(principals),
        related=tuple(principals),
        remediation=remediation,
        arn=distribution.arn,
        account=distribution.account,
    )


def check_origin_secret_readers(ctx: AuditContext) -> Iterator[Finding]:
    estate = _estate(ctx)
    if estate is None:
        return
    for distribution in _distributions(ctx):
        headers = [h for origin in distribution.origins for h in origin.headers]
        if not headers:
            continue
        readers = [
            a
            for a in who_can_read_origin_secret(estate, distribution.arn)
            if a.decision.allowed and not _allowed(ctx, a.principal_arn)
        ]
        if not readers:
            continue
        names = sorted({a.principal_arn for a in readers})
        fingerprints = ", ".join(sorted({f"{h.name}={h.value.fingerprint}" for h in headers}))
        yield _distribution_finding(
            "EW401",
            distribution,
            f"{len(names)} principal(s) outside the allow-list can read the origin secret of {distribution.label}",
            f"{', '.join(names[:5])}{' ...' if len(names) > 5 else ''} may call GetDistributionConfig or "
            f"GetDistribution on {distribution.arn}, which return the custom origin headers ({fingerprints}). "
            "Whoever reads the secret can send requests that the origin takes for CloudFront's.",
            readers,
            "Narrow cloudfront:GetDistribution* to the roles that deploy the distribution, or list them in "
            "iam.allowed_principals; rotate the secret if others have read it.",
        )


def check_distribution_changers(ctx: AuditContext) -> Iterator[Finding]:
    estate = _estate(ctx)
    if estate is None:
        return
    for distribution in _distributions(ctx):
        changers = [
            a
            for a in who_can_update_distribution(estate, distribution.arn)
            if a.decision.allowed and not _allowed(ctx, a.principal_arn)
        ]
        if not changers:
            continue
        names = sorted({a.principal_arn for a in changers})
        yield _distribution_finding(
            "EW402",
            distribution,
            f"{len(names)} principal(s) outside the allow-list can change {distribution.label}",
            f"{', '.join(names[:5])}{' ...' if len(names) > 5 else ''} may call UpdateDistribution on "
            f"{distribution.arn}: point it at another origin, drop the secret header or the web ACL.",
            changers,
            "Grant cloudfront:UpdateDistribution to the deployment roles only, or list them in iam.allowed_principals.",
        )


# -- policies with their owners -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _PolicyPlace:
    policy: Policy
    owner: str  # ARN of the managed policy, or of the user/group/role holding an inline policy
    kind: str  # customer-managed | inline | boundary | scp | rcp | aws-managed
    account: str | None


def _policies(estate: IamEstate) -> Iterator[_PolicyPlace]:
    for managed in estate.managed_policies:
        kind = "aws-managed" if managed.aws_managed else "customer-managed"
        account = None if managed.aws_managed else managed.arn.split(":")[4] or None
        yield _PolicyPlace(managed.document, managed.arn, kind, account)
    for user in estate.users:
        for policy in user.inline_policies:
            yield _PolicyPlace(policy, user.arn, "inline", user.account)
    for role in estate.roles:
        for policy in role.inline_policies:
            yield _PolicyPlace(policy, role.arn, "inline", role.account)
    for group in estate.groups:
        for policy in group.inline_policies:
            yield _PolicyPlace(policy, group.arn, "inline", group.account)
    seen: set[int] = set()
    for account, levels in estate.scp_levels.items():
        for level in levels:
            for policy in level:
                if id(policy) not in seen:
                    seen.add(id(policy))
                    yield _PolicyPlace(policy, policy.name, "scp", account)
    for account, rcps in estate.rcps.items():
        for policy in rcps:
            if id(policy) not in seen:
                seen.add(id(policy))
                yield _PolicyPlace(policy, policy.name, "rcp", account)


def _statement_text(place: _PolicyPlace, statement: Statement) -> str:
    sid = f" ({statement.sid})" if statement.sid else ""
    name = place.owner if place.policy.name == place.owner else f"{place.owner} policy {place.policy.name}"
    return f"{name} Statement[{statement.index}]{sid}"


def _policy_finding(
    rule_id: str, place: _PolicyPlace, statement: Statement, title: str, message: str, evidence: dict[str, Any]
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.MEDIUM,
        resource=place.owner,
        resource_id=place.owner,
        resource_type=f"iam-policy ({place.kind})",
        title=title,
        message=message,
        evidence={"policy": place.policy.name, "owner": place.owner, "statement": statement.index, **evidence},
        evidence_text=(_statement_text(place, statement),),
        location=SourceRef(file="", place=f"{place.policy.name} Statement[{statement.index}]")
        if place.policy.name
        else NO_SOURCE,
        key=f"{place.policy.name}|{statement.index}",
        remediation="",
        arn=place.owner if place.owner.startswith("arn:") else None,
        account=place.account,
    )


WRITE_AND_READ = ("cloudfront:UpdateDistribution", "cloudfront:GetDistributionConfig", "cloudfront:DeleteDistribution")


def check_cloudfront_wildcards(ctx: AuditContext) -> Iterator[Finding]:
    estate = _estate(ctx)
    if estate is None:
        return
    for place in _policies(estate):
        if place.kind not in ("customer-managed", "inline"):
            continue
        for statement in place.policy.statements:
            if statement.effect != "Allow":
                continue
            actions = statement.actions
            wildcard = actions.negated or any("*" in p or "?" in p for p in actions.patterns)
            if not wildcard or not all(actions.matches(a) for a in WRITE_AND_READ):
                continue
            probe = SAMPLE_DISTRIBUTION.format(account=place.account or "123456789012")
            if statement.resources is not None and not statement.resources.matches(probe, RequestContext()):
                continue
            element = "NotAction" if actions.negated else "Action"
            written = ", ".join(actions.patterns)
            yield _policy_finding(
                "EW403",
                place,
                statement,
                f"Wildcard CloudFront grant in {place.policy.name.rsplit('/', 1)[-1]}",
                f"{_statement_text(place, statement)} allows {element} {written} on distributions: every CloudFront "
                "action, including UpdateDistribution, DeleteDistribution and GetDistributionConfig (which "
                "reveals origin secrets), today's and those AWS adds later.",
                {"element": element, "patterns": list(actions.patterns), "conditions": len(statement.conditions)},
            )


def check_tag_deny_gaps(ctx: AuditContext) -> Iterator[Finding]:
    estate = _estate(ctx)
    if estate is None:
        return
    for place in _policies(estate):
        if place.kind == "aws-managed":
            continue
        statements = place.policy.statements
        for statement in statements:
            if statement.effect != "Deny":
                continue
            for test in statement.conditions:
                key = test.key.lower()
                op = test.operator
                on_tag = key.startswith(TAG_KEYS) or key == "aws:tagkeys"
                if not on_tag or op.negated or op.if_exists or op.base.family == "null":
                    continue
                if op.set_operator is not None and op.set_operator.lower() == "forallvalues":
                    continue  # an absent key makes ForAllValues true: the deny applies
                if _absence_denied(statements, key):
                    continue
                yield _policy_finding(
                    "EW404",
                    place,
                    statement,
                    f"Tag-based deny that untagged requests slip past: {test.key}",
                    f"{_statement_text(place, statement)} denies only when {op.written} {test.key} matches; when "
                    f"the request or resource has no such tag the condition is false and the deny does not apply, "
                    "so untagged resources (or requests without the tag) are not protected.",
                    {"operator": op.written, "key": test.key},
                )


def _absence_denied(statements: tuple[Statement, ...], key: str) -> bool:
    """Another Deny of the same policy that denies when the key is missing (Null: true)."""
    for other in statements:
        if other.effect != "Deny":
            continue
        for test in other.conditions:
            null = test.key.lower() == key and test.operator.base.family == "null"
            if null and any(str(v).lower() == "true" for v in test.values):
                return True
    return False


RULES: tuple[Rule, ...] = (
    Rule(
        id="EW401",
        name="OriginSecretReadable",
        title="Principals outside the allow-list can read a distribution's origin secret",
        severity=Severity.HIGH,
        family=FAMILY,
        rationale=(
            "A secret custom header proves to the origin that a request came through CloudFront, but "
            "GetDistributionConfig and GetDistribution return it in clear. Every user and role of the snapshot "
            "is evaluated (identity policies, groups, boundaries, SCPs, RCPs); those allowed and not matching "
            "iam.allowed_principals (ARN patterns) are reported, with the statements that allow them."
        ),
        remediation="Limit cloudfront:GetDistribution* to the deployment roles; rotate the secret if needed.",
        references=(ORIGIN_HEADER_DOC, CLOUDFRONT_IAM_DOC),
        run=check_origin_secret_readers,
        tags=("security", "iam", "cloudfront"),
    ),
    Rule(
        id="EW402",
        name="DistributionChangeable",
        title="Principals outside the allow-list can change a distribution",
        severity=Severity.HIGH,
        family=FAMILY,
        rationale=(
            "UpdateDistribution can repoint origins, drop the secret header or detach the web ACL. Evaluated "
            "for every user and role like EW401."
        ),
        remediation="Grant cloudfront:UpdateDistribution to the deployment roles only.",
        references=(CLOUDFRONT_IAM_DOC,),
        run=check_distribution_changers,
        tags=("security", "iam", "cloudfront"),
    ),
    Rule(
        id="EW403",
        name="CloudFrontWildcardGrant",
        title="Identity policy grants every CloudFront action",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "An Allow with cloudfront:*, *, or a NotAction that leaves CloudFront in, on distributions, grants "
            "changing and deleting them and reading their origin secrets, and every action AWS adds later. "
            "Customer-managed and inline policies are reported (AWS-managed ones cannot be edited)."
        ),
        remediation="List the CloudFront actions the principal needs.",
        references=(LEAST_PRIVILEGE_DOC, CLOUDFRONT_IAM_DOC),
        run=check_cloudfront_wildcards,
        tags=("security", "iam", "cloudfront"),
    ),
    Rule(
        id="EW404",
        name="TagDenySlipsUntagged",
        title="Tag-based deny that untagged requests slip past",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "A condition on a missing key is false for non-negated operators, so a Deny conditioned on "
            "StringEquals aws:ResourceTag/... (or RequestTag, or ForAnyValue on aws:TagKeys) does not apply to "
            "untagged resources or requests. Not reported when another Deny of the policy denies the missing tag "
            "(Null: true), or when the operator is negated, ...IfExists or ForAllValues (all true when absent)."
        ),
        remediation=(
            "Add a Deny for the missing tag (Null: {key: true}) or use the negated form with IfExists, so that "
            "untagged requests are denied too."
        ),
        references=(CONDITION_OPERATORS_DOC,),
        run=check_tag_deny_gaps,
        tags=("security", "iam"),
    ),
)
