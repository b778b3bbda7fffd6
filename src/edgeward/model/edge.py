"""The edge estate: CloudFront, load balancers, WAF, S3 buckets, Lambda function URLs, DNS records.

Frozen dataclasses, references by ARN or id, like the network model. Secret values (origin custom
header values, and the ALB header patterns and WAF search strings that check them) are held in
`SecretText`, whose every printed form is its fingerprint: a secret cannot leave through a repr, a
log line or an f-string by accident.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from edgeward.errors import ModelError
from edgeward.model.network import NO_SOURCE, SourceRef
from edgeward.secrets import fingerprint


class SecretText:
    """A secret string. `str()`, `repr()` and `format()` give only its fingerprint (`sha256:1a2b3c4d`).

    The clear value is reachable through `reveal()` only, for comparisons inside semantics.
    """

    __slots__ = ("_fingerprint", "_value")
    _fingerprint: str
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_fingerprint", fingerprint(value))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SecretText is immutable")

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def reveal(self) -> str:
        """The clear value: for matching only, never for output."""
        return self._value

    def equals(self, other: str) -> bool:
        return hmac.compare_digest(self._value.encode("utf-8"), other.encode("utf-8"))

    def __repr__(self) -> str:
        return f"SecretText({self._fingerprint})"

    def __str__(self) -> str:
        return self._fingerprint

    def __format__(self, spec: str) -> str:
        return format(self._fingerprint, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretText) and self._value == other._value

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __reduce__(self) -> tuple[object, ...]:  # pragma: no cover - refuse to pickle a secret
        raise TypeError("SecretText cannot be pickled")


# -- CloudFront -------------------------------------------------------------------------------
OriginKind = Literal["s3", "custom", "vpc"]


@dataclass(frozen=True, slots=True)
class OriginHeader:
    """A custom header CloudFront adds to every request it sends to the origin."""

    name: str
    value: SecretText


@dataclass(frozen=True, slots=True)
class Origin:
    """One origin of a distribution, as `DistributionConfig.Origins.Items[]` describes it.

    `kind`: `s3` (S3OriginConfig: the S3 REST endpoint), `vpc` (VpcOriginConfig), else `custom`.
    `oai`: the legacy origin access identity id (`E2...`), from `origin-access-identity/cloudfront/E2...`.
    """

    id: str
    domain: str
    kind: OriginKind = "custom"
    path: str = ""
    headers: tuple[OriginHeader, ...] = ()
    protocol_policy: str | None = None  # http-only | https-only | match-viewer (custom and VPC origins)
    http_port: int = 80
    https_port: int = 443
    oac_id: str | None = None
    oai: str | None = None
    vpc_origin_id: str | None = None
    vpc_origin_owner: str | None = None
    mtls_certificate_arn: str | None = None
    source: SourceRef = NO_SOURCE

    def header(self, name: str) -> OriginHeader | None:
        """The custom header of this name (header names are case-insensitive)."""
        wanted = name.lower()
        return next((h for h in self.headers if h.name.lower() == wanted), None)

    def ports(self) -> tuple[tuple[str, int], ...]:
        """(scheme, port) pairs CloudFront connects to, per the origin protocol policy."""
        policy = self.protocol_policy or "match-viewer"
        if policy == "http-only":
            return (("http", self.http_port),)
        if policy == "https-only":
            return (("https", self.https_port),)
        return (("http", self.http_port), ("https", self.https_port))


@dataclass(frozen=True, slots=True)
class Distribution:
    id: str
    arn: str
    account: str
    origins: tuple[Origin, ...]
    enabled: bool = True
    domain_name: str = ""
    aliases: tuple[str, ...] = ()
    web_acl_id: str | None = None
    default_origin_id: str | None = None
    behavior_origin_ids: tuple[str, ...] = ()
    address: str | None = None  # Terraform address or CloudFormation logical id, when read from IaC
    source: SourceRef = NO_SOURCE

    @property
    def label(self) -> str:
        """How users name it: the IaC address when read from IaC, else the id."""
        return self.address or self.id


@dataclass(frozen=True, slots=True)
class OriginAccessControl:
    id: str
    name: str = ""
    origin_type: str = "s3"  # s3 | mediastore | mediapackagev2 | lambda
    signing_behavior: str = "always"  # always | never | no-override
    signing_protocol: str = "sigv4"
    source: SourceRef = NO_SOURCE


@dataclass(frozen=True, slots=True)
class VpcOrigin:
    """A CloudFront VPC origin: CloudFront reaches `endpoint_arn` (ALB, NLB or EC2 instance) privately."""

    id: str
    endpoint_arn: str
    arn: str = ""
    name: str = ""
    http_port: int = 80
    https_port: int = 443
    protocol_policy: str = "match-viewer"
    account: str = "unknown"
    source: SourceRef = NO_SOURCE


# -- Elastic Load Balancing v2 ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LoadBalancer:
    """An ALB, NLB or GWLB. `security_group_ids` is empty for an NLB created without groups."""

    arn: str
    name: str
    type: str  # application | network | gateway
    scheme: str  # internet-facing | internal
    dns_name: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...] = ()
    ip_address_type: str = "ipv4"  # ipv4 | dualstack | dualstack-without-public-ipv4
    account: str = "unknown"
    region: str = "unknown"
    attributes: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    @property
    def id(self) -> str:
        return self.arn

    @property
    def internet_facing(self) -> bool:
        return self.scheme == "internet-facing"

    @property
    def key(self) -> str:
        """`app/<name>/<id>` or `net/<name>/<id>`: how its interfaces' descriptions name it (`ELB app/...`)."""
        _, _, tail = self.arn.partition(":loadbalancer/")
        return tail

    def attribute(self, key: str) -> str | None:
        return dict(self.attributes).get(key)


