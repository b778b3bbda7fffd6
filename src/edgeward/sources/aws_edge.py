"""Pure transforms from AWS responses to the edge model: CloudFront, ELBv2, WAFv2, S3, Lambda, Route 53.

`edge_estate(extra)` takes the responses `aws_json` routed aside by top-level key (each with its
`Context`) and builds the `EdgeEstate`. Responses that do not name their subject carry the request
parameters in the `RequestParameters` envelope (docs/aws_json.md). Malformed input raises
`InputError` naming the file and the JSON path; a secret value never appears in a message.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

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

Extra = Mapping[str, Sequence[tuple[Context, dict[str, Any]]]]

# Top-level keys of the responses this module reads (registered in aws_json.EXTRA_KEYS).
EDGE_KEYS = frozenset(
    {
        "DistributionList",
        "Distribution",
        "DistributionConfig",
        "OriginAccessControlList",
        "OriginAccessControl",
        "VpcOriginList",
        "VpcOrigin",
        "LoadBalancers",
        "LoadBalancerAttributes",
        "Attributes",
        "Listeners",
        "LoadBalancerListeners",
        "Rules",
        "TargetGroups",
        "TargetHealthDescriptions",
        "LoadBalancerTargetHealth",
        "WebACL",
        "ResourceArns",
        "IPSet",
        "Policy",
        "PublicAccessBlockConfiguration",
        "IndexDocument",
        "RedirectAllRequestsTo",
        "Buckets",
        "LocationConstraint",
        "FunctionUrlConfigs",
        "FunctionUrl",
        "ResourceRecordSets",
    }
)


# -- small readers ------------------------------------------------------------------------------
def _obj(value: Any, ctx: Context, place: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ctx.error(place, f"expected an object, found {type(value).__name__}")
    return value


def _list(value: Any, ctx: Context, place: str) -> Sequence[Any]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ctx.error(place, f"expected a list, found {type(value).__name__}")
    return value


def _str(obj: Mapping[str, Any], key: str, ctx: Context, place: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ctx.error(f"{place}.{key}", "missing or not a string")
    return value


def _opt(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _int(obj: Mapping[str, Any], key: str, ctx: Context, place: str, default: int | None = None) -> int | None:
    value = obj.get(key, default)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ctx.error(f"{place}.{key}", f"not an integer: {value!r}") from None


def _secret(value: Any, ctx: Context, place: str) -> SecretText:
    """A secret string; the message on error never includes the value."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ctx.error(place, "expected a string (the value is not shown: it may be a secret)")
    return SecretText(str(value))


def _items(container: Any, ctx: Context, place: str) -> Sequence[Any]:
    """CloudFront's `{Quantity, Items}` lists (Items absent when Quantity is 0)."""
    if container is None:
        return ()
    if isinstance(container, list):
        return container
    return _list(_obj(container, ctx, place).get("Items"), ctx, f"{place}.Items")


