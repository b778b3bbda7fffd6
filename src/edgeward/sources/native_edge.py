"""The `edge:` section of the native format: CloudFront, load balancers, WAF, S3, Lambda URLs, DNS.

    edge:
      distributions:
        - id: E1WEB
          origins:
            - id: alb
              domain: web-1234567890.us-east-1.elb.amazonaws.com
              protocol_policy: https-only
              headers: {X-Origin-Verify: "a-long-random-secret"}
      load_balancers:
        - name: web
          dns_name: web-1234567890.us-east-1.elb.amazonaws.com
          vpc: vpc-app
          subnets: [subnet-a, subnet-b]
          security_groups: [sg-alb]
          listeners:
            - port: 443
              protocol: HTTPS
              default: {fixed_response: 403}
              rules:
                - priority: 1
                  if: {http_header: {name: X-Origin-Verify, values: "a-long-random-secret"}}
                  then: {forward: app}
      target_groups:
        - {name: app, port: 8080, targets: [{id: i-app, port: 8080}]}

Everything AWS names with an ARN gets one built from the file's account and region when the file
does not give it. Web ACL statements are written either in a short form (`{header: x-origin-verify,
equals: ...}`, `{not: ...}`, `{and: [...]}`, `{or: [...]}`, `{ip_set: name}`, `{rate_limit: 1000}`,
`{rule_group: arn}`, `{managed: AWS/AWSManagedRulesCommonRuleSet}`, `{geo: [FR]}`) or as AWS writes
them (`{aws: {ByteMatchStatement: {...}}}`). Secret values are read as strings and never echoed in
an error.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from edgeward.errors import InputError, ModelError
from edgeward.model.edge import (
    Distribution,
    DnsRecord,
    EdgeEstate,
    IpSet,
    LambdaFunctionUrl,
    Listener,
    ListenerRule,
    LoadBalancer,
    Origin,
    OriginAccessControl,
    OriginHeader,
    OriginKind,
    PublicAccessBlock,
    RuleAction,
    RuleCondition,
    S3Bucket,
    SecretText,
    Target,
    TargetGroup,
    VpcOrigin,
    WafRule,
    WafStatement,
    WebAcl,
    WebAclAssociation,
)
from edgeward.sources.aws_transform import Context

S3_REST_DOMAIN = re.compile(r"\.s3(?:\.dualstack)?(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")


def _scalar(value: object) -> object:
    """Secrets and other free text: any scalar is read as its text (so no error ever echoes it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str | int | float | dict) else value