ConditionField = Literal[
    "http-header", "host-header", "path-pattern", "source-ip", "http-request-method", "query-string", "other"
]


@dataclass(frozen=True, slots=True)
class RuleCondition:
    """One condition of a listener rule. For `http-header`, the value patterns are the secret: `SecretText`."""

    field: str
    values: tuple[str, ...] = ()  # host-header, path-pattern, source-ip, http-request-method (not secret)
    header_name: str | None = None
    header_values: tuple[SecretText, ...] = ()  # http-header value patterns (case-insensitive, * and ?)
    header_regexes: tuple[SecretText, ...] = ()  # http-header RegexValues
    query: tuple[tuple[str | None, str], ...] = ()  # query-string key/value patterns

    def describe(self) -> str:
        if self.field == "http-header":
            prints = ", ".join(v.fingerprint for v in self.header_values + self.header_regexes)
            return f"http-header {self.header_name} in [{prints}]"
        if self.field == "query-string":
            pairs = ", ".join(f"{k}={v}" if k else v for k, v in self.query)
            return f"query-string [{pairs}]"
        return f"{self.field} in [{', '.join(self.values)}]"


def _target_group_name(arn: str) -> str:
    tail = arn.rsplit(":", 1)[-1]
    parts = tail.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "targetgroup" else tail


@dataclass(frozen=True, slots=True)
class RuleAction:
    type: str  # forward | fixed-response | redirect | authenticate-oidc | authenticate-cognito
    order: int | None = None
    target_group_arns: tuple[str, ...] = ()
    status_code: str | None = None  # fixed-response / redirect

    @property
    def forwards(self) -> bool:
        return self.type == "forward"

    def describe(self) -> str:
        if self.type == "forward":
            groups = ", ".join(_target_group_name(a) for a in self.target_group_arns) or "?"
            return f"forward to {groups}"
        if self.type in ("fixed-response", "redirect") and self.status_code:
            return f"{self.type} {self.status_code}"
        return self.type


@dataclass(frozen=True, slots=True)
class ListenerRule:
    """A listener rule; the default rule has `priority` None (AWS: "default")."""

    arn: str
    priority: int | None
    conditions: tuple[RuleCondition, ...]
    actions: tuple[RuleAction, ...]
    source: SourceRef = NO_SOURCE

    @property
    def is_default(self) -> bool:
        return self.priority is None

    @property
    def label(self) -> str:
        return "default rule" if self.priority is None else f"rule {self.priority}"

    def final_action(self) -> RuleAction | None:
        """The action that decides: the last by order (authenticate actions come first)."""
        if not self.actions:
            return None
        return sorted(self.actions, key=lambda a: a.order if a.order is not None else 0)[-1]