def _params(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    params = doc.get("RequestParameters")
    return params if isinstance(params, Mapping) else {}


def _need(doc: Mapping[str, Any], keys: tuple[str, ...], ctx: Context, what: str, place: str) -> tuple[str, str]:
    params = _params(doc)
    for key in keys:
        if isinstance(params.get(key), str) and params[key]:
            return key, str(params[key])
    wanted = " or ".join(f'"{k}"' for k in keys)
    raise ctx.error(
        place, f'{what} output needs {{"RequestParameters": {{{wanted}: ...}}}} beside it (docs/aws_json.md)'
    )


def _account_of_arn(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else default


def _region_of_arn(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[3] else default


# -- CloudFront ---------------------------------------------------------------------------------
def origin(item: Mapping[str, Any], ctx: Context, place: str) -> Origin:
    headers = tuple(
        OriginHeader(
            _str(
                _obj(h, ctx, f"{place}.CustomHeaders.Items[{j}]"),
                "HeaderName",
                ctx,
                f"{place}.CustomHeaders.Items[{j}]",
            ),
            _secret(h.get("HeaderValue"), ctx, f"{place}.CustomHeaders.Items[{j}].HeaderValue"),
        )
        for j, h in enumerate(_items(item.get("CustomHeaders"), ctx, f"{place}.CustomHeaders"))
    )
    custom = item.get("CustomOriginConfig") if isinstance(item.get("CustomOriginConfig"), Mapping) else None
    s3 = item.get("S3OriginConfig") if isinstance(item.get("S3OriginConfig"), Mapping) else None
    vpc = item.get("VpcOriginConfig") if isinstance(item.get("VpcOriginConfig"), Mapping) else None
    kind: OriginKind = "vpc" if vpc and vpc.get("VpcOriginId") else "s3" if s3 is not None else "custom"
    oai = None
    if s3 is not None and _opt(s3, "OriginAccessIdentity"):
        oai = str(s3["OriginAccessIdentity"]).rsplit("/", 1)[-1]
    mtls = custom.get("OriginMtlsConfig") if custom and isinstance(custom.get("OriginMtlsConfig"), Mapping) else None
    return Origin(
        id=_str(item, "Id", ctx, place),
        domain=_str(item, "DomainName", ctx, place),
        kind=kind,
        path=str(item.get("OriginPath") or ""),
        headers=headers,
        protocol_policy=_opt(custom, "OriginProtocolPolicy")
        if custom
        else (_opt(vpc, "OriginProtocolPolicy") if vpc else None),
        http_port=(_int(custom, "HTTPPort", ctx, f"{place}.CustomOriginConfig", 80) or 80) if custom else 80,
        https_port=(_int(custom, "HTTPSPort", ctx, f"{place}.CustomOriginConfig", 443) or 443) if custom else 443,
        oac_id=_opt(item, "OriginAccessControlId"),
        oai=oai,
        vpc_origin_id=_opt(vpc, "VpcOriginId") if vpc else None,
        vpc_origin_owner=_opt(vpc, "OwnerAccountId") if vpc else None,
        mtls_certificate_arn=_opt(mtls, "ClientCertificateArn") if mtls else None,
        source=ctx.ref(place),
    )


def distribution(
    config: Mapping[str, Any], ctx: Context, place: str, *, ident: str, arn: str | None, domain: str = ""
) -> Distribution:
    account = _account_of_arn(arn, ctx.account) if arn else ctx.account
    origins = tuple(
        origin(_obj(o, ctx, f"{place}.Origins.Items[{j}]"), ctx, f"{place}.Origins.Items[{j}]")
        for j, o in enumerate(_items(config.get("Origins"), ctx, f"{place}.Origins"))
    )
    default = config.get("DefaultCacheBehavior")
    behaviors = tuple(
        str(b["TargetOriginId"])
        for b in _items(config.get("CacheBehaviors"), ctx, f"{place}.CacheBehaviors")
        if isinstance(b, Mapping) and b.get("TargetOriginId")
    )
    return Distribution(
        id=ident,
        arn=arn or f"arn:aws:cloudfront::{account}:distribution/{ident}",
        account=account,
        origins=origins,
        enabled=bool(config.get("Enabled", True)),
        domain_name=domain,
        aliases=tuple(str(a) for a in _items(config.get("Aliases"), ctx, f"{place}.Aliases")),
        web_acl_id=_opt(config, "WebACLId"),
        default_origin_id=_opt(default, "TargetOriginId") if isinstance(default, Mapping) else None,
        behavior_origin_ids=behaviors,
        source=ctx.ref(place),
    )


def distribution_list(doc: Mapping[str, Any], ctx: Context) -> list[Distribution]:
    out = []
    for i, raw in enumerate(_items(doc.get("DistributionList"), ctx, "DistributionList")):
        place = f"DistributionList.Items[{i}]"
        item = _obj(raw, ctx, place)
        out.append(
            distribution(
                item,
                ctx,
                place,
                ident=_str(item, "Id", ctx, place),
                arn=_opt(item, "ARN"),
                domain=str(item.get("DomainName", "")),
            )
        )
    return out


def distribution_full(doc: Mapping[str, Any], ctx: Context) -> Distribution:
    item = _obj(doc.get("Distribution"), ctx, "Distribution")
    config = _obj(item.get("DistributionConfig"), ctx, "Distribution.DistributionConfig")
    return distribution(
        config,
        ctx,
        "Distribution.DistributionConfig",
        ident=_str(item, "Id", ctx, "Distribution"),
        arn=_opt(item, "ARN"),
        domain=str(item.get("DomainName", "")),
    )


def distribution_config(doc: Mapping[str, Any], ctx: Context) -> Distribution:
    _, ident = _need(doc, ("Id",), ctx, "get-distribution-config", "DistributionConfig")
    config = _obj(doc.get("DistributionConfig"), ctx, "DistributionConfig")
    return distribution(config, ctx, "DistributionConfig", ident=ident, arn=_opt(_params(doc), "ARN"))


def origin_access_controls(doc: Mapping[str, Any], ctx: Context) -> list[OriginAccessControl]:
    out = []
    if "OriginAccessControlList" in doc:
        for i, raw in enumerate(_items(doc.get("OriginAccessControlList"), ctx, "OriginAccessControlList")):
            place = f"OriginAccessControlList.Items[{i}]"
            item = _obj(raw, ctx, place)
            out.append(_oac(item, item, ctx, place))
    if "OriginAccessControl" in doc:
        item = _obj(doc.get("OriginAccessControl"), ctx, "OriginAccessControl")
        config = _obj(item.get("OriginAccessControlConfig"), ctx, "OriginAccessControl.OriginAccessControlConfig")
        out.append(_oac(item, config, ctx, "OriginAccessControl"))
    return out


def _oac(item: Mapping[str, Any], config: Mapping[str, Any], ctx: Context, place: str) -> OriginAccessControl:
    return OriginAccessControl(
        id=_str(item, "Id", ctx, place),
        name=str(config.get("Name", "")),
        origin_type=str(config.get("OriginAccessControlOriginType", "s3")),
        signing_behavior=str(config.get("SigningBehavior", "always")),
        signing_protocol=str(config.get("SigningProtocol", "sigv4")),
        source=ctx.ref(place),
    )


def vpc_origins(doc: Mapping[str, Any], ctx: Context) -> list[VpcOrigin]:
    out = []
    if "VpcOriginList" in doc:
        for i, raw in enumerate(_items(doc.get("VpcOriginList"), ctx, "VpcOriginList")):
            place = f"VpcOriginList.Items[{i}]"
            item = _obj(raw, ctx, place)
            arn = str(item.get("Arn", ""))
            out.append(
                VpcOrigin(
                    id=_str(item, "Id", ctx, place),
                    endpoint_arn=_str(item, "OriginEndpointArn", ctx, place),
                    arn=arn,
                    name=str(item.get("Name", "")),
                    account=_account_of_arn(arn, ctx.account),
                    source=ctx.ref(place),
                )
            )
    if "VpcOrigin" in doc:
        item = _obj(doc.get("VpcOrigin"), ctx, "VpcOrigin")
        place = "VpcOrigin.VpcOriginEndpointConfig"
        config = _obj(item.get("VpcOriginEndpointConfig"), ctx, place)
        arn = str(item.get("Arn", ""))
        out.append(
            VpcOrigin(
                id=_str(item, "Id", ctx, "VpcOrigin"),
                endpoint_arn=_str(config, "Arn", ctx, place),
                arn=arn,
                name=str(config.get("Name", "")),
                http_port=_int(config, "HTTPPort", ctx, place, 80) or 80,
                https_port=_int(config, "HTTPSPort", ctx, place, 443) or 443,
                protocol_policy=str(config.get("OriginProtocolPolicy", "match-viewer")),
                account=_account_of_arn(arn, ctx.account),
                source=ctx.ref("VpcOrigin"),
            )
        )
    return out


# -- Elastic Load Balancing v2 ------------------------------------------------------------------
def load_balancers(doc: Mapping[str, Any], ctx: Context) -> list[LoadBalancer]:
    out = []
    for i, raw in enumerate(_list(doc.get("LoadBalancers"), ctx, "LoadBalancers")):
        place = f"LoadBalancers[{i}]"
        item = _obj(raw, ctx, place)
        if "LoadBalancerArn" not in item:
            continue  # classic load balancers (elb describe-load-balancers) are not modelled
        arn = _str(item, "LoadBalancerArn", ctx, place)
        subnets = tuple(
            _str(_obj(z, ctx, f"{place}.AvailabilityZones[{j}]"), "SubnetId", ctx, f"{place}.AvailabilityZones[{j}]")
            for j, z in enumerate(_list(item.get("AvailabilityZones"), ctx, f"{place}.AvailabilityZones"))
        )
        out.append(
            LoadBalancer(
                arn=arn,
                name=_str(item, "LoadBalancerName", ctx, place),
                type=str(item.get("Type", "application")),
                scheme=str(item.get("Scheme", "internet-facing")),
                dns_name=str(item.get("DNSName", "")),
                vpc_id=_str(item, "VpcId", ctx, place),
                subnet_ids=subnets,
                security_group_ids=tuple(
                    str(g) for g in _list(item.get("SecurityGroups"), ctx, f"{place}.SecurityGroups")
                ),
                ip_address_type=str(item.get("IpAddressType", "ipv4")),
                account=_account_of_arn(arn, ctx.account),
                region=_region_of_arn(arn, ctx.region),
                source=ctx.ref(place),
            )
        )
    return out


def _attributes(items: Sequence[Any], ctx: Context, place: str) -> tuple[tuple[str, str], ...]:
    out = []
    for j, raw in enumerate(items):
        item = _obj(raw, ctx, f"{place}[{j}]")
        if isinstance(item.get("Key"), str):
            out.append((str(item["Key"]), str(item.get("Value", ""))))
    return tuple(out)


def rule_condition(item: Mapping[str, Any], ctx: Context, place: str) -> RuleCondition:
    name = str(item.get("Field", "")).lower()
    if name == "http-header":
        config = _obj(item.get("HttpHeaderConfig"), ctx, f"{place}.HttpHeaderConfig")
        patterns = [
            _secret(v, ctx, f"{place}.HttpHeaderConfig.Values[{j}]")
            for j, v in enumerate(_list(config.get("Values"), ctx, f"{place}.HttpHeaderConfig.Values"))
        ]
        regexes = [
            _secret(v, ctx, f"{place}.HttpHeaderConfig.RegexValues[{j}]")
            for j, v in enumerate(_list(config.get("RegexValues"), ctx, f"{place}.HttpHeaderConfig.RegexValues"))
        ]
        return RuleCondition(
            "http-header",
            header_name=_str(config, "HttpHeaderName", ctx, f"{place}.HttpHeaderConfig"),
            header_values=tuple(patterns),
            header_regexes=tuple(regexes),
        )
    if name == "query-string":
        query = item.get("QueryStringConfig")
        pairs = []
        if isinstance(query, Mapping):
            for j, kv in enumerate(_list(query.get("Values"), ctx, f"{place}.QueryStringConfig.Values")):
                pair = _obj(kv, ctx, f"{place}.QueryStringConfig.Values[{j}]")
                pairs.append((_opt(pair, "Key"), str(pair.get("Value", ""))))
        return RuleCondition("query-string", query=tuple(pairs))
    configs = {
        "host-header": "HostHeaderConfig",
        "path-pattern": "PathPatternConfig",
        "source-ip": "SourceIpConfig",
        "http-request-method": "HttpRequestMethodConfig",
    }
    key = configs.get(name)
    values: list[str] = [str(v) for v in _list(item.get("Values"), ctx, f"{place}.Values")]
    if key and isinstance(item.get(key), Mapping):
        values = [str(v) for v in _list(item[key].get("Values"), ctx, f"{place}.{key}.Values")] or values
    return RuleCondition(name if key else "other", values=tuple(values))


def rule_action(item: Mapping[str, Any], ctx: Context, place: str) -> RuleAction:
    kind = _str(item, "Type", ctx, place)
    groups: list[str] = []
    if _opt(item, "TargetGroupArn"):
        groups.append(str(item["TargetGroupArn"]))
    forward = item.get("ForwardConfig")
    if isinstance(forward, Mapping):
        for j, tg in enumerate(_list(forward.get("TargetGroups"), ctx, f"{place}.ForwardConfig.TargetGroups")):
            arn = _opt(_obj(tg, ctx, f"{place}.ForwardConfig.TargetGroups[{j}]"), "TargetGroupArn")
            if arn and arn not in groups:
                groups.append(arn)
    status = None
    for key in ("FixedResponseConfig", "RedirectConfig"):
        config = item.get(key)
        if isinstance(config, Mapping) and config.get("StatusCode"):
            status = str(config["StatusCode"]).removeprefix("HTTP_")
    return RuleAction(kind, _int(item, "Order", ctx, place), tuple(groups), status)


def listeners(items: Sequence[Any], ctx: Context, place: str) -> list[Listener]:
    out = []
    for i, raw in enumerate(items):
        where = f"{place}[{i}]"
        item = _obj(raw, ctx, where)
        mtls = item.get("MutualAuthentication")
        out.append(
            Listener(
                arn=_str(item, "ListenerArn", ctx, where),
                load_balancer_arn=_str(item, "LoadBalancerArn", ctx, where),
                port=_int(item, "Port", ctx, where) or 0,
                protocol=str(item.get("Protocol", "HTTP")).upper(),
                default_actions=tuple(
                    rule_action(_obj(a, ctx, f"{where}.DefaultActions[{j}]"), ctx, f"{where}.DefaultActions[{j}]")
                    for j, a in enumerate(_list(item.get("DefaultActions"), ctx, f"{where}.DefaultActions"))
                ),
                rules=None,
                mtls_mode=str(mtls.get("Mode")) if isinstance(mtls, Mapping) and mtls.get("Mode") else None,
                source=ctx.ref(where),
            )
        )
    return out


_RULE_ARN = re.compile(r"^(?P<prefix>arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:)listener-rule/(?P<path>.+)/[^/]+$")


def listener_rules(doc: Mapping[str, Any], ctx: Context) -> dict[str, list[ListenerRule]]:
    """describe-rules: rules by listener ARN (from the envelope, else from each rule's ARN)."""
    params = _params(doc)
    envelope = _opt(params, "ListenerArn")
    out: dict[str, list[ListenerRule]] = {}
    for i, raw in enumerate(_list(doc.get("Rules"), ctx, "Rules")):
        place = f"Rules[{i}]"
        item = _obj(raw, ctx, place)
        arn = _str(item, "RuleArn", ctx, place)
        listener = envelope
        if listener is None:
            match = _RULE_ARN.match(arn)
            if match is None:
                raise ctx.error(
                    place, 'describe-rules output needs {"RequestParameters": {"ListenerArn": ...}} beside it'
                )
            listener = f"{match.group('prefix')}listener/{match.group('path')}"
        priority_text = str(item.get("Priority", "default"))
        is_default = bool(item.get("IsDefault")) or priority_text == "default"
        try:
            priority = None if is_default else int(priority_text)
        except ValueError:
            raise ctx.error(f"{place}.Priority", f"not a priority: {priority_text!r}") from None
        out.setdefault(listener, []).append(
            ListenerRule(
                arn=arn,
                priority=priority,
                conditions=tuple(
                    rule_condition(_obj(c, ctx, f"{place}.Conditions[{j}]"), ctx, f"{place}.Conditions[{j}]")
                    for j, c in enumerate(_list(item.get("Conditions"), ctx, f"{place}.Conditions"))
                ),
                actions=tuple(
                    rule_action(_obj(a, ctx, f"{place}.Actions[{j}]"), ctx, f"{place}.Actions[{j}]")
                    for j, a in enumerate(_list(item.get("Actions"), ctx, f"{place}.Actions"))
                ),
                source=ctx.ref(place),
            )
        )
    return out


def target_groups(doc: Mapping[str, Any], ctx: Context) -> list[TargetGroup]:
    out = []
    for i, raw in enumerate(_list(doc.get("TargetGroups"), ctx, "TargetGroups")):
        place = f"TargetGroups[{i}]"
        item = _obj(raw, ctx, place)
        out.append(
            TargetGroup(
                arn=_str(item, "TargetGroupArn", ctx, place),
                name=str(item.get("TargetGroupName", "")),
                protocol=_opt(item, "Protocol"),
                port=_int(item, "Port", ctx, place),
                target_type=str(item.get("TargetType", "instance")),
                vpc_id=_opt(item, "VpcId"),
                load_balancer_arns=tuple(str(a) for a in _list(item.get("LoadBalancerArns"), ctx, place)),
                health_check_path=_opt(item, "HealthCheckPath"),
                health_check_port=_opt(item, "HealthCheckPort"),
                source=ctx.ref(place),
            )
        )
    return out


def targets(items: Sequence[Any], ctx: Context, place: str) -> tuple[Target, ...]:
    out = []
    for j, raw in enumerate(items):
        where = f"{place}[{j}]"
        item = _obj(raw, ctx, where)
        target = _obj(item.get("Target"), ctx, f"{where}.Target")
        health = item.get("TargetHealth")
        out.append(
            Target(
                id=_str(target, "Id", ctx, f"{where}.Target"),
                port=_int(target, "Port", ctx, f"{where}.Target"),
                availability_zone=_opt(target, "AvailabilityZone"),
                health=str(health.get("State")) if isinstance(health, Mapping) and health.get("State") else None,
            )
        )
    return tuple(out)


# -- WAF ----------------------------------------------------------------------------------------
def _search_string(value: Any, ctx: Context, place: str) -> SecretText:
    """`SearchString` is a blob: the AWS CLI prints it base64-encoded, CloudFormation and boto3 users
    write it plain. Valid base64 that decodes to printable ASCII is read as encoded."""
    text = _secret(value, ctx, place).reveal()
    if len(text) >= 4 and len(text) % 4 == 0:
        try:
            decoded = base64.b64decode(text, validate=True).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        if decoded and decoded.isprintable():
            return SecretText(decoded)
    return SecretText(text)


def waf_statement(item: Mapping[str, Any], ctx: Context, place: str) -> WafStatement:
    if len(item) != 1:
        raise ctx.error(place, f"a statement has exactly one kind, found {', '.join(sorted(item)) or 'none'}")
    kind, raw = next(iter(item.items()))
    body = _obj(raw, ctx, f"{place}.{kind}")
    where = f"{place}.{kind}"
    if kind == "ByteMatchStatement":
        field_to_match = _obj(body.get("FieldToMatch"), ctx, f"{where}.FieldToMatch")
        header = None
        described = ", ".join(sorted(field_to_match)) or "?"
        single = field_to_match.get("SingleHeader")
        if isinstance(single, Mapping):
            header = _str(single, "Name", ctx, f"{where}.FieldToMatch.SingleHeader").lower()
            described = f"SingleHeader {header}"
        transforms = tuple(
            str(t.get("Type", "NONE")).upper()
            for t in sorted(
                (t for t in _list(body.get("TextTransformations"), ctx, where) if isinstance(t, Mapping)),
                key=lambda t: int(t.get("Priority", 0)),
            )
        )
        return WafStatement(
            "byte-match",
            header=header,
            field_to_match=described,
            search=_search_string(body.get("SearchString"), ctx, f"{where}.SearchString"),
            positional=str(body.get("PositionalConstraint", "EXACTLY")).upper(),
            transforms=tuple(t for t in transforms if t != "NONE"),
        )
    if kind in ("AndStatement", "OrStatement"):
        children = tuple(
            waf_statement(_obj(s, ctx, f"{where}.Statements[{j}]"), ctx, f"{where}.Statements[{j}]")
            for j, s in enumerate(_list(body.get("Statements"), ctx, f"{where}.Statements"))
        )
        return WafStatement("and" if kind == "AndStatement" else "or", children=children)
    if kind == "NotStatement":
        inner = waf_statement(_obj(body.get("Statement"), ctx, f"{where}.Statement"), ctx, f"{where}.Statement")
        return WafStatement("not", children=(inner,))
    if kind == "IPSetReferenceStatement":
        return WafStatement("ip-set", reference=_str(body, "ARN", ctx, where))
    if kind == "RateBasedStatement":
        return WafStatement("rate-based", text=f"rate-based (limit {body.get('Limit')})")
    if kind == "RuleGroupReferenceStatement":
        return WafStatement("rule-group", reference=_str(body, "ARN", ctx, where))
    if kind == "ManagedRuleGroupStatement":
        return WafStatement("managed-rule-group", reference=f"{body.get('VendorName')}/{body.get('Name')}")
    if kind == "GeoMatchStatement":
        codes = ",".join(str(c) for c in _list(body.get("CountryCodes"), ctx, where))
        return WafStatement("geo-match", text=f"geo-match {codes}")
    if kind in (
        "RegexMatchStatement",
        "RegexPatternSetReferenceStatement",
        "SizeConstraintStatement",
        "SqliMatchStatement",
        "XssMatchStatement",
    ):
        return WafStatement("content", text=kind.removesuffix("Statement"))
    return WafStatement("other", text=kind.removesuffix("Statement"))


def _action(value: Any) -> str:
    if isinstance(value, Mapping) and value:
        return str(next(iter(value))).lower()
    return "none"


def web_acl(doc: Mapping[str, Any], ctx: Context) -> WebAcl:
    item = _obj(doc.get("WebACL"), ctx, "WebACL")
    arn = _str(item, "ARN", ctx, "WebACL")
    rules = []
    for i, raw in enumerate(_list(item.get("Rules"), ctx, "WebACL.Rules")):
        place = f"WebACL.Rules[{i}]"
        rule = _obj(raw, ctx, place)
        statement = waf_statement(_obj(rule.get("Statement"), ctx, f"{place}.Statement"), ctx, f"{place}.Statement")
        action = _action(rule.get("Action")) if rule.get("Action") else _action(rule.get("OverrideAction"))
        rules.append(
            WafRule(_str(rule, "Name", ctx, place), _int(rule, "Priority", ctx, place) or 0, action, statement)
        )
    scope = "CLOUDFRONT" if ":global/" in arn else "REGIONAL"
    return WebAcl(
        arn=arn,
        name=str(item.get("Name", "")),
        scope=scope,
        default_action=_action(item.get("DefaultAction")),
        rules=tuple(rules),
        id=str(item.get("Id", "")),
        source=ctx.ref("WebACL"),
    )


def ip_set(doc: Mapping[str, Any], ctx: Context) -> IpSet:
    item = _obj(doc.get("IPSet"), ctx, "IPSet")
    return IpSet(
        arn=_str(item, "ARN", ctx, "IPSet"),
        name=str(item.get("Name", "")),
        addresses=tuple(str(a) for a in _list(item.get("Addresses"), ctx, "IPSet.Addresses")),
        version=str(item.get("IPAddressVersion", "IPV4")),
        source=ctx.ref("IPSet"),
    )


# -- S3, Lambda, Route 53 -----------------------------------------------------------------------
def public_access_block(value: Any, ctx: Context, place: str) -> PublicAccessBlock:
    item = _obj(value, ctx, place)
    return PublicAccessBlock(
        block_public_acls=bool(item.get("BlockPublicAcls", False)),
        ignore_public_acls=bool(item.get("IgnorePublicAcls", False)),
        block_public_policy=bool(item.get("BlockPublicPolicy", False)),
        restrict_public_buckets=bool(item.get("RestrictPublicBuckets", False)),
    )


def function_url(item: Mapping[str, Any], ctx: Context, place: str) -> LambdaFunctionUrl:
    arn = _str(item, "FunctionArn", ctx, place)
    return LambdaFunctionUrl(
        function_arn=arn,
        url=_str(item, "FunctionUrl", ctx, place),
        auth_type=str(item.get("AuthType", "AWS_IAM")).upper(),
        account=_account_of_arn(arn, ctx.account),
        region=_region_of_arn(arn, ctx.region),
        source=ctx.ref(place),
    )


def record_sets(doc: Mapping[str, Any], ctx: Context) -> list[DnsRecord]:
    out = []
    for i, raw in enumerate(_list(doc.get("ResourceRecordSets"), ctx, "ResourceRecordSets")):
        place = f"ResourceRecordSets[{i}]"
        item = _obj(raw, ctx, place)
        kind = str(item.get("Type", ""))
        if kind not in ("A", "AAAA", "CNAME"):
            continue
        alias = item.get("AliasTarget")
        if isinstance(alias, Mapping) and alias.get("DNSName"):
            targets: tuple[str, ...] = (str(alias["DNSName"]),)
        else:
            targets = tuple(
                str(r["Value"])
                for r in _list(item.get("ResourceRecords"), ctx, f"{place}.ResourceRecords")
                if isinstance(r, Mapping) and r.get("Value")
            )
        out.append(
            DnsRecord(
                _str(item, "Name", ctx, place), kind, targets, alias=isinstance(alias, Mapping), source=ctx.ref(place)
            )
        )
    return out


# -- assembling the estate ----------------------------------------------------------------------
@dataclass
class _Bucket:
    name: str
    account: str
    source_ctx: Context
    region: str | None = None
    policy: str | None = None
    policy_known: bool = False
    pab: PublicAccessBlock | None = None
    website: bool = False
    redirect_all: str | None = None


@dataclass
class _Builder:
    distributions: dict[str, Distribution] = field(default_factory=dict)
    oacs: dict[str, OriginAccessControl] = field(default_factory=dict)
    vpc_origins: dict[str, VpcOrigin] = field(default_factory=dict)
    lbs: dict[str, LoadBalancer] = field(default_factory=dict)
    lb_attributes: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    tg_attributes: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    listeners: dict[str, Listener] = field(default_factory=dict)
    rules: dict[str, list[ListenerRule]] = field(default_factory=dict)
    target_groups: dict[str, TargetGroup] = field(default_factory=dict)
    health: dict[str, tuple[Target, ...]] = field(default_factory=dict)
    web_acls: dict[str, WebAcl] = field(default_factory=dict)
    associations: list[WebAclAssociation] = field(default_factory=list)
    ip_sets: dict[str, IpSet] = field(default_factory=dict)
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    account_pabs: dict[str, PublicAccessBlock] = field(default_factory=dict)
    urls: dict[str, LambdaFunctionUrl] = field(default_factory=dict)
    function_policies: dict[str, str] = field(default_factory=dict)
    records: list[DnsRecord] = field(default_factory=list)

    def bucket(self, name: str, ctx: Context) -> _Bucket:
        if name not in self.buckets:
            self.buckets[name] = _Bucket(name, ctx.account, ctx)
        return self.buckets[name]


def _policy_text(value: Any, ctx: Context, place: str) -> str:
    if isinstance(value, Mapping):
        return json.dumps(value)
    if not isinstance(value, str):
        raise ctx.error(place, "expected the policy as a JSON string")
    return value


def _read(b: _Builder, key: str, doc: Mapping[str, Any], ctx: Context) -> None:
    if key == "DistributionList":
        for d in distribution_list(doc, ctx):
            b.distributions.setdefault(d.id, d)
    elif key == "Distribution":
        d = distribution_full(doc, ctx)
        b.distributions[d.id] = d  # get-distribution has the full config: it wins over a list summary
    elif key == "DistributionConfig":
        d = distribution_config(doc, ctx)
        b.distributions[d.id] = d
    elif key in ("OriginAccessControlList", "OriginAccessControl"):
        for o in origin_access_controls({key: doc[key]}, ctx):
            b.oacs[o.id] = o
    elif key in ("VpcOriginList", "VpcOrigin"):
        for v in vpc_origins({key: doc[key]}, ctx):
            if key == "VpcOrigin" or v.id not in b.vpc_origins:
                b.vpc_origins[v.id] = v
    elif key == "LoadBalancers":
        for lb in load_balancers(doc, ctx):
            b.lbs[lb.arn] = lb
    elif key == "LoadBalancerAttributes":  # Batfish aggregate: [{LoadBalancerArn, Attributes}]
        for i, raw in enumerate(_list(doc.get(key), ctx, key)):
            item = _obj(raw, ctx, f"{key}[{i}]")
            arn = _str(item, "LoadBalancerArn", ctx, f"{key}[{i}]")
            b.lb_attributes[arn] = _attributes(_list(item.get("Attributes"), ctx, f"{key}[{i}]"), ctx, f"{key}[{i}]")
    elif key == "Attributes":
        if not isinstance(doc.get(key), list):
            return  # another service's attributes (a mapping): not ours
        which, arn = _need(doc, ("LoadBalancerArn", "TargetGroupArn"), ctx, "describe-*-attributes", key)
        target = b.lb_attributes if which == "LoadBalancerArn" else b.tg_attributes
        target[arn] = _attributes(_list(doc.get(key), ctx, key), ctx, key)
    elif key == "Listeners":
        for listener in listeners(_list(doc.get(key), ctx, key), ctx, key):
            b.listeners[listener.arn] = listener
    elif key == "LoadBalancerListeners":  # Batfish aggregate: [{LoadBalancerArn, Listeners}]
        for i, raw in enumerate(_list(doc.get(key), ctx, key)):
            item = _obj(raw, ctx, f"{key}[{i}]")
            for listener in listeners(_list(item.get("Listeners"), ctx, f"{key}[{i}]"), ctx, f"{key}[{i}].Listeners"):
                b.listeners[listener.arn] = listener
    elif key == "Rules":
        for listener_arn, rules in listener_rules(doc, ctx).items():
            b.rules.setdefault(listener_arn, []).extend(rules)
    elif key == "TargetGroups":
        for tg in target_groups(doc, ctx):
            b.target_groups[tg.arn] = tg
    elif key == "TargetHealthDescriptions":
        _, arn = _need(doc, ("TargetGroupArn",), ctx, "describe-target-health", key)
        b.health[arn] = targets(_list(doc.get(key), ctx, key), ctx, key)
    elif key == "LoadBalancerTargetHealth":  # Batfish aggregate: [{TargetGroupArn, TargetHealthDescriptions}]
        for i, raw in enumerate(_list(doc.get(key), ctx, key)):
            item = _obj(raw, ctx, f"{key}[{i}]")
            arn = _str(item, "TargetGroupArn", ctx, f"{key}[{i}]")
            where = f"{key}[{i}].TargetHealthDescriptions"
            b.health[arn] = targets(_list(item.get("TargetHealthDescriptions"), ctx, where), ctx, where)
    elif key == "WebACL":
        acl = web_acl(doc, ctx)
        b.web_acls[acl.arn] = acl
        resource = _opt(_params(doc), "ResourceArn")  # get-web-acl-for-resource
        if resource:
            b.associations.append(WebAclAssociation(acl.arn, resource, ctx.ref("RequestParameters")))
    elif key == "ResourceArns":
        _, acl_arn = _need(doc, ("WebACLArn",), ctx, "list-resources-for-web-acl", key)
        for j, resource in enumerate(_list(doc.get(key), ctx, key)):
            if not isinstance(resource, str):
                raise ctx.error(f"{key}[{j}]", "expected an ARN")
            b.associations.append(WebAclAssociation(acl_arn, resource, ctx.ref(f"{key}[{j}]")))
    elif key == "IPSet":
        s = ip_set(doc, ctx)
        b.ip_sets[s.arn] = s
    elif key == "Policy":
        if isinstance(doc.get(key), Mapping) and "PolicyName" in doc[key]:
            return  # iam get-policy (metadata of a managed policy): not a resource policy
        which, subject = _need(doc, ("Bucket", "FunctionName"), ctx, "get-bucket-policy / lambda get-policy", key)
        if doc.get(key) is None:  # "Policy": null: the subject has none (NoSuchBucketPolicy), known, not missing
            if which == "Bucket":
                bucket = b.bucket(subject, ctx)
                bucket.policy, bucket.policy_known = None, True
            return
        text = _policy_text(doc.get(key), ctx, key)
        if which == "Bucket":
            bucket = b.bucket(subject, ctx)
            bucket.policy, bucket.policy_known = text, True
        else:
            b.function_policies[subject] = text
    elif key == "PublicAccessBlockConfiguration":
        which, subject = _need(doc, ("Bucket", "AccountId"), ctx, "get-public-access-block", key)
        pab = public_access_block(doc.get(key), ctx, key)
        if which == "Bucket":
            b.bucket(subject, ctx).pab = pab
        else:
            b.account_pabs[subject] = pab
    elif key in ("IndexDocument", "RedirectAllRequestsTo"):
        _, subject = _need(doc, ("Bucket",), ctx, "get-bucket-website", key)
        bucket = b.bucket(subject, ctx)
        bucket.website = True
        redirect = doc.get("RedirectAllRequestsTo")
        if isinstance(redirect, Mapping) and redirect.get("HostName"):
            bucket.redirect_all = str(redirect["HostName"])
    elif key == "Buckets":
        for j, raw in enumerate(_list(doc.get(key), ctx, key)):
            b.bucket(_str(_obj(raw, ctx, f"{key}[{j}]"), "Name", ctx, f"{key}[{j}]"), ctx)
    elif key == "LocationConstraint":
        _, subject = _need(doc, ("Bucket",), ctx, "get-bucket-location", key)
        b.bucket(subject, ctx).region = str(doc.get(key) or "us-east-1")
    elif key == "FunctionUrlConfigs":
        for j, raw in enumerate(_list(doc.get(key), ctx, key)):
            url = function_url(_obj(raw, ctx, f"{key}[{j}]"), ctx, f"{key}[{j}]")
            b.urls[url.function_arn] = url
    elif key == "FunctionUrl":
        url = function_url(doc, ctx, "")
        b.urls[url.function_arn] = url
    elif key == "ResourceRecordSets":
        b.records.extend(record_sets(doc, ctx))


# The order in which keys of one response are read (a response can carry several).
_ORDER: tuple[str, ...] = tuple(sorted(EDGE_KEYS))


def edge_estate(extra: Extra) -> EdgeEstate:
    """Build the edge estate from the responses aws_json set aside (every key of EDGE_KEYS)."""
    builder = _Builder()
    for key in _ORDER:
        for ctx, doc in extra.get(key, ()):
            _read(builder, key, doc, ctx)
    return _assemble(builder)


def _function_policy(b: _Builder, url: LambdaFunctionUrl) -> str | None:
    for name in (url.function_arn, url.function_name):
        if name in b.function_policies:
            return b.function_policies[name]
    return None


def _assemble(b: _Builder) -> EdgeEstate:
    lbs = tuple(replace(lb, attributes=b.lb_attributes.get(lb.arn, ())) for lb in b.lbs.values())
    listener_list = []
    for listener in b.listeners.values():
        rules = b.rules.get(listener.arn)
        listener_list.append(
            replace(listener, rules=None if rules is None and listener.is_http else tuple(rules or ()))
        )
    groups = []
    for tg in b.target_groups.values():
        attributes = dict(b.tg_attributes.get(tg.arn, ()))
        preserve = attributes.get("preserve_client_ip.enabled")
        groups.append(
            replace(
                tg,
                targets=b.health.get(tg.arn, ()),
                preserve_client_ip=None if preserve is None else preserve.lower() == "true",
            )
        )
    buckets = tuple(
        S3Bucket(
            name=x.name,
            account=x.account,
            region=x.region,
            policy=x.policy,
            policy_known=x.policy_known,
            public_access_block=x.pab,
            website=x.website,
            website_redirect_all=x.redirect_all,
            source=x.source_ctx.ref(f"bucket {x.name}"),
        )
        for x in b.buckets.values()
    )
    urls = tuple(replace(u, policy=_function_policy(b, u)) for u in b.urls.values())
    return EdgeEstate(
        distributions=tuple(b.distributions.values()),
        origin_access_controls=tuple(b.oacs.values()),
        vpc_origins=tuple(b.vpc_origins.values()),
        load_balancers=lbs,
        listeners=tuple(listener_list),
        target_groups=tuple(groups),
        web_acls=tuple(b.web_acls.values()),
        ip_sets=tuple(b.ip_sets.values()),
        web_acl_associations=tuple(b.associations),
        buckets=buckets,
        account_public_access_blocks=tuple(b.account_pabs.items()),
        function_urls=urls,
        dns_records=tuple(b.records),
    )
