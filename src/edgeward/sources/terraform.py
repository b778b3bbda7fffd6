"""Terraform: the JSON of `terraform show -json` for a saved plan or for a state.

A plan is judged as the state it would produce: the resources of `planned_values` (root module and
child modules, recursively), with data sources from `prior_state` (or, when Terraform defers their
reading to apply time, from `planned_values`). A state is read from `values`.

Values a plan leaves unknown (`resource_changes[].change.after_unknown`):

- **Ids and references**: a resource whose id is unknown gets the stable placeholder
  `tf:<address>` (`tf:module.net.aws_subnet.public[0]`); ids AWS creates beside it get
  `tf:<address>.<attribute>` (`tf:aws_vpc.main.default_network_acl_id`). An unknown attribute that
  names another resource (`vpc_id`, `security_group_id`, `security_groups`, `gateway_id`, ...) is
  linked through the plan's `configuration` section: its expression's `references`, followed
  through module outputs and input variables, name the resource, whose id (or placeholder) is used.
  Where one expression covers several inline blocks (`ingress`, `route`), a reference is assigned
  only when exactly one block has that attribute unknown. `count.index` / `each.key` in a reference
  picks the instance with the same key.
- **Values**: an unknown value that is not a link (a CIDR, an address, a port) is never guessed. The
  resource is modelled without it and an `UnknownValue` naming the resource address and attribute
  is recorded; every answer that depends on it is `unknown` (see analysis/unknowns.py).

What Terraform and AWS do without being asked is modelled as they do it: `aws_security_group`
without `egress` has **no** egress rule (the provider revokes AWS's default allow-all egress:
"NOTE on Egress rules" of the `aws_security_group` resource documentation); `aws_default_*`
resources replace the default rules with the configured ones; each VPC gets its main route table,
default NACL and default security group as AWS creates them (sources/iac.py).

Every object carries the resource address in its `SourceRef`, so findings point at it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from edgeward.algebra.addresses import AddressError, parse_cidr
from edgeward.errors import InputError
from edgeward.iam.estate import IamEstate, ManagedPolicy
from edgeward.iam.policy import Policy, PolicyKind, parse_policy
from edgeward.model.edge import (
    DnsRecord,
    EdgeEstate,
    IpSet,
    LambdaFunctionUrl,
    Listener,
    ListenerRule,
    LoadBalancer,
    OriginAccessControl,
    PublicAccessBlock,
    RuleAction,
    Target,
    TargetGroup,
    VpcOrigin,
    WafRule,
    WebAcl,
    WebAclAssociation,
)
from edgeward.model.network import (
    GroupReference,
    InternetGateway,
    NaclEntry,
    NetworkEstate,
    PeerKind,
    PrefixList,
    Route,
    RouteTarget,
    SecurityGroupRule,
    SourceRef,
    UnknownKind,
)
from edgeward.sources.aws_edge import distribution as api_distribution
from edgeward.sources.aws_edge import rule_action, rule_condition, waf_statement
from edgeward.sources.aws_transform import PROTOCOL_BY_NAME, Context
from edgeward.sources.cloudfront_ranges import ORIGIN_FACING_NAMES
from edgeward.sources.iac import (
    AclDraft,
    AddressDraft,
    EdgeDraft,
    EstateDraft,
    FunctionPermission,
    GroupDraft,
    InstanceDraft,
    InterfaceDraft,
    NatDraft,
    PeeringDraft,
    RouteTableDraft,
    SubnetDraft,
    VpcDraft,
)
from edgeward.sources.iac_edge import (
    STATEMENT_KEYS,
    camel,
    first_block,
    names,
    permission_statement,
    plain_search,
    tf_action,
)
from edgeward.sources.iac_iam import IamDraft, Kind, PrincipalDraft, iam_path

PLACEHOLDER = "tf:"
FOR_EACH = "(for_each)"  # where a resource's for_each expression is kept beside its attributes
_INDEX = r'(?:\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\])'
_INDEX_RE = re.compile(_INDEX)
_RESOURCE_REF = re.compile(rf"^(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)({_INDEX})?(?:\.([A-Za-z0-9_]+))?")
_MODULE_REF = re.compile(rf"^module\.([A-Za-z0-9_-]+)({_INDEX})?\.([A-Za-z0-9_-]+)(\[\d+\])?")
_VAR_REF = re.compile(r"^var\.([A-Za-z0-9_-]+)")


class _UnknownType:
    """The marker for a value a plan leaves unknown."""

    _instance: _UnknownType | None = None

    def __new__(cls) -> _UnknownType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _UnknownType()


class _Skip(Exception):
    """A resource that cannot be placed in the estate (its VPC or subnet is not known)."""


class _Unknown(Exception):
    """A value inside a nested block that the plan does not know (args: where)."""


class _Error(Exception):
    """Bad input inside a nested block (args: place, message)."""


@dataclass
class Res:
    """One resource instance of the plan or state, with what the configuration says about it."""

    address: str
    type: str
    mode: str  # managed | data
    index: int | str | None
    values: Mapping[str, Any]
    unknown: Any  # after_unknown: True, or a structure of flags mirroring values
    module_path: tuple[str, ...]
    expressions: Mapping[str, Any]
    source: SourceRef

    @property
    def config_address(self) -> str:
        return _INDEX_RE.sub("", self.address)

    def flag(self, key: str) -> Any:
        return self.unknown.get(key) if isinstance(self.unknown, Mapping) else None

    def get(self, key: str) -> Any:
        """The value, `UNKNOWN`, or None when absent."""
        if self.flag(key) is True:
            return UNKNOWN
        return self.values.get(key)

    def refs(self, key: str) -> list[str]:
        expr = self.expressions.get(key)
        return _references(expr)

    def place(self, key: str) -> str:
        return f"{self.address}.{key}"


def _step(value: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and step < len(value) else None
    return value.get(step) if isinstance(value, Mapping) else None


def _references(expr: Any) -> list[str]:
    """Every reference an expression (or a list of nested block expressions) makes."""
    out: list[str] = []
    if isinstance(expr, Mapping):
        refs = expr.get("references")
        if isinstance(refs, list):
            out.extend(r for r in refs if isinstance(r, str))
        for key, value in expr.items():
            if key not in ("references", "constant_value") and isinstance(value, Mapping | list):
                out.extend(_references(value))
    elif isinstance(expr, list):
        for item in expr:
            out.extend(_references(item))
    return out


def _distinct_refs(refs: Sequence[str]) -> list[str]:
    """Drop the shorter forms Terraform lists after each reference (`a.b.id`, `a.b` -> `a.b.id`)."""
    kept: list[str] = []
    for ref in refs:
        if any(k.startswith(ref + ".") or k.startswith(ref + "[") for k in kept):
            continue
        kept.append(ref)
    return kept


# -- reading the document ---------------------------------------------------------------------
@dataclass
class _Doc:
    file: str
    is_plan: bool
    resources: list[Res] = field(default_factory=list)
    modules: dict[tuple[str, ...], Mapping[str, Any]] = field(default_factory=dict)
    region: str | None = None

    def __post_init__(self) -> None:
        self.by_address: dict[str, Res] = {}
        self.by_config: dict[str, list[Res]] = {}

    def index(self) -> None:
        for res in self.resources:
            self.by_address[res.address] = res
            self.by_config.setdefault(res.config_address, []).append(res)


def _error(file: str, place: str, message: str) -> InputError:
    return InputError(message, file=file, place=place)


def _walk_modules(module: Any, file: str, where: str) -> Iterator[Mapping[str, Any]]:
    if not isinstance(module, Mapping):
        raise _error(file, where, "expected a module object")
    resources = module.get("resources") or []
    if not isinstance(resources, list):
        raise _error(file, f"{where}.resources", "expected a list")
    for i, raw in enumerate(resources):
        if (
            not isinstance(raw, Mapping)
            or not isinstance(raw.get("address"), str)
            or not isinstance(raw.get("type"), str)
        ):
            raise _error(file, f"{where}.resources[{i}]", "expected a resource with address and type")
        yield raw
    children = module.get("child_modules") or []
    if not isinstance(children, list):
        raise _error(file, f"{where}.child_modules", "expected a list")
    for j, child in enumerate(children):
        yield from _walk_modules(child, file, f"{where}.child_modules[{j}]")


def _module_path(config_address: str) -> tuple[str, ...]:
    parts = config_address.split(".")
    path: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        path.append(parts[i + 1])
        i += 2
    return tuple(path)


def _config_modules(configuration: Any) -> dict[tuple[str, ...], Mapping[str, Any]]:
    out: dict[tuple[str, ...], Mapping[str, Any]] = {}

    def visit(module: Any, path: tuple[str, ...]) -> None:
        if not isinstance(module, Mapping):
            return
        out[path] = module
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, Mapping):
                visit(call.get("module"), (*path, name))

    if isinstance(configuration, Mapping):
        visit(configuration.get("root_module"), ())
    return out


def _resource_expressions(modules: Mapping[tuple[str, ...], Mapping[str, Any]], res_config: str, mode: str) -> Any:
    path = _module_path(res_config)
    module = modules.get(path)
    if module is None:
        return {}
    local = res_config
    for name in path:
        local = local.removeprefix(f"module.{name}.")
    for raw in module.get("resources") or []:
        if isinstance(raw, Mapping) and raw.get("address") == local and raw.get("mode", "managed") == mode:
            expressions = dict(raw.get("expressions") or {})
            if isinstance(raw.get("for_each_expression"), Mapping):
                expressions[FOR_EACH] = raw["for_each_expression"]
            return expressions
    return {}


def read_document(doc: Any, file: str) -> _Doc:
    """Check the shape of `terraform show -json` output and list its resources."""
    if not isinstance(doc, Mapping):
        raise _error(file, "(top level)", "expected the JSON object of `terraform show -json`")
    version = doc.get("format_version")
    if not isinstance(version, str):
        raise _error(file, "format_version", "missing: is this the output of `terraform show -json`?")
    if not version.startswith("1."):
        raise _error(file, "format_version", f"unsupported version {version!r} (edgeward reads 1.x)")
    is_plan = "planned_values" in doc
    top = "planned_values" if is_plan else "values"
    values = doc.get(top)
    if values is None:
        if is_plan:
            raise _error(file, top, "missing")
        return _Doc(file, is_plan=False)  # an empty state: `terraform show -json` of nothing
    if not isinstance(values, Mapping):
        raise _error(file, top, "expected an object")
    result = _Doc(file, is_plan=is_plan)
    result.modules = _config_modules(doc.get("configuration"))
    unknowns: dict[str, Any] = {}
    for i, change in enumerate(doc.get("resource_changes") or []):
        if isinstance(change, Mapping) and isinstance(change.get("change"), Mapping):
            unknowns[str(change.get("address"))] = change["change"].get("after_unknown") or {}
        elif not isinstance(change, Mapping):
            raise _error(file, f"resource_changes[{i}]", "expected an object")
    raws: dict[str, Mapping[str, Any]] = {}
    if isinstance(values.get("root_module"), Mapping):
        for raw in _walk_modules(values["root_module"], file, f"{top}.root_module"):
            raws[raw["address"]] = raw
    prior = doc.get("prior_state")
    if is_plan and isinstance(prior, Mapping) and isinstance(prior.get("values"), Mapping):
        root = prior["values"].get("root_module")
        if isinstance(root, Mapping):
            for raw in _walk_modules(root, file, "prior_state.values.root_module"):
                if raw.get("mode") == "data":
                    raws[raw["address"]] = raw  # read at plan time: the values the plan used
    for address, raw in raws.items():
        mode = str(raw.get("mode", "managed"))
        vals = raw.get("values")
        if vals is None and is_plan and mode == "managed":
            vals = {}  # Terraform leaves out the values of a planned resource when none is known yet
        if not isinstance(vals, Mapping):
            raise _error(file, address, "expected values")
        config = _INDEX_RE.sub("", address)
        result.resources.append(
            Res(
                address=address,
                type=str(raw["type"]),
                mode=mode,
                index=raw.get("index"),
                values=vals,
                unknown=unknowns.get(address, {}) if is_plan else {},
                module_path=_module_path(config),
                expressions=_resource_expressions(result.modules, config, mode),
                source=SourceRef(file=file, place=address, address=address),
            )
        )
    provider = (doc.get("configuration") or {}).get("provider_config") if isinstance(doc, Mapping) else None
    if isinstance(provider, Mapping):
        aws = provider.get("aws")
        region = ((aws or {}).get("expressions") or {}).get("region") if isinstance(aws, Mapping) else None
        if isinstance(region, Mapping) and isinstance(region.get("constant_value"), str):
            result.region = region["constant_value"]
    result.index()
    return result


# -- references -------------------------------------------------------------------------------
class _Resolver:
    """Follows configuration references to resource instances, through modules and variables."""

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc

    def targets(self, res: Res, refs: Sequence[str]) -> list[tuple[Res, str | None]] | None:
        """The resources (and attribute) the references name; None when any cannot be followed."""
        out: list[tuple[Res, str | None]] = []
        keyed = any(r in ("count.index", "each.key", "each.value") for r in refs)
        if "each.value" in refs:  # the value of the for_each element: what the for_each expression names
            refs = [*refs, *_references(res.expressions.get(FOR_EACH))]
        for ref in _distinct_refs(refs):
            if ref.split(".")[0] in ("count", "each", "path", "terraform", "self"):
                continue
            found = self._follow(res.module_path, ref, res.index if keyed else None, depth=0)
            if found is None:
                return None
            out.extend(found)
        return out

    def _follow(
        self, path: tuple[str, ...], ref: str, key: int | str | None, depth: int
    ) -> list[tuple[Res, str | None]] | None:
        if depth > 20:
            return None
        prefix = "".join(f"module.{p}." for p in path)
        match = _RESOURCE_REF.match(ref)
        if match:
            data, rtype, name, index, attr = match.groups()
            config = f"{prefix}{'data.' if data else ''}{rtype}.{name}"
            instances = self.doc.by_config.get(config, [])
            if index and index != "[*]":
                wanted = json.loads(index[1:-1]) if index[1] == '"' else int(index[1:-1])
                instances = [r for r in instances if r.index == wanted]
            elif len(instances) > 1 and key is not None and index != "[*]":
                keyed = [r for r in instances if r.index == key]
                instances = keyed or instances
            return [(r, attr) for r in instances] if instances else None
        match = _MODULE_REF.match(ref)
        if match:
            name, _index, output, element = match.groups()
            module = self.doc.modules.get((*path, name))
            outputs = (module or {}).get("outputs") or {}
            expr = outputs.get(output, {}).get("expression") if isinstance(outputs.get(output), Mapping) else None
            refs = _references(expr)
            if not refs:
                return None
            out: list[tuple[Res, str | None]] = []
            for inner in _distinct_refs(refs):
                if inner.split(".")[0] in ("count", "each", "path", "terraform", "self"):
                    continue
                found = self._follow((*path, name), inner, key, depth + 1)
                if found is None:
                    return None
                out.extend(found)
            if element is not None:  # `module.m.ids[0]` of a splat over one counted resource
                wanted = int(element[1:-1])
                same = {r.config_address for r, _ in out}
                picked = [(r, a) for r, a in out if r.index == wanted]
                if len(same) != 1 or len(picked) != 1:
                    return None
                return picked
            return out
        match = _VAR_REF.match(ref)
        if match and path:
            parent = path[:-1]
            call = ((self.doc.modules.get(parent) or {}).get("module_calls") or {}).get(path[-1]) or {}
            expr = (call.get("expressions") or {}).get(match.group(1)) if isinstance(call, Mapping) else None
            refs = _references(expr)
            if not refs:
                return None
            out = []
            for inner in _distinct_refs(refs):
                if inner.split(".")[0] in ("count", "each", "path", "terraform", "self"):
                    continue
                found = self._follow(parent, inner, key, depth + 1)
                if found is None:
                    return None
                out.extend(found)
            return out
        return None


# -- the loader -------------------------------------------------------------------------------
ID_ALIASES = {
    ("aws_vpc", "main_route_table_id"): "default_route_table_id",
    ("aws_eip", "allocation_id"): "id",
    # Elastic Load Balancing resources: the id is the ARN
    **{
        (kind, "arn"): "id"
        for kind in (
            "aws_lb",
            "aws_alb",
            "aws_lb_listener",
            "aws_alb_listener",
            "aws_lb_listener_rule",
            "aws_alb_listener_rule",
            "aws_lb_target_group",
            "aws_alb_target_group",
        )
    },
    ("aws_s3_bucket", "id"): "bucket",  # a bucket's id is its name
    # an IAM user's, group's or role's id is its name
    ("aws_iam_user", "id"): "name",
    ("aws_iam_group", "id"): "name",
    ("aws_iam_role", "id"): "name",
}
# Attributes whose unknown value an origin domain (or a DNS record) names by reference: the
# placeholder `tf:<address>.<attribute>` is given to both ends, so the reference resolves.
IAM_KINDS: dict[str, Any] = {
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_iam_role": "role",
    "aws_iam_policy": "policy",
}
DNS_PLACEHOLDERS = {("aws_lb", "dns_name"), ("aws_alb", "dns_name"), ("aws_lambda_function_url", "function_url")}


class _Loader:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.file = doc.file
        self.resolver = _Resolver(doc)
        self.draft = EstateDraft(region=doc.region or self.arn_part(3), account=self.account())
        self.edge = EdgeDraft()
        self.iam = IamDraft(account=self.draft.account)
        self.type_of_id: dict[str, str] = {}
        self.vpc_of_res: dict[str, VpcDraft] = {}
        self.assigns_ipv6: dict[str, bool] = {}  # subnet id -> assigns IPv6 addresses on launch
        self.alias: dict[str, str] = {}  # placeholder of an aws_default_* resource -> the default's id

    # ids --------------------------------------------------------------------------------------
    def own_id(self, res: Res, attr: str = "id") -> str:
        """The resource's id (or another id attribute of it), or its placeholder."""
        attr = ID_ALIASES.get((res.type, attr), attr)
        value = res.get(attr)
        if isinstance(value, str) and value:
            return value
        return f"{PLACEHOLDER}{res.address}" if attr == "id" else f"{PLACEHOLDER}{res.address}.{attr}"

    def _target_value(self, target: Res, attr: str | None) -> Any:
        attr = attr or "id"
        if target.type in IAM_KINDS and attr == "arn":
            return self.iam_arn(target)
        if target.type == "aws_s3_bucket" and attr != "id":
            derived = self.bucket_attribute(target, attr)
            if derived is not None:
                return derived
        if attr == "id" or attr.endswith("_id") or (target.type, attr) in ID_ALIASES or attr == "arn":
            ident = self.own_id(target, attr)
            return self.alias.get(ident, ident)
        value = target.get(attr)
        if value is UNKNOWN and (target.type, attr) in DNS_PLACEHOLDERS:
            return f"{PLACEHOLDER}{target.address}.{attr}"
        if value is UNKNOWN and target.type == "aws_s3_bucket_website_configuration" and attr == "website_endpoint":
            bucket = self.link(target, "bucket", ("aws_s3_bucket",))
            if isinstance(bucket, str):
                return f"{bucket}.s3-website-{self.draft.region}.amazonaws.com"
        return value

    def bucket_attribute(self, bucket: Res, attr: str) -> str | None:
        """A bucket's ARN and endpoint names follow from its name (and Region) when the plan does not show them."""
        value = bucket.get(attr)
        if isinstance(value, str) and value:
            return value
        name = self.own_id(bucket)
        region = bucket.get("region")
        region = region if isinstance(region, str) and region else self.draft.region
        return {
            "arn": f"arn:aws:s3:::{name}",
            "bucket": name,
            "bucket_domain_name": f"{name}.s3.amazonaws.com",
            "bucket_regional_domain_name": f"{name}.s3.{region}.amazonaws.com",
            "website_endpoint": f"{name}.s3-website-{region}.amazonaws.com",
        }.get(attr)

    def link(self, res: Res, key: str, types: Sequence[str] = ()) -> Any:
        """An attribute naming one other resource: its value (str or None), the linked id, else UNKNOWN."""
        value = res.get(key)
        if value is not UNKNOWN:
            return str(value) if value not in (None, "") else None
        targets = self.resolver.targets(res, res.refs(key))
        if not targets or len(targets) != 1:
            return UNKNOWN
        target, attr = targets[0]
        if types and target.type not in types:
            return UNKNOWN
        value = self._target_value(target, attr)
        return str(value) if isinstance(value, str) else UNKNOWN

    def optional_link(self, res: Res, key: str, types: Sequence[str] = ()) -> Any:
        """Like `link`, for an attribute AWS fills in when it is not configured: unknown and not
        configured means the plan does not set it (AWS reports what another resource set)."""
        if res.get(key) is UNKNOWN and key not in res.expressions:
            return None
        return self.link(res, key, types)

    def links(self, res: Res, key: str, refs: Sequence[str] | None = None, raw: Any = None) -> list[str] | Any:
        """A list attribute naming resources: known members, plus linked ones for unknown members."""
        value = res.get(key) if raw is None else raw
        if isinstance(value, list) and not any(v is None for v in value):
            return [str(v) for v in value]
        known = [str(v) for v in value if v is not None] if isinstance(value, list) else []
        targets = self.resolver.targets(res, res.refs(key) if refs is None else refs)
        if not targets:
            return UNKNOWN
        out = list(known)
        for target, attr in targets:
            linked = self._target_value(target, attr)
            if not isinstance(linked, str):
                return UNKNOWN
            if linked not in out:
                out.append(linked)
        return out

    def unknown(self, resource_id: str, res: Res, attribute: str, kind: UnknownKind) -> None:
        self.draft.unknown(resource_id, attribute, kind, res.source)

    # values -----------------------------------------------------------------------------------
    def cidr(self, value: Any, place: str) -> str:
        if not isinstance(value, str):
            raise _error(self.file, place, f"expected a CIDR, found {value!r}")
        try:
            parse_cidr(value)
        except AddressError as exc:
            raise _error(self.file, place, str(exc)) from None
        return value

    def protocol(self, value: Any, place: str) -> int:
        text = str(value).strip().lower()
        if text in PROTOCOL_BY_NAME:
            return PROTOCOL_BY_NAME[text]
        try:
            number = int(text)
        except ValueError:
            raise _error(self.file, place, f"unknown protocol {value!r}") from None
        if number == -1 or 0 <= number <= 255:
            return number
        raise _error(self.file, place, f"protocol number out of range: {value!r}")

    def integer(self, value: Any, place: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise _error(self.file, place, f"expected a number, found {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _error(self.file, place, f"expected a number, found {value!r}") from None

    def tags(self, res: Res) -> tuple[tuple[str, str], ...]:
        tags = res.get("tags")
        if tags is UNKNOWN or not isinstance(tags, Mapping):
            tags = res.get("tags_all")
        if not isinstance(tags, Mapping):
            return ()
        return tuple((str(k), str(v)) for k, v in tags.items())

    def vpc_draft(self, vpc_id: str) -> VpcDraft | None:
        return self.draft.vpcs.get(vpc_id)

    def require(self, res: Res, key: str, types: Sequence[str], kind: str) -> str:
        value = self.link(res, key, types)
        if not isinstance(value, str):
            why = "is not known and its expression names no single resource of this plan"
            raise _Skip(f"{res.address}: its {kind} ({key}) {why}")
        return value

    # driving ----------------------------------------------------------------------------------
    def run(self) -> NetworkEstate:
        handlers: list[tuple[str, str, Callable[[Res], None]]] = [
            ("data", "aws_ec2_managed_prefix_list", self.prefix_list),
            ("managed", "aws_ec2_managed_prefix_list", self.prefix_list),
            ("managed", "aws_ec2_managed_prefix_list_entry", self.prefix_list_entry),
            ("managed", "aws_vpc", self.vpc),
            ("managed", "aws_vpc_ipv4_cidr_block_association", self.vpc_cidr),
            ("managed", "aws_vpc_ipv6_cidr_block_association", self.vpc_cidr),
            ("managed", "aws_subnet", self.subnet),
            ("managed", "aws_internet_gateway", self.gateway),
            ("managed", "aws_egress_only_internet_gateway", self.gateway),
            ("managed", "aws_internet_gateway_attachment", self.gateway_attachment),
            ("managed", "aws_eip", self.eip),
            ("managed", "aws_nat_gateway", self.nat_gateway),
            ("managed", "aws_vpc_peering_connection", self.peering),
            ("managed", "aws_vpc_peering_connection_accepter", self.peering_accepter),
            ("managed", "aws_route_table", self.route_table),
            ("managed", "aws_default_route_table", self.route_table),
            ("managed", "aws_route", self.route),
            ("managed", "aws_route_table_association", self.route_table_association),
            ("managed", "aws_main_route_table_association", self.main_route_table_association),
            ("managed", "aws_network_acl", self.network_acl),
            ("managed", "aws_default_network_acl", self.network_acl),
            ("managed", "aws_network_acl_rule", self.network_acl_rule),
            ("managed", "aws_network_acl_association", self.network_acl_association),
            ("managed", "aws_security_group", self.security_group),
            ("managed", "aws_default_security_group", self.security_group),
            ("managed", "aws_security_group_rule", self.security_group_rule),
            ("managed", "aws_vpc_security_group_ingress_rule", self.vpc_security_group_rule),
            ("managed", "aws_vpc_security_group_egress_rule", self.vpc_security_group_rule),
            ("managed", "aws_network_interface", self.network_interface),
            ("managed", "aws_instance", self.instance),
            ("managed", "aws_network_interface_attachment", self.interface_attachment),
            ("managed", "aws_network_interface_sg_attachment", self.interface_group_attachment),
            ("managed", "aws_eip_association", self.eip_association),
            ("managed", "aws_lb", self.load_balancer),
            ("managed", "aws_alb", self.load_balancer),
            ("managed", "aws_lb_target_group", self.target_group),
            ("managed", "aws_alb_target_group", self.target_group),
            ("managed", "aws_lb_listener", self.listener),
            ("managed", "aws_alb_listener", self.listener),
            ("managed", "aws_lb_listener_rule", self.listener_rule),
            ("managed", "aws_alb_listener_rule", self.listener_rule),
            ("managed", "aws_lb_target_group_attachment", self.target_group_attachment),
            ("managed", "aws_alb_target_group_attachment", self.target_group_attachment),
            ("managed", "aws_cloudfront_origin_access_control", self.origin_access_control),
            ("managed", "aws_cloudfront_vpc_origin", self.vpc_origin),
            ("managed", "aws_cloudfront_distribution", self.distribution),
            ("managed", "aws_wafv2_ip_set", self.ip_set),
            ("managed", "aws_wafv2_web_acl", self.web_acl),
            ("managed", "aws_wafv2_web_acl_association", self.web_acl_association),
            ("managed", "aws_s3_bucket", self.bucket),
            ("managed", "aws_s3_bucket_policy", self.bucket_policy),
            ("managed", "aws_s3_bucket_public_access_block", self.bucket_public_access_block),
            ("managed", "aws_s3_bucket_website_configuration", self.bucket_website),
            ("managed", "aws_lambda_function_url", self.function_url),
            ("managed", "aws_lambda_permission", self.lambda_permission),
            ("managed", "aws_route53_record", self.dns_record),
            ("managed", "aws_iam_policy", self.iam_policy),
            ("managed", "aws_iam_group", self.iam_principal),
            ("managed", "aws_iam_user", self.iam_principal),
            ("managed", "aws_iam_role", self.iam_principal),
            ("managed", "aws_iam_user_policy", self.iam_inline_policy),
            ("managed", "aws_iam_group_policy", self.iam_inline_policy),
            ("managed", "aws_iam_role_policy", self.iam_inline_policy),
            ("managed", "aws_iam_user_policy_attachment", self.iam_attachment),
            ("managed", "aws_iam_group_policy_attachment", self.iam_attachment),
            ("managed", "aws_iam_role_policy_attachment", self.iam_attachment),
            ("managed", "aws_iam_policy_attachment", self.iam_policy_attachment),
            ("managed", "aws_iam_user_group_membership", self.iam_user_groups),
            ("managed", "aws_iam_group_membership", self.iam_group_members),
        ]
        for mode, rtype, handler in handlers:
            for res in self.doc.resources:
                if res.mode == mode and res.type == rtype:
                    try:
                        handler(res)
                    except _Skip as skip:
                        self.draft.notes.append(f"{skip}: left out of the estate")
        self.finish_addresses()
        return self.draft.finish()

    def account(self) -> str:
        for res in self.doc.resources:
            owner = res.get("owner_id")
            if res.type == "aws_vpc" and isinstance(owner, str) and owner.isdigit():
                return owner
        return self.arn_part(4)

    def arn_part(self, index: int) -> str:
        """The Region (3) or account (4) of the first resource ARN a state or plan knows."""
        for res in self.doc.resources:
            arn = res.get("arn")
            if isinstance(arn, str) and arn.startswith("arn:"):
                parts = arn.split(":")
                if len(parts) > index and parts[index]:
                    return parts[index]
        return "unknown"

    # prefix lists -----------------------------------------------------------------------------
    def prefix_list(self, res: Res) -> None:
        pid = self.own_id(res)
        name = res.get("name")
        entries_raw = res.get("entries" if res.mode == "data" else "entry")
        cidrs: list[str] = []
        if isinstance(entries_raw, list):
            for i, entry in enumerate(entries_raw):
                if isinstance(entry, Mapping) and entry.get("cidr") is not None:
                    cidrs.append(self.cidr(entry.get("cidr"), res.place(f"entry[{i}].cidr")))
        owner = res.get("owner_id")
        name_text = name if isinstance(name, str) else ""
        if not isinstance(owner, str):
            owner = "AWS" if name_text.startswith("com.amazonaws.") else "unknown"
        if (entries_raw is UNKNOWN or (res.mode == "data" and not cidrs)) and name_text not in ORIGIN_FACING_NAMES:
            # an AWS-managed CloudFront list read at apply time gets the dated copy (noted); others are unknown
            self.unknown(pid, res, "entries", UnknownKind.RULES)
        family = res.get("address_family")
        self.draft.prefix_lists[pid] = PrefixList(
            id=pid,
            name=name_text or pid,
            cidrs=tuple(cidrs),
            max_entries=self.integer(res.get("max_entries"), res.place("max_entries"))
            if isinstance(res.get("max_entries"), int) and res.get("max_entries")
            else None,
            owner=owner,
            address_family=family if isinstance(family, str) else "IPv4",
            source=res.source,
        )
        self.type_of_id[pid] = res.type

    def prefix_list_entry(self, res: Res) -> None:
        pid = self.require(res, "prefix_list_id", ("aws_ec2_managed_prefix_list",), "prefix list")
        if pid not in self.draft.prefix_lists:
            raise _Skip(f"{res.address}: prefix list {pid} is not in this plan")
        cidr = res.get("cidr")
        if cidr is UNKNOWN:
            self.unknown(pid, res, "cidr", UnknownKind.RULES)
            return
        self.draft.prefix_list_entries.setdefault(pid, []).append(self.cidr(cidr, res.place("cidr")))

    # VPCs and subnets -------------------------------------------------------------------------
    def vpc(self, res: Res) -> None:
        vid = self.own_id(res)
        draft = VpcDraft(
            id=vid,
            source=res.source,
            tags=self.tags(res),
            main_table_id=self.own_id(res, "default_route_table_id"),
            default_acl_id=self.own_id(res, "default_network_acl_id"),
            default_group_id=self.own_id(res, "default_security_group_id"),
        )
        cidr = res.get("cidr_block")
        if cidr is UNKNOWN:
            self.unknown(vid, res, "cidr_block", UnknownKind.CIDR)
        elif cidr:
            draft.cidrs_v4.append(self.cidr(cidr, res.place("cidr_block")))
        v6 = res.get("ipv6_cidr_block")
        if v6 is UNKNOWN:
            if res.get("assign_generated_ipv6_cidr_block") is True or res.get("ipv6_ipam_pool_id"):
                draft.ipv6_unknown = True
                self.unknown(vid, res, "ipv6_cidr_block", UnknownKind.CIDR)
        elif v6:
            draft.cidrs_v6.append(self.cidr(v6, res.place("ipv6_cidr_block")))
        self.draft.vpcs[vid] = draft
        self.type_of_id[vid] = res.type

    def vpc_cidr(self, res: Res) -> None:
        vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        vpc = self.vpc_draft(vid)
        if vpc is None:
            raise _Skip(f"{res.address}: VPC {vid} is not in this plan")
        v6 = res.type.endswith("ipv6_cidr_block_association")
        key = "ipv6_cidr_block" if v6 else "cidr_block"
        cidr = res.get(key)
        if cidr is UNKNOWN:
            vpc.ipv6_unknown = vpc.ipv6_unknown or v6
            self.unknown(vid, res, key, UnknownKind.CIDR)
        elif cidr:
            (vpc.cidrs_v6 if v6 else vpc.cidrs_v4).append(self.cidr(cidr, res.place(key)))

    def subnet(self, res: Res) -> None:
        sid = self.own_id(res)
        vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        if vid not in self.draft.vpcs:
            raise _Skip(f"{res.address}: VPC {vid} is not in this plan")
        draft = SubnetDraft(id=sid, vpc_id=vid, source=res.source, tags=self.tags(res))
        cidr = res.get("cidr_block")
        if cidr is UNKNOWN:
            self.unknown(sid, res, "cidr_block", UnknownKind.CIDR)
        elif cidr:
            draft.cidr_v4 = self.cidr(cidr, res.place("cidr_block"))
        v6 = res.get("ipv6_cidr_block")
        if v6 is UNKNOWN:
            self.unknown(sid, res, "ipv6_cidr_block", UnknownKind.CIDR)
        elif v6:
            draft.cidrs_v6.append(self.cidr(v6, res.place("ipv6_cidr_block")))
        az = res.get("availability_zone")
        draft.availability_zone = az if isinstance(az, str) else ""
        draft.map_public_ip_on_launch = res.get("map_public_ip_on_launch") is True
        assigns = res.get("assign_ipv6_address_on_creation")
        # an instance gets IPv6 addresses by default only where the subnet assigns them
        self.assigns_ipv6[sid] = (assigns is True or assigns is UNKNOWN) and bool(
            draft.cidrs_v6 or res.get("ipv6_cidr_block") is UNKNOWN
        )
        self.draft.subnets[sid] = draft
        self.type_of_id[sid] = res.type

    # gateways ---------------------------------------------------------------------------------
    def gateway(self, res: Res) -> None:
        gid = self.own_id(res)
        egress_only = res.type == "aws_egress_only_internet_gateway"
        self.draft.gateways[gid] = InternetGateway(
            id=gid, vpc_ids=(), account="", region="", egress_only=egress_only, source=res.source
        )
        self.type_of_id[gid] = res.type
        vid = self.link(res, "vpc_id", ("aws_vpc",))
        if vid is UNKNOWN:
            self.unknown(gid, res, "vpc_id", UnknownKind.ASSOCIATION)
        elif vid:
            self.draft.gateway_vpcs.setdefault(gid, []).append(vid)

    def gateway_attachment(self, res: Res) -> None:
        gid = self.require(res, "internet_gateway_id", ("aws_internet_gateway",), "internet gateway")
        vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        self.draft.gateway_vpcs.setdefault(gid, []).append(vid)

    def eip(self, res: Res) -> None:
        aid = self.own_id(res)
        self.type_of_id[aid] = res.type
        public = res.get("public_ip")
        if public is UNKNOWN or not public:
            given = res.get("address")  # a BYOIP address asked for is the address allocated
            public = given if isinstance(given, str) and given else None
        draft = AddressDraft(id=aid, source=res.source, public_ip=public)
        instance = self.optional_link(res, "instance", ("aws_instance",))
        eni = self.optional_link(res, "network_interface", ("aws_network_interface",))
        if instance is UNKNOWN or eni is UNKNOWN:
            self.unknown(aid, res, "instance" if instance is UNKNOWN else "network_interface", UnknownKind.ADDRESS)
        else:
            draft.instance_id = instance
            draft.interface_id = eni
        private = res.get("associate_with_private_ip")
        draft.private_ip = private if isinstance(private, str) and private else None
        self.draft.addresses.append(draft)

    def nat_gateway(self, res: Res) -> None:
        nid = self.own_id(res)
        subnet = self.require(res, "subnet_id", ("aws_subnet",), "subnet")
        if subnet not in self.draft.subnets:
            raise _Skip(f"{res.address}: subnet {subnet} is not in this plan")
        connectivity = res.get("connectivity_type")
        draft = NatDraft(
            id=nid, subnet_id=subnet, source=res.source, connectivity=connectivity if connectivity else "public"
        )
        private = res.get("private_ip")
        if private is UNKNOWN:
            self.unknown(nid, res, "private_ip", UnknownKind.ADDRESS)
        elif private:
            draft.private_ips.append(str(private))
        if draft.connectivity == "public":
            public = res.get("public_ip")
            if public is UNKNOWN or not public:
                allocation = self.link(res, "allocation_id", ("aws_eip",))
                found = next((a for a in self.draft.addresses if a.id == allocation), None)
                public = found.public_ip if found else None
            if public:
                draft.public_ips.append(str(public))
            else:
                self.unknown(nid, res, "public_ip", UnknownKind.ADDRESS)
        self.draft.nats[nid] = draft
        self.type_of_id[nid] = res.type

    def peering(self, res: Res) -> None:
        pid = self.own_id(res)
        requester = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        accepter = self.require(res, "peer_vpc_id", ("aws_vpc",), "peer VPC")
        status = res.get("accept_status")
        if status is UNKNOWN or not status:
            same_place = res.get("peer_owner_id") in (None, UNKNOWN) and res.get("peer_region") in (None, UNKNOWN)
            status = "active" if res.get("auto_accept") is True and same_place else "pending-acceptance"
        owner = res.get("peer_owner_id")
        region = res.get("peer_region")
        self.draft.peerings[pid] = PeeringDraft(
            id=pid,
            requester_vpc=requester,
            accepter_vpc=accepter,
            source=res.source,
            status=str(status),
            accepter_account=owner if isinstance(owner, str) and owner else None,
            accepter_region=region if isinstance(region, str) and region else None,
        )
        self.type_of_id[pid] = res.type

    def peering_accepter(self, res: Res) -> None:
        pid = self.require(res, "vpc_peering_connection_id", ("aws_vpc_peering_connection",), "peering")
        draft = self.draft.peerings.get(pid)
        if draft is None:
            return
        status = res.get("accept_status")
        if isinstance(status, str) and status:
            draft.status = status
        elif res.get("auto_accept") is True:
            draft.status = "active"

    # routing ----------------------------------------------------------------------------------
    TARGET_KEYS: tuple[tuple[str, RouteTarget | None, tuple[str, ...]], ...] = (
        ("nat_gateway_id", RouteTarget.NAT_GATEWAY, ("aws_nat_gateway",)),
        ("vpc_peering_connection_id", RouteTarget.PEERING, ("aws_vpc_peering_connection",)),
        ("transit_gateway_id", RouteTarget.TRANSIT_GATEWAY, ()),
        ("egress_only_gateway_id", RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY, ("aws_egress_only_internet_gateway",)),
        ("carrier_gateway_id", RouteTarget.CARRIER_GATEWAY, ()),
        ("local_gateway_id", RouteTarget.LOCAL_GATEWAY, ()),
        ("core_network_arn", RouteTarget.CORE_NETWORK, ()),
        ("instance_id", RouteTarget.INSTANCE, ("aws_instance",)),
        ("network_interface_id", RouteTarget.NETWORK_INTERFACE, ("aws_network_interface",)),
        ("vpc_endpoint_id", RouteTarget.VPC_ENDPOINT, ()),
        ("gateway_id", None, ("aws_internet_gateway", "aws_vpn_gateway", "aws_vpc_endpoint")),
    )

    def _gateway_kind(self, target_id: str) -> RouteTarget:
        """The kind of a `gateway_id` target: by the resource type behind it, else by the id's prefix."""
        kind = {
            "aws_internet_gateway": RouteTarget.INTERNET_GATEWAY,
            "aws_egress_only_internet_gateway": RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY,
        }.get(self.type_of_id.get(target_id, ""))
        if kind is not None:
            return kind
        if target_id == "local":
            return RouteTarget.LOCAL
        for prefix, target in (
            ("igw-", RouteTarget.INTERNET_GATEWAY),
            ("vgw-", RouteTarget.VIRTUAL_PRIVATE_GATEWAY),
            ("vpce-", RouteTarget.VPC_ENDPOINT),
            ("eigw-", RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY),
        ):
            if target_id.startswith(prefix):
                return target
        return RouteTarget.OTHER

    def _route(
        self,
        res: Res,
        table_id: str,
        item: Mapping[str, Any],
        flags: Any,
        place: str,
        dest_keys: tuple[str, str, str],
        link: Callable[[str, tuple[str, ...]], Any],
        configured: Callable[[str], bool] = lambda key: True,
    ) -> Route | None:
        def get(key: str) -> Any:
            if isinstance(flags, Mapping) and flags.get(key) is True:
                return UNKNOWN
            return item.get(key)

        v4, v6, pl = (None if get(k) is UNKNOWN and not configured(k) else get(k) for k in dest_keys)
        if UNKNOWN in (v4, v6, pl):
            self.unknown(table_id, res, f"{place}.destination", UnknownKind.ROUTES)
            return None
        destination = v4 or v6 or None
        if destination:
            destination = self.cidr(destination, f"{place}.{dest_keys[0] if v4 else dest_keys[1]}")
        elif not pl:
            raise _error(self.file, place, "route has no destination")
        for key, kind, types in self.TARGET_KEYS:
            raw = get(key)
            if raw in (None, "") or (raw is UNKNOWN and not configured(key)):
                continue
            target_id = link(key, types) if raw is UNKNOWN else str(raw)
            if target_id is UNKNOWN or target_id is None:
                self.unknown(table_id, res, f"{place}.{key}", UnknownKind.ROUTES)
                return None
            target = kind if kind is not None else self._gateway_kind(target_id)
            return Route(
                destination=destination,
                target=target,
                target_id=target_id,
                destination_prefix_list_id=str(pl) if pl else None,
                origin="CreateRoute",
            )
        raise _error(self.file, place, "route has no target")

    def _inline_link(self, res: Res, key: str, items: list[Any], flags: Any) -> Callable[..., Any]:
        """Link an unknown field of an inline block: only when one block has that field unknown."""
        refs = res.refs(key)

        def link(field_name: str, types: tuple[str, ...]) -> Any:
            unknown_blocks = [
                i
                for i, f in enumerate(flags if isinstance(flags, list) else [])
                if isinstance(f, Mapping) and f.get(field_name) is True
            ]
            if len(unknown_blocks) != 1:
                return UNKNOWN
            targets = self.resolver.targets(res, refs)
            fitting = [(t, a) for t, a in targets or [] if not types or t.type in types]
            if len(fitting) != 1:
                return UNKNOWN
            value = self._target_value(*fitting[0])
            return value if isinstance(value, str) else UNKNOWN

        return link

    def route_table(self, res: Res) -> None:
        if res.type == "aws_default_route_table":
            tid = self.require(res, "default_route_table_id", ("aws_vpc",), "route table")
            vid = self.link(res, "vpc_id", ("aws_vpc",))
            if vid in (UNKNOWN, None):
                vid = next((v.id for v in self.draft.vpcs.values() if v.main_table_id == tid), None)
        else:
            tid = self.own_id(res)
            vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        if vid is None or vid is UNKNOWN or vid not in self.draft.vpcs:
            raise _Skip(f"{res.address}: its VPC is not in this plan")
        self.alias[self.own_id(res)] = tid
        table = RouteTableDraft(tid, vid, res.source, tags=self.tags(res), is_default=res.type != "aws_route_table")
        self.draft.route_tables[tid] = table
        self.type_of_id[tid] = res.type
        routes = res.get("route")
        if routes is UNKNOWN:
            if "route" in res.expressions:
                self.unknown(tid, res, "route", UnknownKind.ROUTES)
            return  # not configured: the table has the routes of aws_route resources only
        flags = res.flag("route")
        items = routes if isinstance(routes, list) else []
        link = self._inline_link(res, "route", items, flags)
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise _error(self.file, res.place(f"route[{i}]"), "expected a route block")
            item_flags = flags[i] if isinstance(flags, list) and i < len(flags) else {}
            route = self._route(
                res,
                tid,
                item,
                item_flags,
                res.place(f"route[{i}]"),
                ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"),
                link,
            )
            if route is not None:
                table.routes.append(route)

    def route(self, res: Res) -> None:
        tid = self.require(res, "route_table_id", ("aws_route_table", "aws_default_route_table"), "route table")
        if tid not in self.draft.route_tables:
            vpc = next((v for v in self.draft.vpcs.values() if v.main_table_id == tid), None)
            if vpc is None:
                raise _Skip(f"{res.address}: route table {tid} is not in this plan")
            self.draft.route_tables[tid] = RouteTableDraft(tid, vpc.id, vpc.source, is_default=True)

        def link(key: str, types: tuple[str, ...]) -> Any:
            return self.link(res, key, types)

        route = self._route(
            res,
            tid,
            res.values,
            res.unknown,
            res.address,
            ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"),
            link,
            lambda key: key in res.expressions,  # instance_id and network_interface_id are also computed
        )
        if route is not None:
            self.draft.route_tables[tid].routes.append(route)

    def route_table_association(self, res: Res) -> None:
        if res.get("gateway_id") not in (None, ""):
            return  # an edge association (ingress routing for a gateway): not a subnet's table
        subnet = self.require(res, "subnet_id", ("aws_subnet",), "subnet")
        table = self.require(res, "route_table_id", ("aws_route_table", "aws_default_route_table"), "route table")
        self.draft.table_of_subnet[subnet] = table

    def main_route_table_association(self, res: Res) -> None:
        vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        table = self.require(res, "route_table_id", ("aws_route_table",), "route table")
        self.draft.main_table_of_vpc[vid] = table

    # network ACLs -----------------------------------------------------------------------------
    def _nacl_entry(
        self,
        acl_id: str,
        res: Res,
        item: Mapping[str, Any],
        flags: Any,
        egress: bool,
        place: str,
        keys: tuple[str, str],
    ) -> NaclEntry | None:
        number_key, action_key = keys
        decisive = (
            number_key,
            action_key,
            "protocol",
            "cidr_block",
            "ipv6_cidr_block",
            "from_port",
            "to_port",
            "icmp_type",
            "icmp_code",
            "egress",
        )
        if isinstance(flags, Mapping) and any(flags.get(k) is True for k in decisive):
            self.unknown(acl_id, res, place, UnknownKind.RULES)
            return None
        number = self.integer(item.get(number_key), f"{place}.{number_key}")
        if number is None or not 1 <= number <= 32766:
            raise _error(self.file, f"{place}.{number_key}", f"rule number must be 1-32766, got {number}")
        action = str(item.get(action_key, "")).lower()
        if action not in ("allow", "deny"):
            raise _error(self.file, f"{place}.{action_key}", f"must be allow or deny, got {action!r}")
        protocol = self.protocol(item.get("protocol", "-1"), f"{place}.protocol")
        v4 = item.get("cidr_block")
        v6 = item.get("ipv6_cidr_block")
        cidr_key = "cidr_block" if v4 else "ipv6_cidr_block"
        raw = v4 or v6
        if not raw:
            raise _error(self.file, place, "entry has neither cidr_block nor ipv6_cidr_block")
        cidr = str(ipaddress.ip_network(self.cidr(raw, f"{place}.{cidr_key}"), strict=False))
        icmp = protocol == 1 or (protocol == 58 and ":" in cidr)
        ported = protocol in (6, 17)
        return NaclEntry(
            rule_number=number,
            egress=egress,
            allow=action == "allow",
            protocol=protocol,
            cidr=cidr,
            port_from=self.integer(item.get("from_port"), f"{place}.from_port") if ported else None,
            port_to=self.integer(item.get("to_port"), f"{place}.to_port") if ported else None,
            icmp_type=(self.integer(item.get("icmp_type"), f"{place}.icmp_type") or 0) if icmp else None,
            icmp_code=(self.integer(item.get("icmp_code"), f"{place}.icmp_code") or 0) if icmp else None,
            position=place,
        )

    def network_acl(self, res: Res) -> None:
        if res.type == "aws_default_network_acl":
            aid = self.require(res, "default_network_acl_id", ("aws_vpc",), "network ACL")
            vid = self.link(res, "vpc_id", ("aws_vpc",))
            if vid in (UNKNOWN, None):
                vid = next((v.id for v in self.draft.vpcs.values() if v.default_acl_id == aid), None)
        else:
            aid = self.own_id(res)
            vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        if vid is None or vid is UNKNOWN or vid not in self.draft.vpcs:
            raise _Skip(f"{res.address}: its VPC is not in this plan")
        self.alias[self.own_id(res)] = aid
        acl = AclDraft(aid, vid, res.source, tags=self.tags(res), is_default=res.type == "aws_default_network_acl")
        self.draft.acls[aid] = acl
        self.type_of_id[aid] = res.type
        for key, egress in (("egress", True), ("ingress", False)):
            items = res.get(key)
            if items is UNKNOWN:
                if key in res.expressions:
                    self.unknown(aid, res, key, UnknownKind.RULES)
                continue
            flags = res.flag(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if not isinstance(item, Mapping):
                    raise _error(self.file, res.place(f"{key}[{i}]"), "expected a rule block")
                item_flags = flags[i] if isinstance(flags, list) and i < len(flags) else {}
                entry = self._nacl_entry(
                    aid, res, item, item_flags, egress, res.place(f"{key}[{i}]"), ("rule_no", "action")
                )
                if entry is not None:
                    acl.entries.append(entry)
        subnets = self.links(res, "subnet_ids")
        if subnets is UNKNOWN:
            if "subnet_ids" in res.expressions:
                self.unknown(aid, res, "subnet_ids", UnknownKind.ASSOCIATION)
            return
        for subnet in subnets:
            self.draft.acl_of_subnet[subnet] = aid

    def network_acl_rule(self, res: Res) -> None:
        aid = self.require(res, "network_acl_id", ("aws_network_acl", "aws_default_network_acl"), "network ACL")
        acl = self.draft.acls.get(aid)
        if acl is None:
            raise _Skip(f"{res.address}: network ACL {aid} is not in this plan")
        egress = res.get("egress") is True
        entry = self._nacl_entry(aid, res, res.values, res.unknown, egress, res.address, ("rule_number", "rule_action"))
        if entry is not None:
            acl.entries.append(entry)

    def network_acl_association(self, res: Res) -> None:
        aid = self.require(res, "network_acl_id", ("aws_network_acl",), "network ACL")
        subnet = self.require(res, "subnet_id", ("aws_subnet",), "subnet")
        self.draft.acl_of_subnet[subnet] = aid

    # security groups --------------------------------------------------------------------------
    def _rules_of_block(
        self,
        group_id: str,
        res: Res,
        item: Mapping[str, Any],
        flags: Any,
        egress: bool,
        place: str,
        link_groups: Callable[[], list[str] | Any],
        link_lists: Callable[[], list[str] | Any],
    ) -> list[SecurityGroupRule]:
        def get(key: str) -> Any:
            if isinstance(flags, Mapping) and flags.get(key) is True:
                return UNKNOWN
            return item.get(key)

        for key in ("protocol", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks", "self"):
            if get(key) is UNKNOWN:
                self.unknown(group_id, res, f"{place}.{key}", UnknownKind.RULES)
                return []
        protocol = self.protocol(get("protocol"), f"{place}.protocol")
        from_port, to_port = self._ports(protocol, get("from_port"), get("to_port"), place)
        base: dict[str, Any] = {
            "group_id": group_id,
            "egress": egress,
            "protocol": protocol,
            "from_port": from_port,
            "to_port": to_port,
            "description": str(get("description") or ""),
        }
        rules: list[SecurityGroupRule] = []
        for key in ("cidr_blocks", "ipv6_cidr_blocks"):
            for j, cidr in enumerate(get(key) or []):
                where = f"{place}.{key}[{j}]"
                rules.append(
                    SecurityGroupRule(**base, peer_kind=PeerKind.CIDR, cidr=self.cidr(cidr, where), position=where)
                )
        lists = get("prefix_list_ids")
        if lists is UNKNOWN:
            lists = link_lists()
            if lists is UNKNOWN:
                self.unknown(group_id, res, f"{place}.prefix_list_ids", UnknownKind.RULES)
                lists = []
        for j, pl in enumerate(lists or []):
            where = f"{place}.prefix_list_ids[{j}]"
            rules.append(
                SecurityGroupRule(**base, peer_kind=PeerKind.PREFIX_LIST, prefix_list_id=str(pl), position=where)
            )
        groups = get("security_groups")
        if groups is UNKNOWN:
            groups = link_groups()
            if groups is UNKNOWN:
                self.unknown(group_id, res, f"{place}.security_groups", UnknownKind.RULES)
                groups = []
        refs = [str(g) for g in groups or []]
        if get("self") is True:
            refs.append(group_id)
        for j, ref in enumerate(refs):
            owner, _, gid = ref.rpartition("/") if "/" in ref and not ref.startswith(PLACEHOLDER) else ("", "", ref)
            where = f"{place}.security_groups[{j}]" if j < len(groups or []) else f"{place}.self"
            rules.append(
                SecurityGroupRule(
                    **base,
                    peer_kind=PeerKind.SECURITY_GROUP,
                    group=GroupReference(group_id=gid, user_id=owner or None),
                    position=where,
                )
            )
        return rules

    def _ports(self, protocol: int, low: Any, high: Any, place: str) -> tuple[int | None, int | None]:
        """Ports as describe-security-groups reports them: none for -1, type/code for ICMP."""
        if protocol == -1:
            return None, None
        return self.integer(low, f"{place}.from_port"), self.integer(high, f"{place}.to_port")

    def security_group(self, res: Res) -> None:
        default = res.type == "aws_default_security_group"
        vid = self.require(res, "vpc_id", ("aws_vpc",), "VPC")
        vpc = self.vpc_draft(vid)
        if vpc is None:
            raise _Skip(f"{res.address}: VPC {vid} is not in this plan")
        gid = self.own_id(res)
        if default and gid.startswith(PLACEHOLDER):
            self.alias[gid] = vpc.default_group_id
            gid = vpc.default_group_id
        name = res.get("name")
        if default:
            name = "default"
        group = GroupDraft(
            id=gid,
            name=name if isinstance(name, str) and name else res.address,
            vpc_id=vid,
            source=res.source,
            description=str(res.get("description") or ("default VPC security group" if default else "")),
            tags=self.tags(res),
            egress_declared=True,  # Terraform manages every rule: none unless configured
        )
        self.draft.groups[gid] = group
        self.type_of_id[gid] = res.type
        for key, egress in (("ingress", False), ("egress", True)):
            items = res.get(key)
            if items is UNKNOWN:
                if key in res.expressions:
                    self.unknown(gid, res, key, UnknownKind.RULES)
                # not configured: Terraform leaves (or makes) the group without rules of this direction
                continue
            flags = res.flag(key)
            items_list = items if isinstance(items, list) else []
            refs = res.refs(key)
            for i, item in enumerate(items_list):
                if not isinstance(item, Mapping):
                    raise _error(self.file, res.place(f"{key}[{i}]"), "expected a rule block")
                item_flags = flags[i] if isinstance(flags, list) and i < len(flags) else {}
                link_groups = self._inline_list_link(
                    res, refs, flags, "security_groups", ("aws_security_group", "aws_default_security_group")
                )
                link_lists = self._inline_list_link(
                    res, refs, flags, "prefix_list_ids", ("aws_ec2_managed_prefix_list",)
                )
                place = res.place(f"{key}[{i}]")
                bucket = group.egress if egress else group.ingress
                bucket.extend(self._rules_of_block(gid, res, item, item_flags, egress, place, link_groups, link_lists))

    def _inline_list_link(
        self, res: Res, refs: list[str], flags: Any, field_name: str, types: tuple[str, ...]
    ) -> Callable[[], list[str] | Any]:
        def link() -> list[str] | Any:
            blocks = [f for f in (flags if isinstance(flags, list) else []) if isinstance(f, Mapping)]
            if sum(1 for f in blocks if f.get(field_name) is True) != 1:
                return UNKNOWN
            targets = self.resolver.targets(res, refs)
            if targets is None:
                return UNKNOWN
            out = []
            for target, attr in targets:
                if target.type not in types:
                    continue
                value = self._target_value(target, attr)
                if not isinstance(value, str):
                    return UNKNOWN
                out.append(value)
            return out or UNKNOWN

        return link

    def _group_for_rule(self, res: Res) -> GroupDraft:
        gid = self.require(
            res, "security_group_id", ("aws_security_group", "aws_default_security_group"), "security group"
        )
        group = self.draft.groups.get(gid)
        if group is None:
            raise _Skip(f"{res.address}: security group {gid} is not in this plan")
        return group

    def security_group_rule(self, res: Res) -> None:
        group = self._group_for_rule(res)
        kind = res.get("type")
        if kind not in ("ingress", "egress"):
            raise _error(self.file, res.place("type"), f"must be ingress or egress, got {kind!r}")
        egress = kind == "egress"

        def link_groups() -> list[str] | Any:
            source = self.link(res, "source_security_group_id", ("aws_security_group", "aws_default_security_group"))
            return [source] if isinstance(source, str) else UNKNOWN

        def link_lists() -> list[str] | Any:
            return self.links(res, "prefix_list_ids")

        item = dict(res.values)
        flags = dict(res.unknown) if isinstance(res.unknown, Mapping) else {}
        for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "self", "source_security_group_id"):
            if flags.get(key) is True and key not in res.expressions:
                flags[key] = False  # computed, not configured: the rule has none
                item[key] = None
        source = item.get("source_security_group_id") if flags.get("source_security_group_id") is not True else UNKNOWN
        item["security_groups"] = [source] if isinstance(source, str) and source else []
        if source is UNKNOWN:
            flags["security_groups"] = True
        rules = self._rules_of_block(group.id, res, item, flags, egress, res.address, link_groups, link_lists)
        (group.egress if egress else group.ingress).extend(rules)

    def vpc_security_group_rule(self, res: Res) -> None:
        group = self._group_for_rule(res)
        egress = res.type.endswith("egress_rule")
        for key in ("ip_protocol", "from_port", "to_port", "cidr_ipv4", "cidr_ipv6"):
            if res.get(key) is UNKNOWN and key in res.expressions:
                self.unknown(group.id, res, key, UnknownKind.RULES)
                return
        protocol = self.protocol(res.get("ip_protocol"), res.place("ip_protocol"))
        from_port, to_port = self._ports(protocol, res.get("from_port"), res.get("to_port"), res.address)
        base: dict[str, Any] = {
            "group_id": group.id,
            "egress": egress,
            "protocol": protocol,
            "from_port": from_port,
            "to_port": to_port,
            "description": str(res.get("description") or ""),
            "position": res.address,
        }
        if protocol in (6, 17) and (from_port is None or to_port is None):
            raise _error(self.file, res.address, "tcp and udp rules need from_port and to_port")
        peers: list[SecurityGroupRule] = []
        for key in ("cidr_ipv4", "cidr_ipv6"):
            value = res.get(key)
            if value:
                peers.append(SecurityGroupRule(**base, peer_kind=PeerKind.CIDR, cidr=self.cidr(value, res.place(key))))
        pl = self.optional_link(res, "prefix_list_id", ("aws_ec2_managed_prefix_list",))
        if pl is UNKNOWN:
            self.unknown(group.id, res, "prefix_list_id", UnknownKind.RULES)
            return
        if pl:
            peers.append(SecurityGroupRule(**base, peer_kind=PeerKind.PREFIX_LIST, prefix_list_id=pl))
        ref = self.optional_link(
            res, "referenced_security_group_id", ("aws_security_group", "aws_default_security_group")
        )
        if ref is UNKNOWN:
            self.unknown(group.id, res, "referenced_security_group_id", UnknownKind.RULES)
            return
        if ref:
            owner, _, gid = ref.rpartition("/") if "/" in ref and not ref.startswith(PLACEHOLDER) else ("", "", ref)
            peers.append(
                SecurityGroupRule(
                    **base, peer_kind=PeerKind.SECURITY_GROUP, group=GroupReference(group_id=gid, user_id=owner or None)
                )
            )
        if len(peers) != 1:
            raise _error(
                self.file,
                res.address,
                "needs exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id",
            )
        (group.egress if egress else group.ingress).extend(peers)

    # interfaces and instances -----------------------------------------------------------------
    def _groups_or_default(self, res: Res, key: str, vpc_id: str, eni_id: str) -> list[str]:
        groups = self.links(res, key)
        if groups is UNKNOWN:
            if key in res.expressions:
                self.unknown(eni_id, res, key, UnknownKind.ASSOCIATION)
                return []
            groups = []
        if not groups:
            vpc = self.vpc_draft(vpc_id)
            if vpc is not None:
                return [vpc.default_group_id]  # AWS attaches the VPC's default group
        return list(groups)

    def network_interface(self, res: Res) -> None:
        eid = self.own_id(res)
        subnet_id = self.require(res, "subnet_id", ("aws_subnet",), "subnet")
        subnet = self.draft.subnets.get(subnet_id)
        if subnet is None:
            raise _Skip(f"{res.address}: subnet {subnet_id} is not in this plan")
        draft = InterfaceDraft(eid, subnet_id, res.source, tags=self.tags(res))
        primary = res.get("private_ip")
        ordered = res.get("private_ip_list") if res.get("private_ip_list_enabled") is True else None
        ips = ordered if isinstance(ordered, list) and ordered else res.get("private_ips")
        if ips is UNKNOWN or (not ips and primary is UNKNOWN):
            self.unknown(eid, res, "private_ips", UnknownKind.ADDRESS)
            ips = []
        addresses = sorted(str(ip) for ip in ips or [])
        if isinstance(primary, str) and primary:
            addresses = [primary] + [a for a in addresses if a != primary]
        elif primary is UNKNOWN and len(addresses) > 1 and not isinstance(ordered, list):
            self.unknown(eid, res, "private_ip", UnknownKind.ADDRESS)  # which one is primary
        draft.private_ipv4s = addresses
        v6 = res.get("ipv6_addresses")
        if v6 is UNKNOWN:
            count = res.get("ipv6_address_count")
            asked = "ipv6_addresses" in res.expressions or (isinstance(count, int) and count > 0)
            if asked or (count is UNKNOWN and self.assigns_ipv6.get(subnet_id, False)):
                self.unknown(eid, res, "ipv6_addresses", UnknownKind.ADDRESS)
        else:
            draft.ipv6s = [str(a) for a in v6 or []]
        draft.group_ids = self._groups_or_default(res, "security_groups", subnet.vpc_id, eid)
        description = res.get("description")
        draft.description = description if isinstance(description, str) else ""
        kind = res.get("interface_type")
        draft.interface_type = kind if isinstance(kind, str) and kind else "interface"
        attachment = res.get("attachment")
        for i, item in enumerate(attachment if isinstance(attachment, list) else []):
            if isinstance(item, Mapping) and item.get("instance"):
                draft.instance_id = str(item["instance"])
                draft.device_index = self.integer(item.get("device_index"), res.place(f"attachment[{i}]"))
        self.draft.interfaces[eid] = draft
        self.type_of_id[eid] = res.type

    def instance(self, res: Res) -> None:
        iid = self.own_id(res)
        state = res.get("instance_state")
        instance = InstanceDraft(
            iid, res.source, tags=self.tags(res), state=state if isinstance(state, str) and state else "running"
        )
        blocks = res.get("network_interface")
        attached: list[tuple[int, str]] = []
        block_exprs = res.expressions.get("network_interface")
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, Mapping):
                continue
            index = self.integer(block.get("device_index"), res.place(f"network_interface[{i}].device_index")) or 0
            eni = block.get("network_interface_id")
            if not eni:
                expr = block_exprs[i] if isinstance(block_exprs, list) and i < len(block_exprs) else {}
                targets = self.resolver.targets(res, _references(expr.get("network_interface_id")))
                if not targets or len(targets) != 1:
                    raise _Skip(f"{res.address}: network_interface[{i}] names no single interface of this plan")
                eni = self._target_value(*targets[0])
            attached.append((index, str(eni)))
        primary_attached = next((eni for index, eni in attached if index == 0), None)
        if primary_attached is not None:
            eni_draft = self.draft.interfaces.get(primary_attached)
            if eni_draft is None:
                raise _Skip(f"{res.address}: interface {primary_attached} is not in this plan")
            primary_id = primary_attached
        else:
            primary_id = self.own_id(res, "primary_network_interface_id")
            subnet_id = self.require(res, "subnet_id", ("aws_subnet",), "subnet")
            subnet = self.draft.subnets.get(subnet_id)
            if subnet is None:
                raise _Skip(f"{res.address}: subnet {subnet_id} is not in this plan")
            eni_draft = InterfaceDraft(primary_id, subnet_id, res.source)
            self.draft.interfaces[primary_id] = eni_draft
            self._primary_addresses(res, eni_draft, subnet)
            eni_draft.group_ids = self._groups_or_default(res, "vpc_security_group_ids", subnet.vpc_id, primary_id)
        eni_draft.instance_id = iid
        eni_draft.device_index = 0
        instance.interface_ids.append(primary_id)
        for index, eni in sorted(attached):
            if index == 0:
                continue
            other = self.draft.interfaces.get(eni)
            if other is not None:
                other.instance_id = iid
                other.device_index = index
                instance.interface_ids.append(eni)
        self.draft.instances[iid] = instance
        self.type_of_id[iid] = res.type

    def _primary_addresses(self, res: Res, eni: InterfaceDraft, subnet: SubnetDraft) -> None:
        private = res.get("private_ip")
        if private is UNKNOWN or not private:
            self.unknown(eni.id, res, "private_ip", UnknownKind.ADDRESS)
        else:
            eni.private_ipv4s.append(str(private))
        secondary = res.get("secondary_private_ips")
        if secondary is UNKNOWN:
            if "secondary_private_ips" in res.expressions:
                self.unknown(eni.id, res, "secondary_private_ips", UnknownKind.ADDRESS)
        else:
            eni.private_ipv4s.extend(sorted(str(ip) for ip in secondary or []))
        public = res.get("public_ip")
        wants_public = res.get("associate_public_ip_address")
        if public is UNKNOWN:
            if wants_public is True or (wants_public in (None, UNKNOWN) and subnet.map_public_ip_on_launch):
                self.unknown(eni.id, res, "public_ip", UnknownKind.ADDRESS)
        elif public:
            eni.public_ipv4s.append(str(public))
        v6 = res.get("ipv6_addresses")
        if v6 is UNKNOWN:
            count = res.get("ipv6_address_count")
            asked = "ipv6_addresses" in res.expressions or (isinstance(count, int) and count > 0)
            by_subnet = count is UNKNOWN and self.assigns_ipv6.get(subnet.id, False) is not False
            if asked or by_subnet:
                self.unknown(eni.id, res, "ipv6_addresses", UnknownKind.ADDRESS)
        else:
            eni.ipv6s.extend(str(a) for a in v6 or [])

    def interface_attachment(self, res: Res) -> None:
        eni = self.require(res, "network_interface_id", ("aws_network_interface",), "interface")
        instance = self.require(res, "instance_id", ("aws_instance",), "instance")
        draft = self.draft.interfaces.get(eni)
        owner = self.draft.instances.get(instance)
        if draft is None or owner is None:
            raise _Skip(f"{res.address}: interface or instance is not in this plan")
        draft.instance_id = instance
        draft.device_index = self.integer(res.get("device_index"), res.place("device_index"))
        if eni not in owner.interface_ids:
            owner.interface_ids.append(eni)

    def interface_group_attachment(self, res: Res) -> None:
        eni = self.require(res, "network_interface_id", ("aws_network_interface",), "interface")
        group = self.require(res, "security_group_id", ("aws_security_group",), "security group")
        draft = self.draft.interfaces.get(eni)
        if draft is None:
            raise _Skip(f"{res.address}: interface {eni} is not in this plan")
        vpc = self.vpc_draft(self.draft.subnets[draft.subnet_id].vpc_id)
        if vpc is not None and draft.group_ids == [vpc.default_group_id]:
            draft.group_ids = []  # the default group was only there because no group was given
        if group not in draft.group_ids:
            draft.group_ids.append(group)

    def eip_association(self, res: Res) -> None:
        allocation = self.link(res, "allocation_id", ("aws_eip",))
        address = next((a for a in self.draft.addresses if a.id == allocation), None)
        public = res.get("public_ip")
        if address is None:
            address = AddressDraft(
                id=self.own_id(res), source=res.source, public_ip=public if isinstance(public, str) else None
            )
            self.draft.addresses.append(address)
        instance = self.link(res, "instance_id", ("aws_instance",))
        eni = self.link(res, "network_interface_id", ("aws_network_interface",))
        if instance is UNKNOWN or eni is UNKNOWN:
            self.unknown(address.id, res, "instance_id", UnknownKind.ADDRESS)
            return
        address.instance_id = instance or address.instance_id
        address.interface_id = eni or address.interface_id
        private = res.get("private_ip_address")
        if isinstance(private, str) and private:
            address.private_ip = private

    # load balancers -------------------------------------------------------------------------
    def nested(self, res: Res, path: tuple[str | int, ...]) -> Any:
        """A value inside nested blocks: known, else linked through that block's own expression."""
        value: Any = res.values
        flags: Any = res.unknown
        expr: Any = res.expressions
        for step in path:
            value = _step(value, step)
            flags = _step(flags, step)
            expr = _step(expr, step)
        if flags is not True:
            return value
        targets = self.resolver.targets(res, _references(expr))
        if not targets or len(targets) != 1:
            return UNKNOWN
        linked = self._target_value(*targets[0])
        return linked if isinstance(linked, str) else UNKNOWN

    def _lb_place(self, res: Res, key: str) -> Context:
        return Context(file=self.file, account=self.draft.account, region=self.draft.region)

    def load_balancer(self, res: Res) -> None:
        arn = self.own_id(res)
        kind = res.get("load_balancer_type")
        kind = kind if isinstance(kind, str) and kind else "application"
        subnets = self.links(res, "subnets")
        mappings = res.get("subnet_mapping")
        if isinstance(mappings, list) and mappings:
            subnets = [self.nested(res, ("subnet_mapping", i, "subnet_id")) for i in range(len(mappings))]
            subnets = UNKNOWN if UNKNOWN in subnets else subnets
        if subnets is UNKNOWN or not subnets or any(s not in self.draft.subnets for s in subnets):
            raise _Skip(f"{res.address}: its subnets are not known, or not in this plan")
        vpc_id = self.draft.subnets[subnets[0]].vpc_id
        groups = self.links(res, "security_groups")
        if groups is UNKNOWN:
            if "security_groups" in res.expressions:
                raise _Skip(f"{res.address}: its security groups are not known")
            groups = [self.draft.vpcs[vpc_id].default_group_id] if kind == "application" else []
        missing = [g for g in groups if g not in self.draft.groups]
        if missing:
            raise _Skip(f"{res.address}: its security group {missing[0]} is not in this plan")
        name = res.get("name")
        dns = res.get("dns_name")
        address_type = res.get("ip_address_type")
        self.edge.load_balancers[arn] = LoadBalancer(
            arn=arn,
            name=name if isinstance(name, str) and name else res.address,
            type=kind,
            scheme="internal" if res.get("internal") is True else "internet-facing",
            dns_name=dns if isinstance(dns, str) else f"{PLACEHOLDER}{res.address}.dns_name",
            vpc_id=vpc_id,
            subnet_ids=tuple(subnets),
            security_group_ids=tuple(groups),
            ip_address_type=address_type if isinstance(address_type, str) and address_type else "ipv4",
            account=self.draft.account,
            region=self.draft.region,
            source=res.source,
        )
        self.type_of_id[arn] = res.type

    def target_group(self, res: Res) -> None:
        arn = self.own_id(res)
        name = res.get("name")
        checks = res.get("health_check")
        check = checks[0] if isinstance(checks, list) and checks and isinstance(checks[0], Mapping) else {}
        preserve = res.get("preserve_client_ip")
        vpc = self.optional_link(res, "vpc_id", ("aws_vpc",))
        kind = res.get("target_type")
        self.edge.target_groups[arn] = TargetGroup(
            arn=arn,
            name=name if isinstance(name, str) and name else res.address,
            protocol=str(res.get("protocol")) if isinstance(res.get("protocol"), str) else None,
            port=self.integer(res.get("port"), res.place("port")) if isinstance(res.get("port"), int) else None,
            target_type=kind if isinstance(kind, str) and kind else "instance",
            vpc_id=vpc if isinstance(vpc, str) else None,
            health_check_path=str(check["path"]) if check.get("path") else None,
            health_check_port=str(check["port"]) if check.get("port") else None,
            preserve_client_ip=preserve.lower() == "true" if isinstance(preserve, str) and preserve else None,
            source=res.source,
        )
        self.type_of_id[arn] = res.type

    def _actions(self, res: Res, key: str) -> tuple[RuleAction, ...] | None:
        """Action blocks in the API's shape, read by the aws_json transform; None when one is unknown."""
        blocks = res.get(key)
        out = []
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, Mapping):
                continue
            api: dict[str, Any] = {"Type": block.get("type")}
            if isinstance(block.get("order"), int):
                api["Order"] = block["order"]
            group = self.nested(res, (key, i, "target_group_arn"))
            if (
                group is UNKNOWN
                and key in res.expressions
                and block.get("type") == "forward"
                and not block.get("forward")
            ):
                return None
            if isinstance(group, str) and group:
                api["TargetGroupArn"] = group
            forward = block.get("forward")
            if isinstance(forward, list) and forward and isinstance(forward[0], Mapping):
                arns = []
                for j, _ in enumerate(forward[0].get("target_group") or []):
                    arn = self.nested(res, (key, i, "forward", 0, "target_group", j, "arn"))
                    if not isinstance(arn, str):
                        return None
                    arns.append({"TargetGroupArn": arn})
                api["ForwardConfig"] = {"TargetGroups": arns}
            for tf_key, api_key in (("fixed_response", "FixedResponseConfig"), ("redirect", "RedirectConfig")):
                config = block.get(tf_key)
                if isinstance(config, list) and config and isinstance(config[0], Mapping):
                    api[api_key] = {"StatusCode": config[0].get("status_code")}
            if not isinstance(api["Type"], str):
                return None
            out.append(rule_action(api, self._lb_place(res, key), f"{res.address}.{key}[{i}]"))
        return tuple(out)

    def listener(self, res: Res) -> None:
        arn = self.own_id(res)
        lb_arn = self.require(res, "load_balancer_arn", ("aws_lb", "aws_alb"), "load balancer")
        lb = self.edge.load_balancers.get(lb_arn)
        if lb is None:
            raise _Skip(f"{res.address}: load balancer {lb_arn} is not in this plan")
        protocol = res.get("protocol")
        if not isinstance(protocol, str) or not protocol:
            protocol = "HTTP" if lb.type == "application" else "TCP"
        actions = self._actions(res, "default_action")
        if actions is None:
            raise _Skip(f"{res.address}: its default action names a target group that is not known")
        mtls = res.get("mutual_authentication")
        mode = mtls[0].get("mode") if isinstance(mtls, list) and mtls and isinstance(mtls[0], Mapping) else None
        port = res.get("port")
        self.edge.listeners[arn] = Listener(
            arn=arn,
            load_balancer_arn=lb_arn,
            port=port if isinstance(port, int) else 0,
            protocol=protocol.upper(),
            default_actions=actions,
            mtls_mode=str(mode) if mode else None,
            source=res.source,
        )
        self.type_of_id[arn] = res.type

    CONDITIONS: ClassVar[dict[str, tuple[str, str]]] = {
        "host_header": ("host-header", "HostHeaderConfig"),
        "path_pattern": ("path-pattern", "PathPatternConfig"),
        "http_request_method": ("http-request-method", "HttpRequestMethodConfig"),
        "source_ip": ("source-ip", "SourceIpConfig"),
    }

    def listener_rule(self, res: Res) -> None:
        listener = self.require(res, "listener_arn", ("aws_lb_listener", "aws_alb_listener"), "listener")
        priority = res.get("priority")
        actions = self._actions(res, "action")
        conditions = []
        known = priority is not UNKNOWN and actions is not None and not isinstance(res.flag("condition"), bool)
        for i, block in enumerate(res.get("condition") if isinstance(res.get("condition"), list) else []):
            if not isinstance(block, Mapping):
                continue
            place = f"{res.address}.condition[{i}]"
            for tf_key, (field_name, config) in self.CONDITIONS.items():
                inner = block.get(tf_key)
                if isinstance(inner, list) and inner and isinstance(inner[0], Mapping):
                    api = {"Field": field_name, config: {"Values": list(inner[0].get("values") or [])}}
                    conditions.append(rule_condition(api, self._lb_place(res, place), place))
            header = block.get("http_header")
            if isinstance(header, list) and header and isinstance(header[0], Mapping):
                api = {
                    "Field": "http-header",
                    "HttpHeaderConfig": {
                        "HttpHeaderName": header[0].get("http_header_name"),
                        "Values": list(header[0].get("values") or []),
                    },
                }
                conditions.append(rule_condition(api, self._lb_place(res, place), place))
            query = block.get("query_string")
            if isinstance(query, list) and query:
                pairs = [{"Key": q.get("key"), "Value": q.get("value")} for q in query if isinstance(q, Mapping)]
                api = {"Field": "query-string", "QueryStringConfig": {"Values": pairs}}
                conditions.append(rule_condition(api, self._lb_place(res, place), place))
        if not known or actions is None:
            self.edge.rules_unknown.add(listener)
            self.edge.notes.append(f"{res.address}: its priority, conditions or actions are not known until apply")
            return
        self.edge.rules.setdefault(listener, []).append(
            ListenerRule(
                arn=self.own_id(res),
                priority=self.integer(priority, res.place("priority")),
                conditions=tuple(conditions),
                actions=actions,
                source=res.source,
            )
        )

    def target_group_attachment(self, res: Res) -> None:
        group = self.require(res, "target_group_arn", ("aws_lb_target_group", "aws_alb_target_group"), "target group")
        target = self.link(res, "target_id")
        if not isinstance(target, str):
            raise _Skip(f"{res.address}: its target is not known")
        port = res.get("port")
        zone = res.get("availability_zone")
        self.edge.targets.setdefault(group, []).append(
            Target(
                id=target,
                port=port if isinstance(port, int) else None,
                availability_zone=zone if isinstance(zone, str) and zone else None,
            )
        )

    # CloudFront, WAF, S3, Lambda, Route 53 --------------------------------------------------
    def _ctx(self) -> Context:
        return Context(file=self.file, account=self.draft.account, region=self.draft.region)

    def _block_expr(self, res: Res, key: str, index: int, match: str) -> Any:
        """The configuration expression of the index-th block of `key`. Blocks of a set (origins, WAF
        rules) are listed in another order than configured: matched by their `match` attribute."""
        exprs = res.expressions.get(key)
        values = res.values.get(key)
        if not isinstance(exprs, list) or not isinstance(values, list) or index >= len(values):
            return None
        if len(exprs) == 1 and len(values) == 1:
            return exprs[0]
        wanted = values[index].get(match) if isinstance(values[index], Mapping) else None
        for expr in exprs:
            constant = _step(_step(expr, match), "constant_value")
            if constant is not None and constant == wanted:
                return expr
        return exprs[index] if len(exprs) == len(values) else None

    def _value_in(self, res: Res, value: Any, flags: Any, expr: Any, key: str) -> Any:
        """`value[key]`: known, else linked through its expression (one resource attribute), else UNKNOWN."""
        if _step(flags, key) is not True:
            return _step(value, key)
        targets = self.resolver.targets(res, _references(_step(expr, key)))
        if not targets or len(targets) != 1:
            return UNKNOWN
        linked = self._target_value(*targets[0])
        return linked if isinstance(linked, str) else UNKNOWN

    def _edge_unknown(self, resource_id: str, res: Res, attribute: str) -> None:
        self.draft.unknown(resource_id, attribute, UnknownKind.OTHER, res.source)

    def origin_access_control(self, res: Res) -> None:
        ident = self.own_id(res)
        self.edge.oacs[ident] = OriginAccessControl(
            id=ident,
            name=str(res.get("name") or ""),
            origin_type=str(res.get("origin_access_control_origin_type") or "s3"),
            signing_behavior=str(res.get("signing_behavior") or "always"),
            signing_protocol=str(res.get("signing_protocol") or "sigv4"),
            source=res.source,
        )

    def vpc_origin(self, res: Res) -> None:
        ident = self.own_id(res)
        config = first_block(res.get("vpc_origin_endpoint_config")) or {}
        flags = _step(_step(res.unknown, "vpc_origin_endpoint_config"), 0)
        expr = _step(_step(res.expressions, "vpc_origin_endpoint_config"), 0)
        endpoint = self._value_in(res, config, flags, expr, "arn")
        if not isinstance(endpoint, str) or not endpoint:
            raise _Skip(f"{res.address}: its endpoint (vpc_origin_endpoint_config.arn) is not known")
        arn = self.own_id(res, "arn")
        self.edge.vpc_origins[ident] = VpcOrigin(
            id=ident,
            endpoint_arn=endpoint,
            arn=arn,
            name=str(config.get("name") or ""),
            http_port=self.integer(config.get("http_port"), res.place("vpc_origin_endpoint_config.http_port")) or 80,
            https_port=self.integer(config.get("https_port"), res.place("vpc_origin_endpoint_config.https_port"))
            or 443,
            protocol_policy=str(config.get("origin_protocol_policy") or "match-viewer"),
            account=self.draft.account,
            source=res.source,
        )

    def _origin_api(self, res: Res, ident: str, index: int, block: Mapping[str, Any]) -> dict[str, Any]:
        """One `origin` block in the API's shape (DistributionConfig.Origins.Items[])."""
        flags = _step(_step(res.unknown, "origin"), index)
        expr = self._block_expr(res, "origin", index, "origin_id")
        origin_id = str(block.get("origin_id") or f"origin[{index}]")
        where = f"{ident}#{origin_id}"
        domain = self._value_in(res, block, flags, expr, "domain_name")
        if isinstance(domain, str) and "://" in domain:  # an expression that takes the host of a URL
            domain = domain.split("://", 1)[1].split("/", 1)[0]
        if not isinstance(domain, str) or not domain:
            self._edge_unknown(where, res, f"origin {origin_id}: domain_name")
            domain = f"{PLACEHOLDER}{res.address}.origin.{origin_id}.domain_name"
        api: dict[str, Any] = {"Id": origin_id, "DomainName": domain, "OriginPath": block.get("origin_path") or ""}
        headers = []
        raw_headers = block.get("custom_header")
        for j, header in enumerate(raw_headers if isinstance(raw_headers, list) else []):
            if not isinstance(header, Mapping):
                continue
            name = header.get("name")
            value = header.get("value")
            if _step(_step(_step(flags, "custom_header"), j), "value") is True or not isinstance(value, str):
                self._edge_unknown(where, res, f"origin {origin_id}: custom_header {name}")
                continue
            headers.append({"HeaderName": name, "HeaderValue": value})
        api["CustomHeaders"] = {"Quantity": len(headers), "Items": headers}
        custom = first_block(block.get("custom_origin_config"))
        vpc = first_block(block.get("vpc_origin_config"))
        s3 = first_block(block.get("s3_origin_config"))
        if custom is not None:
            api["CustomOriginConfig"] = {
                "HTTPPort": custom.get("http_port", 80),
                "HTTPSPort": custom.get("https_port", 443),
                "OriginProtocolPolicy": custom.get("origin_protocol_policy"),
            }
        if vpc is not None:
            vflags = _step(_step(flags, "vpc_origin_config"), 0)
            vexpr = _step(_step(expr, "vpc_origin_config"), 0)
            vpc_id = self._value_in(res, vpc, vflags, vexpr, "vpc_origin_id")
            if not isinstance(vpc_id, str):
                self._edge_unknown(where, res, f"origin {origin_id}: vpc_origin_config.vpc_origin_id")
                vpc_id = f"{PLACEHOLDER}{res.address}.origin.{origin_id}.vpc_origin_id"
            api["VpcOriginConfig"] = {"VpcOriginId": vpc_id, "OwnerAccountId": vpc.get("owner_account_id")}
        if s3 is not None or (custom is None and vpc is None):
            oai = self._value_in(
                res,
                s3 or {},
                _step(_step(flags, "s3_origin_config"), 0),
                _step(_step(expr, "s3_origin_config"), 0),
                "origin_access_identity",
            )
            if oai is UNKNOWN:
                self._edge_unknown(where, res, f"origin {origin_id}: s3_origin_config.origin_access_identity")
                oai = f"{PLACEHOLDER}{res.address}.origin.{origin_id}.origin_access_identity"
            api["S3OriginConfig"] = {"OriginAccessIdentity": oai or ""}
        oac = self._value_in(res, block, flags, expr, "origin_access_control_id")
        if oac is UNKNOWN:
            self._edge_unknown(where, res, f"origin {origin_id}: origin_access_control_id")
        elif isinstance(oac, str) and oac:
            api["OriginAccessControlId"] = oac
        return api

    def distribution(self, res: Res) -> None:
        ident = self.own_id(res)
        origins = [
            self._origin_api(res, ident, i, block)
            for i, block in enumerate(res.get("origin") or [])
            if isinstance(block, Mapping)
        ]
        if not origins:
            raise _error(self.file, res.place("origin"), "a distribution needs at least one origin block")
        default = first_block(res.get("default_cache_behavior"))
        if default is None:
            raise _error(
                self.file, res.place("default_cache_behavior"), "a distribution needs a default_cache_behavior"
            )
        ordered = res.get("ordered_cache_behavior")
        web_acl = self.optional_link(res, "web_acl_id", ("aws_wafv2_web_acl",))
        if web_acl is UNKNOWN:
            self._edge_unknown(ident, res, "web_acl_id")
        aliases = res.get("aliases")
        config = {
            "Origins": {"Items": origins},
            "Enabled": res.get("enabled") is not False,
            "Aliases": {"Items": list(names(aliases if isinstance(aliases, list) else []))},
            "WebACLId": web_acl if isinstance(web_acl, str) else None,
            "DefaultCacheBehavior": {"TargetOriginId": default.get("target_origin_id")},
            "CacheBehaviors": {
                "Items": [
                    {"TargetOriginId": b.get("target_origin_id")}
                    for b in (ordered if isinstance(ordered, list) else [])
                    if isinstance(b, Mapping)
                ]
            },
        }
        arn = res.get("arn")
        domain = res.get("domain_name")
        dist = api_distribution(
            config,
            self._ctx(),
            res.address,
            ident=ident,
            arn=arn if isinstance(arn, str) and arn else self.own_id(res, "arn"),
            domain=domain if isinstance(domain, str) else "",
        )
        self.edge.distributions[ident] = replace(
            dist,
            address=res.address,
            source=res.source,
            origins=tuple(replace(o, source=res.source) for o in dist.origins),
        )

    def ip_set(self, res: Res) -> None:
        arn = self.own_id(res, "arn")
        addresses = res.get("addresses")
        if addresses is UNKNOWN or not isinstance(addresses, list):
            self._edge_unknown(arn, res, "addresses")
            addresses = []
        version = res.get("ip_address_version")
        self.edge.ip_sets[arn] = IpSet(
            arn=arn,
            name=str(res.get("name") or res.address),
            addresses=names(addresses),
            version=version if isinstance(version, str) and version else "IPV4",
            source=res.source,
        )

    def _statement_api(self, res: Res, body: Any, flags: Any, expr: Any, place: str) -> dict[str, Any]:
        """A Terraform `statement` block in the API's shape; raises _Unknown for a value not known."""
        if not isinstance(body, Mapping):
            raise _Error(place, "expected a statement block")
        for tf_key, api_key in STATEMENT_KEYS.items():
            inner = first_block(body.get(tf_key))
            if inner is None:
                continue
            iflags = _step(_step(flags, tf_key), 0)
            iexpr = _step(_step(expr, tf_key), 0)
            where = f"{place}.{tf_key}"
            if api_key in ("AndStatement", "OrStatement", "NotStatement"):
                raw_subs = inner.get("statement")
                subs: list[Any] = raw_subs if isinstance(raw_subs, list) else []
                children = [
                    self._statement_api(
                        res,
                        sub,
                        _step(_step(iflags, "statement"), j),
                        _step(_step(iexpr, "statement"), j),
                        f"{where}.statement[{j}]",
                    )
                    for j, sub in enumerate(subs)
                ]
                if api_key == "NotStatement":
                    if len(children) != 1:
                        raise _Error(where, "a not_statement has exactly one statement")
                    return {api_key: {"Statement": children[0]}}
                return {api_key: {"Statements": children}}
            if api_key == "ByteMatchStatement":
                if _step(iflags, "search_string") is True:
                    raise _Unknown(f"{where}.search_string")
                field_to_match: dict[str, Any] = {}
                for key, value in (first_block(inner.get("field_to_match")) or {}).items():
                    block = first_block(value)
                    if block is None:
                        continue
                    field_to_match[camel(key)] = {"Name": block.get("name")} if key == "single_header" else {}
                return {
                    api_key: {
                        "FieldToMatch": field_to_match,
                        "PositionalConstraint": inner.get("positional_constraint") or "EXACTLY",
                        "SearchString": inner.get("search_string"),
                        "TextTransformations": [
                            {"Priority": t.get("priority", 0), "Type": t.get("type", "NONE")}
                            for t in inner.get("text_transformation") or []
                            if isinstance(t, Mapping)
                        ],
                    }
                }
            if api_key in ("IPSetReferenceStatement", "RuleGroupReferenceStatement"):
                arn = self._value_in(res, inner, iflags, iexpr, "arn")
                if not isinstance(arn, str):
                    raise _Unknown(f"{where}.arn")
                return {api_key: {"ARN": arn}}
            if api_key == "RateBasedStatement":
                return {api_key: {"Limit": inner.get("limit")}}
            if api_key == "ManagedRuleGroupStatement":
                return {api_key: {"VendorName": inner.get("vendor_name"), "Name": inner.get("name")}}
            if api_key == "GeoMatchStatement":
                return {api_key: {"CountryCodes": list(inner.get("country_codes") or [])}}
            return {api_key: {}}
        raise _Error(place, "a statement block with no statement edgeward knows")

    def web_acl(self, res: Res) -> None:
        arn = self.own_id(res, "arn")
        rules = []
        for i, rule in enumerate(res.get("rule") or []):
            if not isinstance(rule, Mapping):
                continue
            name = str(rule.get("name") or f"rule[{i}]")
            flags = _step(_step(res.unknown, "rule"), i)
            expr = self._block_expr(res, "rule", i, "name")
            place = f"{res.address}.rule[{name}]"
            try:
                api = self._statement_api(
                    res,
                    first_block(rule.get("statement")),
                    _step(_step(flags, "statement"), 0),
                    _step(_step(expr, "statement"), 0),
                    f"{place}.statement",
                )
            except _Unknown as unknown:
                self._edge_unknown(arn, res, f"rule {name}: {unknown.args[0].removeprefix(place + '.')}")
                continue
            except _Error as error:
                raise _error(self.file, error.args[0], error.args[1]) from None
            statement = plain_search(waf_statement(api, self._ctx(), f"{place}.statement"), api)
            action = tf_action(rule.get("action")) or tf_action(rule.get("override_action")) or {"None": {}}
            priority = self.integer(rule.get("priority"), f"{place}.priority") or 0
            rules.append(WafRule(name, priority, next(iter(action)).lower(), statement))
        default = tf_action(res.get("default_action"))
        if default is None:
            raise _error(self.file, res.place("default_action"), "a web ACL needs a default action (allow or block)")
        scope = res.get("scope")
        self.edge.web_acls[arn] = WebAcl(
            arn=arn,
            name=str(res.get("name") or res.address),
            scope=str(scope).upper() if isinstance(scope, str) and scope else "REGIONAL",
            default_action=next(iter(default)).lower(),
            rules=tuple(rules),
            id=self.own_id(res),
            source=res.source,
        )

    def web_acl_association(self, res: Res) -> None:
        acl = self.require(res, "web_acl_arn", ("aws_wafv2_web_acl",), "web ACL")
        resource = self.require(res, "resource_arn", (), "resource")
        self.edge.associations.append(WebAclAssociation(acl, resource, res.source))

    def bucket(self, res: Res) -> None:
        name = self.own_id(res)
        draft = self.edge.bucket(name, res.source)
        draft.source = res.source
        region = res.get("region")
        draft.region = region if isinstance(region, str) and region else self.draft.region
        policy = res.get("policy")  # the deprecated inline policy; a state shows the bucket's policy here
        if isinstance(policy, str) and policy and draft.policy is None:
            draft.policy = policy
        website = first_block(res.get("website"))
        if website is not None and (website.get("index_document") or website.get("redirect_all_requests_to")):
            draft.website = True

    def _bucket_of(self, res: Res) -> tuple[str, Any]:
        name = self.require(res, "bucket", ("aws_s3_bucket",), "bucket")
        return name, self.edge.bucket(name, res.source)

    def _document(self, res: Res, key: str) -> str | Any:
        """A JSON policy attribute: known, else the `json` of the one data source or resource it names."""
        value = res.get(key)
        if isinstance(value, str):
            return value
        if value is UNKNOWN:
            targets = self.resolver.targets(res, res.refs(key))
            if targets and len(targets) == 1:
                target, attr = targets[0]
                linked = target.get(attr or "json")
                if isinstance(linked, str) and linked:
                    return linked
        return UNKNOWN

    def bucket_policy(self, res: Res) -> None:
        name, draft = self._bucket_of(res)
        policy = self._document(res, "policy")
        if policy is UNKNOWN:
            self._edge_unknown(f"arn:aws:s3:::{name}", res, "policy")
            draft.policy, draft.policy_known = None, False
            return
        self.parse_document(policy, res.place("policy"), name=f"bucket policy of {name}", kind="resource")
        draft.policy, draft.policy_known = policy, True

    def bucket_public_access_block(self, res: Res) -> None:
        _, draft = self._bucket_of(res)
        draft.public_access_block = PublicAccessBlock(
            block_public_acls=res.get("block_public_acls") is True,
            ignore_public_acls=res.get("ignore_public_acls") is True,
            block_public_policy=res.get("block_public_policy") is True,
            restrict_public_buckets=res.get("restrict_public_buckets") is True,
        )

    def bucket_website(self, res: Res) -> None:
        _, draft = self._bucket_of(res)
        draft.website = True
        redirect = first_block(res.get("redirect_all_requests_to"))
        if redirect is not None and redirect.get("host_name"):
            draft.redirect_all = str(redirect["host_name"])

    def _function_arn(self, res: Res, key: str = "function_name") -> str:
        """A function named by name or ARN (linked when unknown); a name becomes the ARN AWS gives it."""
        function = self.require(res, key, (), "function")
        if function.startswith("arn:") or function.startswith(PLACEHOLDER):
            return function
        return f"arn:aws:lambda:{self.draft.region}:{self.draft.account}:function:{function}"

    def function_url(self, res: Res) -> None:
        function = res.get("function_arn")
        arn = function if isinstance(function, str) and function else self._function_arn(res)
        qualifier = res.get("qualifier")
        if isinstance(qualifier, str) and qualifier and not isinstance(function, str):
            arn = f"{arn}:{qualifier}"
        url = res.get("function_url")
        if not isinstance(url, str) or not url:
            url = f"https://{PLACEHOLDER}{res.address}.function_url/"
        auth = res.get("authorization_type")
        self.edge.function_urls[arn] = LambdaFunctionUrl(
            function_arn=arn,
            url=url,
            auth_type=str(auth).upper() if isinstance(auth, str) and auth else "AWS_IAM",
            account=self.draft.account,
            region=self.draft.region,
            source=res.source,
        )
        named = self.link(res, "function_name")
        if isinstance(named, str):
            self.edge.function_aliases[named] = arn

    def lambda_permission(self, res: Res) -> None:
        function = self.require(res, "function_name", (), "function")
        arn = self._function_arn(res)
        principal = res.get("principal")
        action = res.get("action")
        if not isinstance(principal, str) or not isinstance(action, str):
            self._edge_unknown(arn, res, "principal or action")
            return
        source_arn = self.optional_link(res, "source_arn")
        if source_arn is UNKNOWN:
            self._edge_unknown(arn, res, "source_arn")
            return
        sid = res.get("statement_id")

        def text(key: str) -> str | None:
            value = res.get(key)
            return value if isinstance(value, str) and value else None

        self.edge.permissions.append(
            FunctionPermission(
                function,
                permission_statement(
                    str(sid) if isinstance(sid, str) and sid else res.address,
                    action,
                    principal,
                    arn,
                    source_arn=source_arn if isinstance(source_arn, str) else None,
                    source_account=text("source_account"),
                    org_id=text("principal_org_id"),
                    url_auth_type=text("function_url_auth_type"),
                ),
            )
        )
        self.edge.function_aliases[arn] = function

    def dns_record(self, res: Res) -> None:
        kind = res.get("type")
        if kind not in ("A", "AAAA", "CNAME"):
            return
        name = res.get("fqdn")
        name = name if isinstance(name, str) and name else res.get("name")
        if not isinstance(name, str) or not name:
            raise _Skip(f"{res.address}: its name is not known")
        alias = first_block(res.get("alias"))
        if alias is not None:
            target = self._value_in(
                res, alias, _step(_step(res.unknown, "alias"), 0), _step(_step(res.expressions, "alias"), 0), "name"
            )
            if not isinstance(target, str):
                raise _Skip(f"{res.address}: its alias target is not known")
            targets: tuple[str, ...] = (target,)
        else:
            records = res.get("records")
            if not isinstance(records, list):
                raise _Skip(f"{res.address}: its records are not known")
            targets = names(records)
        self.edge.dns_records.append(DnsRecord(name, str(kind), targets, alias=alias is not None, source=res.source))

    # IAM ----------------------------------------------------------------------------------------
    def iam_arn(self, res: Res) -> str:
        """The ARN of an IAM user, group, role or managed policy: known, else as IAM makes it from the name."""
        arn = res.get("arn")
        if isinstance(arn, str) and arn:
            return arn
        name = res.get("name")
        if not isinstance(name, str) or not name:
            return f"{PLACEHOLDER}{res.address}.arn"
        return self.iam.arn(IAM_KINDS[res.type], str(res.get("path") or "/"), name)

    def iam_name(self, res: Res) -> str:
        name = res.get("name")
        if not isinstance(name, str) or not name:
            raise _Skip(f"{res.address}: its name is not known")
        return name

    def policy_document(self, res: Res, key: str, *, name: str, kind: PolicyKind) -> Policy | None:
        """A policy document attribute (JSON text, also through `data.aws_iam_policy_document.x.json`),
        parsed; None when the plan does not know it."""
        text = self._document(res, key)
        if not isinstance(text, str):
            return None
        return self.parse_document(text, res.place(key), name=name, kind=kind)

    def parse_document(self, text: str, place: str, *, name: str, kind: PolicyKind) -> Policy:
        try:
            return parse_policy(text, name=name, kind=kind, file=self.file)
        except InputError as exc:
            inner = f"{place}.{exc.place}" if exc.place else place
            raise _error(self.file, inner, exc.detail) from None

    def iam_policy(self, res: Res) -> None:
        arn = self.iam_arn(res)
        name = self.iam_name(res)
        document = self.policy_document(res, "policy", name=arn, kind="identity")
        if document is None:
            self.iam.unknown(arn, f"{res.address}: policy is not known until the change is applied")
            return
        self.iam.policies[arn] = ManagedPolicy(arn, name, document, iam_path(res.get("path")))

    def iam_principal(self, res: Res) -> None:
        kind = IAM_KINDS[res.type]
        assert kind != "policy"
        name = self.iam_name(res)
        draft = self.iam.add(PrincipalDraft(kind, name, self.iam_arn(res), iam_path(res.get("path"))))
        if kind != "group":
            draft.tags = self.tags(res)
            boundary = self.optional_link(res, "permissions_boundary", ("aws_iam_policy",))
            if boundary is UNKNOWN:
                self.iam.unknown(
                    draft.arn, f"{res.address}: permissions_boundary is not known until the change is applied"
                )
            elif isinstance(boundary, str):
                draft.boundary = boundary
        if kind != "role":
            return
        draft.trust = self.policy_document(res, "assume_role_policy", name=f"role/{name}/trust-policy", kind="trust")
        configured = "inline_policy" in res.expressions
        blocks = res.get("inline_policy")
        if blocks is UNKNOWN and configured:
            self.iam.unknown(draft.arn, f"{res.address}: inline_policy is not known until the change is applied")
        elif isinstance(blocks, list):
            flags = res.flag("inline_policy")
            for i, block in enumerate(blocks):
                if not isinstance(block, Mapping) or not block.get("name"):
                    continue
                policy_name = str(block["name"])
                text = block.get("policy")
                if _step(_step(flags, i), "policy") is True or not isinstance(text, str):
                    self.iam.unknown(
                        draft.arn,
                        f"{res.address}: inline_policy {policy_name} is not known until the change is applied",
                    )
                    continue
                place = res.place(f"inline_policy[{i}].policy")
                draft.inline[policy_name] = self.parse_document(
                    text, place, name=f"role/{name}/{policy_name}", kind="identity"
                )
        if res.get("managed_policy_arns") is UNKNOWN and "managed_policy_arns" not in res.expressions:
            return  # not configured: what attachment resources set
        arns = self.links(res, "managed_policy_arns")
        if arns is UNKNOWN:
            self.iam.unknown(draft.arn, f"{res.address}: managed_policy_arns is not known until the change is applied")
        elif isinstance(arns, list):
            for arn in arns:
                self.iam.attach("role", name, arn)

    def _iam_owner(self, res: Res) -> tuple[Kind, str]:
        kind: Kind = "user" if "_user_" in res.type else "group" if "_group_" in res.type else "role"
        key = kind
        target_type = f"aws_iam_{kind}"
        owner = self.link(res, key, (target_type,))
        if not isinstance(owner, str):
            raise _Skip(f"{res.address}: its {kind} is not known and its expression names no single {target_type}")
        return kind, owner

    def iam_inline_policy(self, res: Res) -> None:
        kind, owner = self._iam_owner(res)
        policy_name = self.iam_name(res)
        draft = self.iam.principal(kind, owner)
        if draft is None:
            self.draft.notes.append(f"{res.address}: {kind} {owner} is not in the input: its policy is left out")
            return
        policy = self.policy_document(res, "policy", name=f"{kind}/{owner}/{policy_name}", kind="identity")
        self.iam.inline(
            kind, owner, policy_name, policy, f"{res.address}: policy is not known until the change is applied"
        )

    def _policy_arn(self, res: Res) -> str | None:
        arn = self.link(res, "policy_arn", ("aws_iam_policy",))
        if not isinstance(arn, str):
            raise _Skip(f"{res.address}: its policy_arn is not known and names no single aws_iam_policy")
        return arn

    def iam_attachment(self, res: Res) -> None:
        kind, owner = self._iam_owner(res)
        arn = self._policy_arn(res)
        if arn is not None:
            self.iam.attach(kind, owner, arn)

    def iam_policy_attachment(self, res: Res) -> None:
        arn = self._policy_arn(res)
        if arn is None:
            return
        for key, kind in (("users", "user"), ("groups", "group"), ("roles", "role")):
            if res.get(key) is None:
                continue
            owners = self.links(res, key)
            if not isinstance(owners, list):
                raise _Skip(f"{res.address}: its {key} are not known")
            for owner in owners:
                self.iam.attach(kind, owner, arn)  # type: ignore[arg-type]

    def iam_user_groups(self, res: Res) -> None:
        user = self.link(res, "user", ("aws_iam_user",))
        groups = self.links(res, "groups")
        if not isinstance(user, str) or not isinstance(groups, list):
            raise _Skip(f"{res.address}: its user or groups are not known")
        for group in groups:
            self.iam.member(user, group)

    def iam_group_members(self, res: Res) -> None:
        group = self.link(res, "group", ("aws_iam_group",))
        users = self.links(res, "users")
        if not isinstance(group, str) or not isinstance(users, list):
            raise _Skip(f"{res.address}: its group or users are not known")
        for user in users:
            self.iam.member(user, group)

    def finish_addresses(self) -> None:
        """An Elastic IP whose address is unknown makes its interface's public address unknown."""
        for address in self.draft.addresses:
            if address.public_ip is not None:
                continue
            eni = address.interface_id
            if eni is None and address.instance_id in self.draft.instances:
                ids = self.draft.instances[address.instance_id].interface_ids
                eni = ids[0] if ids else None
            if eni is not None and eni in self.draft.interfaces:
                self.draft.unknown(eni, "public_ip (Elastic IP)", UnknownKind.ADDRESS, address.source)


def terraform_estate(document: Any, file: str) -> NetworkEstate:
    """The network estate a `terraform show -json` document describes (a plan: once applied)."""
    return terraform_estates(document, file)[0]


def terraform_estates(document: Any, file: str) -> tuple[NetworkEstate, EdgeEstate]:
    """The network and edge estates a `terraform show -json` document describes."""
    network, edge, _ = terraform_all(document, file)
    return network, edge


def terraform_all(document: Any, file: str) -> tuple[NetworkEstate, EdgeEstate, IamEstate | None]:
    """The network, edge and IAM estates (None when it has no IAM resource) a document describes."""
    loader = _Loader(read_document(document, file))
    network = loader.run()
    return network, loader.edge.finish(loader.draft.account), loader.iam.finish()


def read_terraform_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", file=str(path), place=f"line {exc.lineno} column {exc.colno}"
        ) from None


def is_terraform_document(document: Any) -> bool:
    return (
        isinstance(document, Mapping)
        and "format_version" in document
        and ("planned_values" in document or "values" in document or "terraform_version" in document)
    )


def load_terraform(path: str | Path) -> Any:
    """Load `terraform show -json` output (plan or state) into a validated Snapshot."""
    from edgeward.model.snapshot import Snapshot
    from edgeward.sources import finish_network

    source = Path(path)
    if source.is_dir():
        raise InputError("expected the JSON file of `terraform show -json`, not a directory", file=str(source))
    from edgeward.sources.edge_common import finish_edge

    network, edge, iam = terraform_all(read_terraform_json(source), str(source))
    network = finish_network(network)
    return Snapshot.build(network, edge=finish_edge(edge, network), iam=iam)