@dataclass(frozen=True, slots=True)
class Listener:
    """A listener. `rules` holds the non-default rules; None when the snapshot does not have them."""

    arn: str
    load_balancer_arn: str
    port: int
    protocol: str  # HTTP | HTTPS | TCP | TLS | UDP | TCP_UDP | GENEVE
    default_actions: tuple[RuleAction, ...]
    rules: tuple[ListenerRule, ...] | None = ()
    mtls_mode: str | None = None  # off | passthrough | verify (HTTPS listeners of ALBs)
    source: SourceRef = NO_SOURCE

    @property
    def ip_protocols(self) -> tuple[int, ...]:
        """IANA protocol numbers the listener accepts: TCP for HTTP/HTTPS/TCP/TLS, UDP, or both."""
        proto = self.protocol.upper()
        if proto == "UDP":
            return (17,)
        if proto == "TCP_UDP":
            return (6, 17)
        if proto == "GENEVE":
            return (17,)
        return (6,)

    @property
    def is_http(self) -> bool:
        return self.protocol.upper() in ("HTTP", "HTTPS")

    def default_rule(self) -> ListenerRule:
        return ListenerRule(f"{self.arn} (default)", None, (), self.default_actions, self.source)

    def ordered_rules(self) -> tuple[ListenerRule, ...]:
        """Rules as ALB evaluates them: by priority, lowest first, then the default rule."""
        rules = sorted(self.rules or (), key=lambda r: r.priority if r.priority is not None else 1 << 30)
        return (*[r for r in rules if not r.is_default], self.default_rule())


@dataclass(frozen=True, slots=True)
class Target:
    id: str  # instance id, IP address, Lambda ARN or ALB ARN
    port: int | None = None
    availability_zone: str | None = None
    health: str | None = None


@dataclass(frozen=True, slots=True)
class TargetGroup:
    arn: str
    name: str
    protocol: str | None = None
    port: int | None = None
    target_type: str = "instance"
    vpc_id: str | None = None
    load_balancer_arns: tuple[str, ...] = ()
    health_check_path: str | None = None
    health_check_port: str | None = None
    preserve_client_ip: bool | None = None
    targets: tuple[Target, ...] = ()
    source: SourceRef = NO_SOURCE


# -- AWS WAF (v2) -----------------------------------------------------------------------------
StatementKind = Literal[
    "byte-match", "ip-set", "rate-based", "rule-group", "managed-rule-group", "and", "or", "not", "geo-match", "other"
]


@dataclass(frozen=True, slots=True)
class WafStatement:
    """A rule statement. Byte matches keep their search string as `SecretText` (it may be the origin secret)."""

    kind: str
    header: str | None = None  # byte-match on SingleHeader: the header name (lower case)
    field_to_match: str = ""  # e.g. "SingleHeader x-origin-verify", "UriPath"
    search: SecretText | None = None
    positional: str = "EXACTLY"
    transforms: tuple[str, ...] = ()
    reference: str | None = None  # IP set ARN, rule group ARN, managed rule group vendor/name
    children: tuple[WafStatement, ...] = ()
    text: str = ""  # for statements edgeward does not evaluate: what they are

    def describe(self) -> str:
        if self.kind == "byte-match":
            what = f"header {self.header}" if self.header else self.field_to_match or "?"
            transforms = "+".join(self.transforms) or "NONE"
            search = self.search.fingerprint if self.search else "?"
            return f"byte-match {what} {self.positional} {search} ({transforms})"
        if self.kind == "ip-set":
            return f"IP set {self.reference}"
        if self.kind in ("and", "or"):
            return f"{self.kind.upper()}(" + "; ".join(c.describe() for c in self.children) + ")"
        if self.kind == "not":
            return "NOT(" + (self.children[0].describe() if self.children else "?") + ")"
        if self.kind in ("rule-group", "managed-rule-group"):
            return f"{self.kind} {self.reference}"
        if self.kind == "rate-based":
            return "rate-based"
        return self.text or self.kind


@dataclass(frozen=True, slots=True)
class WafRule:
    """A web ACL rule. `action`: allow | block | count | captcha | challenge; for rule groups the
    override action decides: `none` (the group's own actions apply) or `count`."""

    name: str
    priority: int
    action: str
    statement: WafStatement