Secret = Annotated[str, BeforeValidator(_scalar)]
Text = Annotated[str, BeforeValidator(_scalar), Field(min_length=1)]
Many = Annotated[list[Text], BeforeValidator(_one_or_many)]
Secrets = Annotated[list[Secret], BeforeValidator(_one_or_many)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# -- CloudFront -------------------------------------------------------------------------------
class NativeOrigin(_Model):
    """An origin. `s3: true` marks an S3 REST origin (S3OriginConfig); `vpc_origin` a VPC origin."""

    id: Text
    domain: Text | None = Field(None, description="the origin domain (not needed with vpc_origin)")
    s3: bool | None = Field(None, description="an S3 REST origin (default: an S3 REST domain with oac or oai)")
    path: str = ""
    headers: dict[str, Secret] = Field(default_factory=dict, description="custom headers: name: value (secret)")
    protocol_policy: Literal["http-only", "https-only", "match-viewer"] | None = None
    http_port: int = Field(80, ge=1, le=65535)
    https_port: int = Field(443, ge=1, le=65535)
    oac: Text | None = Field(None, description="origin access control id")
    oai: Text | None = Field(None, description="legacy origin access identity id (E2...)")
    vpc_origin: Text | None = Field(None, description="VPC origin id")
    mtls_certificate: Text | None = Field(None, description="ACM certificate ARN CloudFront presents (origin mTLS)")


class NativeDistribution(_Model):
    id: Text
    arn: Text | None = None
    account: Text | None = None
    enabled: bool = True
    domain_name: str = ""
    aliases: Many = Field(default_factory=list)
    web_acl: Text | None = Field(None, description="the web ACL on the distribution (viewer side)")
    default_origin: Text | None = None
    origins: list[NativeOrigin] = Field(min_length=1)
    address: Text | None = Field(None, description="Terraform address or CloudFormation logical id")


class NativeOac(_Model):
    id: Text
    name: str = ""
    origin_type: Literal["s3", "lambda", "mediastore", "mediapackagev2"] = "s3"
    signing_behavior: Literal["always", "never", "no-override"] = "always"


class NativeVpcOrigin(_Model):
    id: Text
    endpoint: Text = Field(description="the load balancer (name or ARN) or EC2 instance (id or ARN) behind it")
    name: str = ""
    http_port: int = 80
    https_port: int = 443
    protocol_policy: Literal["http-only", "https-only", "match-viewer"] = "match-viewer"


# -- load balancers -----------------------------------------------------------------------------
class NativeHeaderCondition(_Model):
    name: Text
    values: Secrets = Field(default_factory=list, description="value patterns (ALB: any case, * and ? wildcards)")
    regex: Secrets = Field(default_factory=list, description="RegexValues")


class NativeConditions(_Model):
    """A rule's conditions, all of which must hold."""

    http_header: Annotated[list[NativeHeaderCondition], BeforeValidator(_one_or_many)] = Field(default_factory=list)
    host: Many = Field(default_factory=list)
    path: Many = Field(default_factory=list)
    source_ip: Many = Field(default_factory=list)
    method: Many = Field(default_factory=list)
    query: list[dict[str, Text]] = Field(default_factory=list, description="[{key: k, value: v}] or [{value: v}]")


class NativeAction(_Model):
    """What a rule (or the default) does: one of forward, fixed_response, redirect (after authenticate)."""

    forward: Many | None = Field(None, description="target group names (or ARNs)")
    fixed_response: int | None = None
    redirect: int | None = None
    authenticate: Literal["oidc", "cognito"] | None = None


class NativeRule(_Model):
    priority: int = Field(ge=1, le=50000)
    if_: NativeConditions = Field(alias="if")
    then: NativeAction


class NativeListener(_Model):
    port: int = Field(ge=1, le=65535)
    protocol: Literal["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"] = "HTTP"
    default: NativeAction
    rules: list[NativeRule] = Field(default_factory=list)
    mtls: Literal["off", "passthrough", "verify"] | None = None


class NativeLoadBalancer(_Model):
    name: Text
    arn: Text | None = None
    type: Literal["application", "network"] = "application"
    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    dns_name: Text | None = None
    vpc: Text
    subnets: Many = Field(min_length=1)
    security_groups: Many = Field(default_factory=list)
    ip_address_type: Literal["ipv4", "dualstack", "dualstack-without-public-ipv4"] = "ipv4"
    attributes: dict[str, Text] = Field(default_factory=dict)
    listeners: list[NativeListener] = Field(default_factory=list)
    web_acl: Text | None = Field(None, description="a web ACL (name or ARN) associated with it")


class NativeTarget(_Model):
    id: Text
    port: int | None = None
    health: str | None = None


class NativeTargetGroup(_Model):
    name: Text
    arn: Text | None = None
    protocol: str | None = None
    port: int | None = None
    target_type: Literal["instance", "ip", "lambda", "alb"] = "instance"
    health_check_path: str | None = None
    preserve_client_ip: bool | None = None
    targets: list[NativeTarget] = Field(default_factory=list)


# -- WAF --------------------------------------------------------------------------------------------
class NativeWafRule(_Model):
    name: Text
    priority: int = Field(ge=0)
    action: Literal["allow", "block", "count", "captcha", "challenge", "none"] = Field(
        description="allow | block | count | captcha | challenge; for a rule group: none (its own actions) or count"
    )
    statement: dict[str, Any]


class NativeWebAcl(_Model):
    name: Text
    arn: Text | None = None
    scope: Literal["REGIONAL", "CLOUDFRONT"] = "REGIONAL"
    default: Literal["allow", "block"]
    rules: list[NativeWafRule] = Field(default_factory=list)


class NativeIpSet(_Model):
    name: Text
    arn: Text | None = None
    addresses: Many = Field(default_factory=list)


# -- S3, Lambda, DNS ---------------------------------------------------------------------------------
class NativePublicAccessBlock(_Model):
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False


class NativeBucket(_Model):
    name: Text
    account: Text | None = None
    region: Text | None = None
    policy: dict[str, Any] | None = Field(None, description="the bucket policy document (none: no policy)")
    public_access_block: bool | NativePublicAccessBlock | None = Field(None, description="true: all four settings on")
    website: bool = False


class NativeFunctionUrl(_Model):
    function: Text = Field(description="function name or ARN")
    url: Text = Field(description="https://<url-id>.lambda-url.<region>.on.aws/")
    auth_type: Literal["NONE", "AWS_IAM"]
    policy: dict[str, Any] | None = None


class NativeDnsRecord(_Model):
    """A Route 53 record: exactly one of alias, cname, a."""

    name: Text
    alias: Text | None = None
    cname: Text | None = None
    a: Many | None = None


class NativeEdge(_Model):
    """CloudFront distributions and what their origins are: load balancers, WAF, S3, Lambda URLs, DNS."""

    distributions: list[NativeDistribution] = Field(default_factory=list)
    origin_access_controls: list[NativeOac] = Field(default_factory=list)
    vpc_origins: list[NativeVpcOrigin] = Field(default_factory=list)
    load_balancers: list[NativeLoadBalancer] = Field(default_factory=list)
    target_groups: list[NativeTargetGroup] = Field(default_factory=list)
    web_acls: list[NativeWebAcl] = Field(default_factory=list)
    ip_sets: list[NativeIpSet] = Field(default_factory=list)
    buckets: list[NativeBucket] = Field(default_factory=list)
    account_public_access_block: bool | NativePublicAccessBlock | None = None
    function_urls: list[NativeFunctionUrl] = Field(default_factory=list)
    dns_records: list[NativeDnsRecord] = Field(default_factory=list)

    def to_estate(self, file: str, *, account: str | None, region: str | None, place: str = "edge") -> EdgeEstate:
        """Build the EdgeEstate; errors name `file` and the place under `edge:`."""
        return _Builder(self, file, account, region, place).build()


# -- building ---------------------------------------------------------------------------------------
def _hex(*parts: str, length: int = 16) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _pab(value: bool | NativePublicAccessBlock | None) -> PublicAccessBlock | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return PublicAccessBlock(value, value, value, value)
    return PublicAccessBlock(
        value.block_public_acls, value.ignore_public_acls, value.block_public_policy, value.restrict_public_buckets
    )


class _Builder:
    def __init__(self, model: NativeEdge, file: str, account: str | None, region: str | None, place: str) -> None:
        self.m = model
        self.file = file
        self.account = account
        self.region = region
        self.place = place
        self.ctx = Context(file=file, account=account or "unknown", region=region or "unknown")
        self.lb_arns: dict[str, str] = {}
        self.tg_arns: dict[str, str] = {}
        self.acl_arns: dict[str, str] = {}
        self.ip_set_arns: dict[str, str] = {}

    def error(self, place: str, message: str) -> InputError:
        return ModelError(message, file=self.file, place=f"{self.place}.{place}")

    def ref(self, place: str) -> Any:
        return self.ctx.ref(f"{self.place}.{place}")

    def need_account(self, given: str | None, place: str) -> str:
        account = given or self.account
        if account is None:
            raise self.error(place, "needs an account: give `account:` here or at the top of the file")
        return account

    def need_region(self, place: str) -> str:
        if self.region is None:
            raise self.error(
                place, "needs a region to build its ARN or DNS name: give `region:` at the top of the file"
            )
        return self.region

    def build(self) -> EdgeEstate:
        m = self.m
        ip_sets = [self.ip_set(s, f"ip_sets[{i}]") for i, s in enumerate(m.ip_sets)]
        target_groups = [self.target_group(t, f"target_groups[{i}]") for i, t in enumerate(m.target_groups)]
        web_acls = [self.web_acl(a, f"web_acls[{i}]") for i, a in enumerate(m.web_acls)]
        lbs: list[LoadBalancer] = []
        listeners: list[Listener] = []
        associations: list[WebAclAssociation] = []
        for i, lb in enumerate(m.load_balancers):
            built, its_listeners = self.load_balancer(lb, f"load_balancers[{i}]")
            lbs.append(built)
            listeners.extend(its_listeners)
            if lb.web_acl:
                acl_arn = self.acl_arns.get(lb.web_acl, lb.web_acl if lb.web_acl.startswith("arn:") else "")
                if not acl_arn:
                    raise self.error(f"load_balancers[{i}].web_acl", f"no web ACL named {lb.web_acl!r} under web_acls")
                associations.append(WebAclAssociation(acl_arn, built.arn, self.ref(f"load_balancers[{i}].web_acl")))
        return EdgeEstate(
            distributions=tuple(self.distribution(d, f"distributions[{i}]") for i, d in enumerate(m.distributions)),
            origin_access_controls=tuple(
                OriginAccessControl(o.id, o.name, o.origin_type, o.signing_behavior, source=self.ref(f"oac[{i}]"))
                for i, o in enumerate(m.origin_access_controls)
            ),
            vpc_origins=tuple(self.vpc_origin(v, f"vpc_origins[{i}]") for i, v in enumerate(m.vpc_origins)),
            load_balancers=tuple(lbs),
            listeners=tuple(listeners),
            target_groups=tuple(target_groups),
            web_acls=tuple(web_acls),
            ip_sets=tuple(ip_sets),
            web_acl_associations=tuple(associations),
            buckets=tuple(self.bucket(b, f"buckets[{i}]") for i, b in enumerate(m.buckets)),
            account_public_access_blocks=(
                ((self.need_account(None, "account_public_access_block"), p),)
                if (p := _pab(m.account_public_access_block)) is not None
                else ()
            ),
            function_urls=tuple(self.function_url(u, f"function_urls[{i}]") for i, u in enumerate(m.function_urls)),
            dns_records=tuple(self.dns_record(r, f"dns_records[{i}]") for i, r in enumerate(m.dns_records)),
        )

    # -- CloudFront
    def distribution(self, d: NativeDistribution, place: str) -> Distribution:
        account = self.need_account(d.account, place)
        origins = tuple(self.origin(o, f"{place}.origins[{j}]") for j, o in enumerate(d.origins))
        return Distribution(
            id=d.id,
            arn=d.arn or f"arn:aws:cloudfront::{account}:distribution/{d.id}",
            account=account,
            origins=origins,
            enabled=d.enabled,
            domain_name=d.domain_name,
            aliases=tuple(d.aliases),
            web_acl_id=d.web_acl,
            default_origin_id=d.default_origin or origins[0].id,
            address=d.address,
            source=self.ref(place),
        )

    def origin(self, o: NativeOrigin, place: str) -> Origin:
        if o.domain is None and o.vpc_origin is None:
            raise self.error(place, "an origin needs a domain (or a vpc_origin)")
        domain = o.domain or ""
        kind: OriginKind = "custom"
        if o.vpc_origin:
            kind = "vpc"
        elif o.s3 or (o.s3 is None and (o.oai or o.oac) and S3_REST_DOMAIN.search(domain.lower())):
            kind = "s3"
        return Origin(
            id=o.id,
            domain=domain,
            kind=kind,
            path=o.path,
            headers=tuple(OriginHeader(name, SecretText(value)) for name, value in o.headers.items()),
            protocol_policy=o.protocol_policy,
            http_port=o.http_port,
            https_port=o.https_port,
            oac_id=o.oac,
            oai=o.oai,
            vpc_origin_id=o.vpc_origin,
            mtls_certificate_arn=o.mtls_certificate,
            source=self.ref(place),
        )

    def vpc_origin(self, v: NativeVpcOrigin, place: str) -> VpcOrigin:
        endpoint = v.endpoint
        if not endpoint.startswith("arn:"):
            if endpoint.startswith("i-"):
                region = self.need_region(place)
                account = self.need_account(None, place)
                endpoint = f"arn:aws:ec2:{region}:{account}:instance/{endpoint}"
            else:
                match = next((lb for lb in self.m.load_balancers if lb.name == endpoint), None)
                if match is None:
                    raise self.error(f"{place}.endpoint", f"no load balancer named {endpoint!r} under load_balancers")
                endpoint = self.lb_arn(match, place)
        account = self.need_account(None, place)
        return VpcOrigin(
            id=v.id,
            endpoint_arn=endpoint,
            arn=f"arn:aws:cloudfront::{account}:vpcorigin/{v.id}",
            name=v.name,
            http_port=v.http_port,
            https_port=v.https_port,
            protocol_policy=v.protocol_policy,
            account=account,
            source=self.ref(place),
        )

    # -- load balancers
    def lb_arn(self, lb: NativeLoadBalancer, place: str) -> str:
        if lb.arn:
            return lb.arn
        kind = "app" if lb.type == "application" else "net"
        region = self.need_region(place)
        account = self.need_account(None, place)
        return f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{kind}/{lb.name}/{_hex(lb.name)}"

    def load_balancer(self, lb: NativeLoadBalancer, place: str) -> tuple[LoadBalancer, list[Listener]]:
        arn = self.lb_arn(lb, place)
        self.lb_arns[lb.name] = arn
        dns = lb.dns_name
        if dns is None:
            region = self.need_region(place)
            prefix = "internal-" if lb.scheme == "internal" else ""
            if lb.type == "application":
                dns = f"{prefix}{lb.name}-{int(_hex(lb.name, length=8), 16)}.{region}.elb.amazonaws.com"
            else:
                dns = f"{prefix}{lb.name}-{_hex(lb.name)}.elb.{region}.amazonaws.com"
        built = LoadBalancer(
            arn=arn,
            name=lb.name,
            type=lb.type,
            scheme=lb.scheme,
            dns_name=dns,
            vpc_id=lb.vpc,
            subnet_ids=tuple(lb.subnets),
            security_group_ids=tuple(lb.security_groups),
            ip_address_type=lb.ip_address_type,
            account=self.account or "unknown",
            region=self.region or "unknown",
            attributes=tuple(lb.attributes.items()),
            source=self.ref(place),
        )
        if lb.type == "application" and not lb.security_groups:
            raise self.error(f"{place}.security_groups", "an application load balancer has at least one security group")
        listeners = []
        key = arn.partition(":loadbalancer/")[2]
        for j, listener in enumerate(lb.listeners):
            where = f"{place}.listeners[{j}]"
            listener_arn = f"{arn.partition(':loadbalancer/')[0]}:listener/{key}/{_hex(key, str(listener.port))}"
            rules = tuple(self.rule(r, listener_arn, f"{where}.rules[{k}]") for k, r in enumerate(listener.rules))
            priorities = [r.priority for r in rules]
            if len(set(priorities)) != len(priorities):
                raise self.error(f"{where}.rules", "two rules of one listener have the same priority")
            if lb.type == "network" and (listener.rules or listener.protocol in ("HTTP", "HTTPS")):
                raise self.error(where, "a network load balancer listener is TCP, TLS, UDP or TCP_UDP, without rules")
            if lb.type == "application" and listener.protocol not in ("HTTP", "HTTPS"):
                raise self.error(f"{where}.protocol", "an application load balancer listener is HTTP or HTTPS")
            listeners.append(
                Listener(
                    arn=listener_arn,
                    load_balancer_arn=arn,
                    port=listener.port,
                    protocol=listener.protocol,
                    default_actions=self.actions(listener.default, f"{where}.default"),
                    rules=rules,
                    mtls_mode=listener.mtls,
                    source=self.ref(where),
                )
            )
        return built, listeners

    def rule(self, rule: NativeRule, listener_arn: str, place: str) -> ListenerRule:
        c = rule.if_
        conditions: list[RuleCondition] = [
            RuleCondition(
                "http-header",
                header_name=h.name,
                header_values=tuple(SecretText(v) for v in h.values),
                header_regexes=tuple(SecretText(v) for v in h.regex),
            )
            for h in c.http_header
        ]
        for name, values in (
            ("host-header", c.host),
            ("path-pattern", c.path),
            ("source-ip", c.source_ip),
            ("http-request-method", c.method),
        ):
            if values:
                conditions.append(RuleCondition(name, values=tuple(values)))
        if c.query:
            conditions.append(
                RuleCondition("query-string", query=tuple((q.get("key"), q.get("value", "")) for q in c.query))
            )
        if not conditions:
            raise self.error(f"{place}.if", "a rule needs at least one condition")
        rule_arn = listener_arn.replace(":listener/", ":listener-rule/") + f"/{rule.priority}"
        return ListenerRule(rule_arn, rule.priority, tuple(conditions), self.actions(rule.then, f"{place}.then"),
                            self.ref(place))  # fmt: skip

    def actions(self, action: NativeAction, place: str) -> tuple[RuleAction, ...]:
        chosen = [k for k in ("forward", "fixed_response", "redirect") if getattr(action, k) is not None]
        if len(chosen) != 1:
            raise self.error(place, "give exactly one of forward, fixed_response, redirect")
        out: list[RuleAction] = []
        if action.authenticate:
            out.append(RuleAction(f"authenticate-{action.authenticate}", 1))
        order = len(out) + 1
        if action.forward is not None:
            arns = []
            for name in action.forward:
                arn = self.tg_arns.get(name, name if name.startswith("arn:") else "")
                if not arn:
                    raise self.error(f"{place}.forward", f"no target group named {name!r} under target_groups")
                arns.append(arn)
            out.append(RuleAction("forward", order, tuple(arns)))
        elif action.fixed_response is not None:
            out.append(RuleAction("fixed-response", order, status_code=str(action.fixed_response)))
        else:
            out.append(RuleAction("redirect", order, status_code=str(action.redirect)))
        return tuple(out)

    def target_group(self, tg: NativeTargetGroup, place: str) -> TargetGroup:
        arn = tg.arn or (
            f"arn:aws:elasticloadbalancing:{self.need_region(place)}:{self.need_account(None, place)}:"
            f"targetgroup/{tg.name}/{_hex(tg.name)}"
        )
        self.tg_arns[tg.name] = arn
        return TargetGroup(
            arn=arn,
            name=tg.name,
            protocol=tg.protocol,
            port=tg.port,
            target_type=tg.target_type,
            health_check_path=tg.health_check_path,
            preserve_client_ip=tg.preserve_client_ip,
            targets=tuple(Target(t.id, t.port, health=t.health) for t in tg.targets),
            source=self.ref(place),
        )

    # -- WAF
    def ip_set(self, s: NativeIpSet, place: str) -> IpSet:
        arn = s.arn or (
            f"arn:aws:wafv2:{self.need_region(place)}:{self.need_account(None, place)}:regional/ipset/"
            f"{s.name}/{_hex(s.name)}"
        )
        self.ip_set_arns[s.name] = arn
        return IpSet(arn, s.name, tuple(s.addresses), source=self.ref(place))

    def web_acl(self, a: NativeWebAcl, place: str) -> WebAcl:
        scope = "global" if a.scope == "CLOUDFRONT" else "regional"
        region = "us-east-1" if a.scope == "CLOUDFRONT" else self.need_region(place)
        arn = a.arn or f"arn:aws:wafv2:{region}:{self.need_account(None, place)}:{scope}/webacl/{a.name}/{_hex(a.name)}"
        self.acl_arns[a.name] = arn
        rules = tuple(
            WafRule(r.name, r.priority, r.action, self.statement(r.statement, f"{place}.rules[{k}].statement"))
            for k, r in enumerate(a.rules)
        )
        return WebAcl(arn, a.name, a.scope, a.default, rules, source=self.ref(place))

    def statement(self, raw: Any, place: str) -> WafStatement:
        from edgeward.sources.aws_edge import waf_statement

        if not isinstance(raw, dict) or not raw:
            raise self.error(place, "a statement is a mapping, e.g. {header: x-origin-verify, equals: <secret>}")
        if "aws" in raw:
            if len(raw) != 1 or not isinstance(raw["aws"], dict):
                raise self.error(place, "aws: takes one AWS statement mapping, alone")
            try:
                return waf_statement(raw["aws"], Context(self.file), f"{self.place}.{place}.aws")
            except InputError as exc:
                raise ModelError(exc.detail, file=self.file, place=exc.place) from None
        if "header" in raw:
            constraints = {"equals": "EXACTLY", "starts_with": "STARTS_WITH", "ends_with": "ENDS_WITH",
                           "contains": "CONTAINS", "contains_word": "CONTAINS_WORD"}  # fmt: skip
            given = [k for k in constraints if k in raw]
            unknown = set(raw) - {"header", "transforms", *constraints}
            if len(given) != 1 or unknown:
                raise self.error(
                    place, "a header match is {header: NAME, equals|starts_with|ends_with|contains: VALUE, transforms}"
                )
            transforms = raw.get("transforms", [])
            if not isinstance(transforms, list):
                raise self.error(f"{place}.transforms", "expected a list such as [LOWERCASE]")
            value = _scalar(raw[given[0]])
            if not isinstance(value, str):
                raise self.error(
                    f"{place}.{given[0]}", "expected a string (the value is not shown: it may be a secret)"
                )
            return WafStatement(
                "byte-match",
                header=str(raw["header"]).lower(),
                field_to_match=f"SingleHeader {str(raw['header']).lower()}",
                search=SecretText(value),
                positional=constraints[given[0]],
                transforms=tuple(str(t).upper() for t in transforms if str(t).upper() != "NONE"),
            )
        if len(raw) != 1:
            raise self.error(place, f"a statement has one kind, found {', '.join(sorted(raw))}")
        kind, value = next(iter(raw.items()))
        if kind == "not":
            return WafStatement("not", children=(self.statement(value, f"{place}.not"),))
        if kind in ("and", "or"):
            if not isinstance(value, list) or len(value) < 2:
                raise self.error(f"{place}.{kind}", "expected a list of at least two statements")
            return WafStatement(
                kind, children=tuple(self.statement(v, f"{place}.{kind}[{j}]") for j, v in enumerate(value))
            )
        if kind == "ip_set":
            arn = self.ip_set_arns.get(str(value), str(value) if str(value).startswith("arn:") else "")
            if not arn:
                raise self.error(f"{place}.ip_set", f"no IP set named {value!r} under ip_sets")
            return WafStatement("ip-set", reference=arn)
        if kind == "rate_limit":
            return WafStatement("rate-based", text=f"rate-based (limit {value})")
        if kind == "rule_group":
            return WafStatement("rule-group", reference=str(value))
        if kind == "managed":
            return WafStatement("managed-rule-group", reference=str(value))
        if kind == "geo":
            return WafStatement("geo-match", text=f"geo-match {value}")
        raise self.error(
            place, f"unknown statement {kind!r}: use header, not, and, or, ip_set, rate_limit, rule_group, managed, "
            "geo, or aws"
        )  # fmt: skip

    # -- S3, Lambda, DNS
    def bucket(self, b: NativeBucket, place: str) -> S3Bucket:
        return S3Bucket(
            name=b.name,
            account=b.account or self.account or "unknown",
            region=b.region or self.region,
            policy=json.dumps(b.policy) if b.policy is not None else None,
            public_access_block=_pab(b.public_access_block),
            website=b.website,
            source=self.ref(place),
        )

    def function_url(self, u: NativeFunctionUrl, place: str) -> LambdaFunctionUrl:
        arn = u.function
        if not arn.startswith("arn:"):
            arn = f"arn:aws:lambda:{self.need_region(place)}:{self.need_account(None, place)}:function:{arn}"
        url = u.url if "://" in u.url else f"https://{u.url}/"
        parts = arn.split(":")
        return LambdaFunctionUrl(
            function_arn=arn,
            url=url,
            auth_type=u.auth_type,
            policy=json.dumps(u.policy) if u.policy is not None else None,
            account=parts[4] if len(parts) > 5 else "unknown",
            region=parts[3] if len(parts) > 5 else "unknown",
            source=self.ref(place),
        )

    def dns_record(self, r: NativeDnsRecord, place: str) -> DnsRecord:
        given = [k for k in ("alias", "cname", "a") if getattr(r, k) is not None]
        if len(given) != 1:
            raise self.error(place, "give exactly one of alias, cname, a")
        if r.alias is not None:
            return DnsRecord(r.name, "A", (r.alias,), alias=True, source=self.ref(place))
        if r.cname is not None:
            return DnsRecord(r.name, "CNAME", (r.cname,), source=self.ref(place))
        return DnsRecord(r.name, "A", tuple(r.a or ()), source=self.ref(place))
