"""EW3xx: CloudFront and its origins, from the origins analysis (analysis/origins.py).

The analysis decides each origin's verdict (bypassable, other distributions can reach, only via
CloudFront, unknown) with its evidence and smallest fix; these rules turn verdicts into findings and
add the configuration checks around them (secret quality and reuse, OAI, HTTP to the origin).
Secrets appear only as fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from edgeward.analysis.origins import BYPASS, OTHERS, UNKNOWN, OriginVerdict, origin_verdicts
from edgeward.model.edge import Distribution, EdgeEstate, Origin, OriginHeader
from edgeward.rules.base import Finding, Rule, Severity
from edgeward.rules.context import AuditContext

FAMILY = "CloudFront and origins"
RESTRICT_ALB = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/restrict-access-to-load-balancer.html"
)
CUSTOM_HEADERS = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html"
OAC_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html"
)
OAI_MIGRATE = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
    "private-content-restricting-access-to-s3.html#migrate-from-oai-to-oac"
)
PREFIX_LIST_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html#managed-prefix-list"
)
ORIGIN_PROTOCOL_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html"
)
VPC_ORIGINS_DOC = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html"

MIN_SECRET_LENGTH = 16
MIN_DISTINCT_CHARACTERS = 8


def _edge(ctx: AuditContext) -> EdgeEstate | None:
    edge = ctx.snapshot.edge
    return edge if isinstance(edge, EdgeEstate) and edge.distributions else None


def _verdicts(ctx: AuditContext) -> list[OriginVerdict]:
    """Computed once per audit, shared by the rules of this family."""
    if _edge(ctx) is None:
        return []
    return ctx.shared("origin-verdicts", lambda: origin_verdicts(ctx.snapshot))


def _finding(
    rule_id: str,
    severity: Severity,
    dist: Distribution,
    origin: Origin,
    title: str,
    message: str,
    evidence: dict[str, Any],
    lines: tuple[str, ...],
    remediation: str,
    key: str = "",
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        resource=dist.label,
        resource_id=dist.id,
        resource_type="cloudfront-distribution",
        title=title,
        message=message,
        evidence={"distribution": dist.arn, "origin": origin.id, "domain": origin.domain, **evidence},
        evidence_text=lines,
        location=origin.source if origin.source.file else dist.source,
        key=key or origin.id,
        remediation=remediation,
        arn=dist.arn,
        account=dist.account,
    )


def _verdict_finding(rule_id: str, severity: Severity, verdict: OriginVerdict, title: str) -> Finding:
    fix = verdict.fix.text if verdict.fix is not None else ""
    return _finding(
        rule_id,
        severity,
        verdict.distribution,
        verdict.origin,
        f"{title}: origin {verdict.origin.id} of {verdict.distribution.label}",
        f"Origin {verdict.origin.id} ({verdict.resolved}) of {verdict.distribution.label}: {verdict.summary}.",
        {
            "verdict": verdict.verdict,
            "resolved_to": verdict.resolved,
            "fix": verdict.fix.to_json() if verdict.fix is not None else None,
            "trace": [h.to_json() for h in verdict.trace],
            "notes": list(verdict.notes),
        },
        (verdict.evidence + tuple(f"note: {n}" for n in verdict.notes)) or (verdict.summary,),
        fix,
    )


def _oac_without_source_arn(verdict: OriginVerdict) -> bool:
    return verdict.verdict == OTHERS and verdict.origin.kind == "s3" and verdict.origin.oac_id is not None


def check_bypassable(ctx: AuditContext) -> Iterator[Finding]:
    for verdict in _verdicts(ctx):
        if verdict.verdict == BYPASS:
            yield _verdict_finding("EW301", Severity.HIGH, verdict, "Origin reachable without CloudFront")


def check_other_distributions(ctx: AuditContext) -> Iterator[Finding]:
    for verdict in _verdicts(ctx):
        if verdict.verdict == OTHERS and not _oac_without_source_arn(verdict):
            yield _verdict_finding("EW302", Severity.MEDIUM, verdict, "Other distributions can reach the origin")


def check_oac_source_arn(ctx: AuditContext) -> Iterator[Finding]:
    for verdict in _verdicts(ctx):
        if _oac_without_source_arn(verdict):
            yield _verdict_finding(
                "EW304", Severity.MEDIUM, verdict, "Bucket policy grants CloudFront without AWS:SourceArn"
            )


def check_unknown(ctx: AuditContext) -> Iterator[Finding]:
    for verdict in _verdicts(ctx):
        if verdict.verdict == UNKNOWN:
            yield _verdict_finding("EW307", Severity.INFO, verdict, "Cannot tell whether only CloudFront reaches")


def _weakness(header: OriginHeader) -> str | None:
    value = header.value.reveal()  # measured here, never printed
    if len(value) < MIN_SECRET_LENGTH:
        return f"{len(value)} characters (fewer than {MIN_SECRET_LENGTH})"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return f"only {len(set(value))} distinct characters"
    return None


def check_secrets(ctx: AuditContext) -> Iterator[Finding]:
    edge = _edge(ctx)
    if edge is None:
        return
    users: dict[str, list[tuple[Distribution, Origin]]] = {}
    for dist in edge.distributions:
        for origin in dist.origins:
            for header in origin.headers:
                users.setdefault(header.value.fingerprint, []).append((dist, origin))
    for dist in edge.distributions:
        for origin in dist.origins:
            for header in origin.headers:
                problems: list[str] = []
                weak = _weakness(header)
                if weak:
                    problems.append(f"weak: {weak}")
                others = sorted({d.label for d, _ in users[header.value.fingerprint] if d.id != dist.id})
                if others:
                    problems.append(f"shared with distribution(s) {', '.join(others)}")
                if not problems:
                    continue
                yield _finding(
                    "EW303",
                    Severity.HIGH if others else Severity.MEDIUM,
                    dist,
                    origin,
                    f"Weak or shared origin secret {header.name} on origin {origin.id} of {dist.label}",
                    f"The secret header {header.name} ({header.value.fingerprint}) that {dist.label} sends to origin "
                    f"{origin.id} is {'; '.join(problems)}. A guessable secret lets anyone pass the origin's check; "
                    "a shared one lets the other distributions (and whoever controls them) pass it.",
                    {"header": header.name, "fingerprint": header.value.fingerprint, "problems": problems},
                    tuple(problems),
                    "Give each distribution its own random secret of 32+ characters, rotate it regularly, and "
                    "update the origin's check (listener rule or WAF) first.",
                    key=f"{origin.id}|{header.name}",
                )


def check_legacy_oai(ctx: AuditContext) -> Iterator[Finding]:
    edge = _edge(ctx)
    if edge is None:
        return
    for dist in edge.distributions:
        for origin in dist.origins:
            if origin.oai:
                yield _finding(
                    "EW305",
                    Severity.LOW,
                    dist,
                    origin,
                    f"Legacy origin access identity on origin {origin.id} of {dist.label}",
                    f"Origin {origin.id} ({origin.domain}) uses origin access identity {origin.oai}. OAI does not "
                    "support SSE-KMS, dynamic requests (PUT, DELETE) or the Regions launched after 2022, and a "
                    "bucket policy for an OAI cannot be scoped to one distribution with AWS:SourceArn.",
                    {"oai": origin.oai},
                    (f"S3OriginConfig.OriginAccessIdentity: origin-access-identity/cloudfront/{origin.oai}",),
                    "Migrate to origin access control (OAC) and a bucket policy with AWS:SourceArn set to this "
                    "distribution's ARN.",
                )


def check_http_only(ctx: AuditContext) -> Iterator[Finding]:
    edge = _edge(ctx)
    if edge is None:
        return
    for dist in edge.distributions:
        for origin in dist.origins:
            if origin.kind == "s3" or origin.protocol_policy != "http-only":
                continue
            secret = (
                " including the secret header(s) " + ", ".join(h.name for h in origin.headers) if origin.headers else ""
            )
            yield _finding(
                "EW306",
                Severity.HIGH if origin.headers else Severity.MEDIUM,
                dist,
                origin,
                f"HTTP-only connection to origin {origin.id} of {dist.label}",
                f"{dist.label} connects to origin {origin.id} ({origin.domain}) over plain HTTP on port "
                f"{origin.http_port}: every request and response,{secret} crosses the internet unencrypted and can "
                "be read or changed on the way.",
                {
                    "protocol_policy": origin.protocol_policy,
                    "http_port": origin.http_port,
                    "secret_headers": len(origin.headers),
                },
                (f"OriginProtocolPolicy: {origin.protocol_policy}",),
                "Set the origin protocol policy to https-only (with a certificate on the origin), or use a VPC origin.",
            )


RULES: tuple[Rule, ...] = (
    Rule(
        id="EW301",
        name="OriginBypassable",
        title="Origin reachable without going through CloudFront",
        severity=Severity.HIGH,
        family=FAMILY,
        rationale=(
            "An internet source outside CloudFront gets through to the origin's application: past its network "
            "path (public address, groups, NACLs), its listener rules or its resource policy. Whoever goes "
            "around CloudFront skips its WAF, caching, geo and rate limits and signed URLs. The finding carries "
            "the path and the smallest fix the origins analysis found."
        ),
        remediation=(
            "Check a secret only this distribution sends (listener rule or WAF, 403 otherwise), admit only the "
            "CloudFront origin-facing prefix list, or use a VPC origin or OAC with AWS:SourceArn."
        ),
        references=(RESTRICT_ALB, PREFIX_LIST_DOC, VPC_ORIGINS_DOC),
        run=check_bypassable,
        tags=("security", "cloudfront", "origin"),
    ),
    Rule(
        id="EW302",
        name="OtherDistributionsReachOrigin",
        title="Other CloudFront distributions can reach the origin",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "Only CloudFront reaches the origin, but nothing checks that a request comes from this distribution "
            "(the origin-facing prefix list admits every distribution of every AWS account), or the secret it "
            "checks is also sent by other distributions. Anyone can create a distribution pointing at it."
        ),
        remediation="Add a secret origin header only this distribution sends, checked by the origin.",
        references=(PREFIX_LIST_DOC, RESTRICT_ALB),
        run=check_other_distributions,
        tags=("security", "cloudfront", "origin"),
    ),
    Rule(
        id="EW303",
        name="WeakOrSharedOriginSecret",
        title="Weak or shared origin secret header",
        severity=Severity.HIGH,
        family=FAMILY,
        rationale=(
            "The secret custom header is the origin's proof that a request came through this distribution. One "
            "shorter than 16 characters or with fewer than 8 distinct characters is guessable (medium); one sent "
            "by several distributions lets each of them, and whoever can edit them, pass the check (high). Only "
            "fingerprints are shown."
        ),
        remediation="One random secret of 32+ characters per distribution, rotated regularly.",
        references=(CUSTOM_HEADERS, RESTRICT_ALB),
        run=check_secrets,
        tags=("security", "cloudfront", "secret"),
    ),
    Rule(
        id="EW304",
        name="OacWithoutSourceArn",
        title="S3 origin grants CloudFront without AWS:SourceArn",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "A bucket policy that allows the cloudfront.amazonaws.com service principal without an AWS:SourceArn "
            "(or AWS:SourceAccount) condition lets any distribution, of any account, read the bucket through "
            "OAC. The origins analysis evaluates the bucket policy for a distribution of another account."
        ),
        remediation='Add "Condition": {"StringEquals": {"AWS:SourceArn": "<this distribution\'s ARN>"}}.',
        references=(OAC_DOC,),
        run=check_oac_source_arn,
        tags=("security", "cloudfront", "s3"),
    ),
    Rule(
        id="EW305",
        name="LegacyOriginAccessIdentity",
        title="S3 origin uses a legacy origin access identity",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "AWS recommends origin access control (OAC) over the legacy origin access identity: OAI supports "
            "neither SSE-KMS nor every Region, and cannot be tied to one distribution with AWS:SourceArn."
        ),
        remediation="Migrate the origin from OAI to OAC and scope the bucket policy with AWS:SourceArn.",
        references=(OAI_MIGRATE,),
        run=check_legacy_oai,
        tags=("security", "cloudfront", "s3"),
    ),
    Rule(
        id="EW306",
        name="HttpOnlyOriginProtocol",
        title="CloudFront connects to the origin over plain HTTP",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "With the origin protocol policy http-only, requests, responses and any secret header travel "
            "unencrypted between CloudFront and a custom origin. High when a secret header is sent that way."
        ),
        remediation="Use https-only (or a VPC origin).",
        references=(ORIGIN_PROTOCOL_DOC,),
        run=check_http_only,
        tags=("security", "cloudfront", "tls"),
    ),
    Rule(
        id="EW307",
        name="OriginVerdictUnknown",
        title="Cannot tell whether only CloudFront reaches the origin",
        severity=Severity.INFO,
        family=FAMILY,
        rationale=(
            "The snapshot lacks something the verdict depends on (the load balancer behind a domain, a bucket "
            "policy, values known only after apply); the finding says what, rather than guessing."
        ),
        remediation="Add the missing resources to the snapshot (see the finding).",
        references=(RESTRICT_ALB,),
        run=check_unknown,
        tags=("cloudfront", "coverage"),
    ),
)