@dataclass(frozen=True, slots=True)
class WebAcl:
    arn: str
    name: str
    scope: str  # REGIONAL | CLOUDFRONT
    default_action: str  # allow | block
    rules: tuple[WafRule, ...]
    id: str = ""
    source: SourceRef = NO_SOURCE

    def ordered(self) -> tuple[WafRule, ...]:
        return tuple(sorted(self.rules, key=lambda r: r.priority))


@dataclass(frozen=True, slots=True)
class IpSet:
    arn: str
    name: str
    addresses: tuple[str, ...]
    version: str = "IPV4"
    source: SourceRef = NO_SOURCE


@dataclass(frozen=True, slots=True)
class WebAclAssociation:
    web_acl_arn: str
    resource_arn: str
    source: SourceRef = NO_SOURCE


# -- S3 and Lambda ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False


@dataclass(frozen=True, slots=True)
class S3Bucket:
    """A bucket. `policy` is the bucket policy's JSON text (parsed by the IAM engine when analysed)."""

    name: str
    account: str = "unknown"
    region: str | None = None
    policy: str | None = None
    policy_known: bool = True  # False: the bucket is listed but its policy was not collected
    public_access_block: PublicAccessBlock | None = None
    website: bool = False
    website_redirect_all: str | None = None
    source: SourceRef = NO_SOURCE

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


@dataclass(frozen=True, slots=True)
class LambdaFunctionUrl:
    function_arn: str
    url: str
    auth_type: str  # NONE | AWS_IAM
    policy: str | None = None  # the function's resource-based policy, JSON text
    account: str = "unknown"
    region: str = "unknown"
    source: SourceRef = NO_SOURCE

    @property
    def host(self) -> str:
        text = self.url.split("://", 1)[-1]
        return text.split("/", 1)[0].lower().rstrip(".")

    @property
    def function_name(self) -> str:
        return self.function_arn.split(":function:", 1)[-1].split(":", 1)[0]


# -- DNS ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DnsRecord:
    """A Route 53 record: `targets` are alias DNS names, CNAME values or A/AAAA addresses."""

    name: str
    type: str
    targets: tuple[str, ...]
    alias: bool = False
    source: SourceRef = NO_SOURCE


# -- the estate -----------------------------------------------------------------------------------
def normalise_host(name: str) -> str:
    """Lower case, no trailing dot (DNS names compare case-insensitively)."""
    return name.strip().lower().rstrip(".")


@dataclass(frozen=True)
class EdgeEstate:
    """Every edge resource of a snapshot, in input order, with lookups built on first use."""

    distributions: tuple[Distribution, ...] = ()
    origin_access_controls: tuple[OriginAccessControl, ...] = ()
    vpc_origins: tuple[VpcOrigin, ...] = ()
    load_balancers: tuple[LoadBalancer, ...] = ()
    listeners: tuple[Listener, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    web_acls: tuple[WebAcl, ...] = ()
    ip_sets: tuple[IpSet, ...] = ()
    web_acl_associations: tuple[WebAclAssociation, ...] = ()
    buckets: tuple[S3Bucket, ...] = ()
    account_public_access_blocks: tuple[tuple[str, PublicAccessBlock], ...] = ()
    function_urls: tuple[LambdaFunctionUrl, ...] = ()
    dns_records: tuple[DnsRecord, ...] = ()
    # CloudFront origin-facing CIDRs of the families the snapshot's prefix lists lack, from the dated copy
    # of AWS ip-ranges.json (filled by the sources; see sources/edge_common.py)
    origin_facing: tuple[str, ...] = ()
    origin_facing_date: str = ""
    notes: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return any(
            (
                self.distributions,
                self.load_balancers,
                self.buckets,
                self.function_urls,
                self.web_acls,
                self.vpc_origins,
            )
        )

    @cached_property
    def load_balancer_by_arn(self) -> dict[str, LoadBalancer]:
        return {lb.arn: lb for lb in self.load_balancers}

    @cached_property
    def load_balancer_by_dns(self) -> dict[str, LoadBalancer]:
        return {normalise_host(lb.dns_name): lb for lb in self.load_balancers if lb.dns_name}

    @cached_property
    def listeners_by_lb(self) -> dict[str, tuple[Listener, ...]]:
        out: dict[str, list[Listener]] = {}
        for listener in self.listeners:
            out.setdefault(listener.load_balancer_arn, []).append(listener)
        return {k: tuple(sorted(v, key=lambda x: x.port)) for k, v in out.items()}

    @cached_property
    def target_group_by_arn(self) -> dict[str, TargetGroup]:
        return {tg.arn: tg for tg in self.target_groups}

    @cached_property
    def web_acl_by_arn(self) -> dict[str, WebAcl]:
        return {acl.arn: acl for acl in self.web_acls}

    @cached_property
    def ip_set_by_arn(self) -> dict[str, IpSet]:
        return {s.arn: s for s in self.ip_sets}

    @cached_property
    def web_acls_of_resource(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for assoc in self.web_acl_associations:
            bucket = out.setdefault(assoc.resource_arn, [])
            if assoc.web_acl_arn not in bucket:
                bucket.append(assoc.web_acl_arn)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def bucket_by_name(self) -> dict[str, S3Bucket]:
        return {b.name: b for b in self.buckets}

    @cached_property
    def function_url_by_host(self) -> dict[str, LambdaFunctionUrl]:
        return {u.host: u for u in self.function_urls}

    @cached_property
    def oac_by_id(self) -> dict[str, OriginAccessControl]:
        return {o.id: o for o in self.origin_access_controls}

    @cached_property
    def vpc_origin_by_id(self) -> dict[str, VpcOrigin]:
        return {v.id: v for v in self.vpc_origins}

    @cached_property
    def dns_by_name(self) -> dict[str, DnsRecord]:
        return {normalise_host(r.name): r for r in self.dns_records}

    def account_public_access_block(self, account: str) -> PublicAccessBlock | None:
        return dict(self.account_public_access_blocks).get(account)


def _duplicates(kind: str, items: tuple[tuple[str, SourceRef], ...]) -> None:
    seen: set[str] = set()
    for ident, source in items:
        if ident in seen:
            raise ModelError(f"duplicate {kind} {ident}", file=source.file or None, place=source.place or None)
        seen.add(ident)


def validate_edge(
    edge: EdgeEstate, *, subnet_ids: Collection[str], group_ids: Collection[str], vpc_ids: Collection[str]
) -> None:
    """Raise ModelError for duplicate ids and references to resources the snapshot does not hold.

    A load balancer must sit in subnets and carry groups of the network estate (its reachability is
    computed by the network engine); a listener must belong to a load balancer of the estate.
    """
    _duplicates("distribution", tuple((d.id, d.source) for d in edge.distributions))
    _duplicates("load balancer", tuple((lb.arn, lb.source) for lb in edge.load_balancers))
    _duplicates("listener", tuple((x.arn, x.source) for x in edge.listeners))
    _duplicates("web ACL", tuple((w.arn, w.source) for w in edge.web_acls))
    _duplicates("bucket", tuple((b.name, b.source) for b in edge.buckets))
    for dist in edge.distributions:
        _duplicates(f"origin id in distribution {dist.id}:", tuple((o.id, o.source) for o in dist.origins))
    for lb in edge.load_balancers:
        where = {"file": lb.source.file or None, "place": lb.source.place or None}
        if lb.vpc_id not in vpc_ids:
            raise ModelError(f"load balancer {lb.name} is in VPC {lb.vpc_id}, which is not in the snapshot", **where)
        for subnet in lb.subnet_ids:
            if subnet not in subnet_ids:
                message = f"load balancer {lb.name} is in subnet {subnet}, which is not in the snapshot"
                raise ModelError(message, **where)
        for group in lb.security_group_ids:
            if group not in group_ids:
                raise ModelError(
                    f"load balancer {lb.name} has security group {group}, which is not in the snapshot", **where
                )
    for listener in edge.listeners:
        if listener.load_balancer_arn not in edge.load_balancer_by_arn:
            raise ModelError(
                f"listener {listener.arn} belongs to load balancer {listener.load_balancer_arn}, "
                "which is not in the snapshot",
                file=listener.source.file or None,
                place=listener.source.place or None,
            )
