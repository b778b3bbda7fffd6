"""CloudFormation: templates in YAML (with the short-form tags) or JSON.

The template is read as the stack it would create: Parameters take their defaults unless
overridden (`--parameter KEY=VALUE`, which also sets pseudo parameters such as `AWS::Region`),
Conditions decide which resources exist and which `Fn::If` branch applies, Mappings feed
`Fn::FindInMap`. `Ref` and `Fn::GetAtt` of a resource resolve to stable placeholder ids
(`cfn:LogicalId`; for ids AWS creates beside it, `cfn:LogicalId.Attribute`, e.g.
`cfn:Vpc.DefaultNetworkAcl`), so references link. `Fn::Sub`, `Fn::Join`, `Fn::Select`,
`Fn::Split` and `Fn::Cidr` are evaluated when their inputs are known.

A value that cannot be known before the stack exists (an address AWS assigns, an
Amazon-provided IPv6 block, `Fn::GetAZs`, `Fn::ImportValue`) is never guessed: the resource is
modelled without it and an `UnknownValue` names the logical id, the property and its line; every
answer that depends on it is `unknown` (see analysis/unknowns.py).

AWS's own defaults are kept as CloudFormation keeps them: a security group without
`SecurityGroupEgress` has AWS's allow-all egress ("When you create a security group, if you do
not add egress rules, we add egress rules that allow all outbound IPv4 and IPv6 traffic": the
`AWS::EC2::SecurityGroup` reference), the rules of separate `SecurityGroupEgress` resources being
added beside it. Its `::/0` rule exists only if the VPC has its IPv6 block when the group is
created, which the template orders only when the group depends on the `VPCCidrBlock`; otherwise
that rule is recorded as unknown. Each VPC gets its main route table, default NACL and default
security group (sources/iac.py).

Every object's `SourceRef` has the template file, the logical id and the line of the resource;
every error names the file, line and property path.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from edgeward.algebra.addresses import AddressError, parse_cidr
from edgeward.errors import InputError, UsageError
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
from edgeward.sources.iac_edge import cfn_statement, names, permission_statement, plain_search
from edgeward.sources.iac_iam import IamDraft, Kind, PrincipalDraft, iam_path

PLACEHOLDER = "cfn:"
INTRINSICS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::If",
        "Fn::Select",
        "Fn::Split",
        "Fn::FindInMap",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
        "Fn::Cidr",
        "Fn::GetAZs",
        "Fn::ImportValue",
        "Fn::Base64",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::Transform",
    }
)
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Cidr": "Fn::Cidr",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
    "!Transform": "Fn::Transform",
}


# -- reading with line numbers ----------------------------------------------------------------
class Node(dict[str, Any]):
    """A mapping of the template with its line and the line of each key (1-based; 0: not known)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[str, int] = {}


class Seq(list[Any]):
    """A list of the template with its line."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 0


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping lines and turning CloudFormation short tags into long form."""


def _construct_mapping(loader: _Loader, node: MappingNode) -> Node:
    out = Node()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: SequenceNode) -> Seq:
    out = Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


def _construct_tag(loader: _Loader, tag_suffix: str, node: yaml.Node) -> Node:
    tag = "!" + tag_suffix
    name = SHORT_TAGS.get(tag)
    if name is None:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag {tag}", node.start_mark)
    value: Any
    if isinstance(node, ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            logical, _, attribute = value.partition(".")
            value = Seq([logical, attribute])
        elif name == "Fn::GetAZs" and value is None:
            value = ""
    elif isinstance(node, SequenceNode):
        value = _construct_sequence(loader, node)
    else:
        value = _construct_mapping(loader, node)  # type: ignore[arg-type]
    out = Node({name: value})
    out.line = node.start_mark.line + 1
    out.key_lines = {name: out.line}
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_multi_constructor("!", _construct_tag)


def read_template(path: Path) -> Node:
    """Parse a template (YAML or JSON: JSON is read by the same loader, for its lines)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"not a valid template: {exc.problem or exc.context}", file=f"{path}{line}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"not a valid template: {exc}", file=str(path)) from None
    if not isinstance(doc, Node):
        raise InputError("expected a template: a mapping with Resources", file=str(path))
    return doc


IAM_NAMES = {
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
}


# -- values that are not known before the stack exists ----------------------------------------
@dataclass(frozen=True, slots=True)
class Unknown:
    """A value CloudFormation (or AWS) decides when the stack is created."""

    what: str  # e.g. "!GetAtt WebInstance.PublicIp"


NO_VALUE = object()  # AWS::NoValue: the property is removed


@dataclass
class _Resource:
    logical_id: str
    type: str
    properties: Node
    line: int
    depends_on: tuple[str, ...]
    condition: str | None

    def source(self, file: str) -> SourceRef:
        return SourceRef(file=file, place=f"Resources.{self.logical_id}", line=self.line, address=self.logical_id)


def _line_of(value: Any, default: int) -> int:
    return int(getattr(value, "line", 0) or default)


# -- the template as a stack ------------------------------------------------------------------
class Template:
    """Parameters, conditions and mappings resolved; intrinsic functions evaluated on demand."""

    def __init__(self, doc: Node, file: str, parameters: Mapping[str, str]) -> None:
        self.doc = doc
        self.file = file
        resources = doc.get("Resources")
        if not isinstance(resources, Node) or not resources:
            raise self.error(doc.line or 1, "Resources", "a template needs a Resources mapping")
        self.resources: dict[str, _Resource] = {}
        for logical_id, raw in resources.items():
            line = resources.key_lines.get(logical_id, 0)
            if not isinstance(raw, Node) or not isinstance(raw.get("Type"), str):
                raise self.error(line, f"Resources.{logical_id}", "a resource needs a Type")
            props = raw.get("Properties", Node())
            if not isinstance(props, Node):
                raise self.error(line, f"Resources.{logical_id}.Properties", "expected a mapping")
            depends = raw.get("DependsOn") or []
            depends_on = (depends,) if isinstance(depends, str) else tuple(str(d) for d in depends)
            condition = raw.get("Condition")
            self.resources[logical_id] = _Resource(
                logical_id, raw["Type"], props, line, depends_on, condition if isinstance(condition, str) else None
            )
        self.parameters = self._parameters(parameters)
        mappings = doc.get("Mappings")
        self.mappings: Node = mappings if isinstance(mappings, Node) else Node()
        raw_conditions = doc.get("Conditions")
        self.condition_defs: Node = raw_conditions if isinstance(raw_conditions, Node) else Node()
        self._conditions: dict[str, bool] = {}

    def error(self, line: int, place: str, message: str) -> InputError:
        return InputError(message, file=f"{self.file}:{line}" if line else self.file, place=place)

    def _parameters(self, overrides: Mapping[str, str]) -> dict[str, Any]:
        declared = self.doc.get("Parameters")
        declared = declared if isinstance(declared, Node) else Node()
        values: dict[str, Any] = {
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        for name in ("AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs"):
            values[name] = Unknown(f"the pseudo parameter {name} (give it with --parameter {name}=...)")
        for name, spec in declared.items():
            if not isinstance(spec, Node):
                raise self.error(declared.key_lines.get(name, 0), f"Parameters.{name}", "expected a mapping")
            kind = str(spec.get("Type", "String"))
            if name in overrides:
                raw: Any = overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                raw = _MissingParameter(name)
            if isinstance(raw, str | int | float) and (kind.startswith("List<") or kind == "CommaDelimitedList"):
                raw = [item.strip() for item in str(raw).split(",")]
            elif isinstance(raw, int | float) and not isinstance(raw, bool):
                raw = str(raw)
            values[name] = raw
        unknown = sorted(set(overrides) - set(values))
        if unknown:
            raise InputError(f"the template has no parameter {', '.join(unknown)}", file=self.file, place="--parameter")
        for name in overrides:
            if name.startswith("AWS::"):
                values[name] = overrides[name]
        return values

    # conditions ---------------------------------------------------------------------------
    def condition(self, name: str, line: int, place: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.condition_defs:
            raise self.error(line, place, f"no condition {name!r} in Conditions")
        self._conditions[name] = False  # a cycle reads as false, then the error below is raised
        definition = self.condition_defs[name]
        at = self.condition_defs.key_lines.get(name, line)
        value = self.resolve(definition, at, f"Conditions.{name}")
        if isinstance(value, Unknown):
            raise self.error(at, f"Conditions.{name}", f"depends on {value.what}, which is not known")
        if not isinstance(value, bool):
            raise self.error(at, f"Conditions.{name}", "does not evaluate to true or false")
        self._conditions[name] = value
        return value

    def exists(self, resource: _Resource) -> bool:
        if resource.condition is None:
            return True
        return self.condition(resource.condition, resource.line, f"Resources.{resource.logical_id}.Condition")

    # intrinsic functions ------------------------------------------------------------------
    def resolve(self, value: Any, line: int, place: str) -> Any:
        """Evaluate every intrinsic function in `value`; Unknown where a value is not known."""
        if isinstance(value, Node):
            at = value.line or line
            if len(value) == 1:
                (key,) = value.keys()
                if key in INTRINSICS:
                    return self._function(key, value[key], at, f"{place}.{key}")
                if key.startswith("Fn::"):
                    raise self.error(at, place, f"unsupported intrinsic function {key}")
            out = Node()
            out.line = value.line
            out.key_lines = value.key_lines
            for key, item in value.items():
                resolved = self.resolve(item, value.key_lines.get(key, at), f"{place}.{key}")
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            seq = Seq()
            seq.line = getattr(value, "line", line)
            for i, item in enumerate(value):
                resolved = self.resolve(item, _line_of(item, seq.line or line), f"{place}[{i}]")
                if resolved is not NO_VALUE:
                    seq.append(resolved)
            return seq
        if isinstance(value, bool | int | float):
            return value
        return value

    def _args(self, args: Any, count: int, line: int, place: str) -> list[Any]:
        if not isinstance(args, list) or len(args) != count:
            raise self.error(line, place, f"expects a list of {count} arguments")
        return list(args)

    def _function(self, name: str, args: Any, line: int, place: str) -> Any:
        if name == "Ref":
            return self._ref(args, line, place)
        if name == "Condition":
            return self.condition(str(args), line, place)
        if name == "Fn::GetAtt":
            if isinstance(args, str):
                args = args.split(".", 1)
            logical, attribute = self._args(args, 2, line, place)
            return self._get_att(str(logical), self.resolve(attribute, line, place), line, place)
        if name == "Fn::If":
            condition, when_true, when_false = self._args(args, 3, line, place)
            chosen = when_true if self.condition(str(condition), line, place) else when_false
            return self.resolve(chosen, line, place)
        if name == "Fn::Equals":
            a, b = (self.resolve(v, line, place) for v in self._args(args, 2, line, place))
            if isinstance(a, Unknown) or isinstance(b, Unknown):
                return a if isinstance(a, Unknown) else b
            return _scalar_text(a) == _scalar_text(b)
        if name == "Fn::Not":
            (inner,) = self._args(args, 1, line, place)
            value = self.resolve(inner, line, place)
            return value if isinstance(value, Unknown) else not bool(value)
        if name in ("Fn::And", "Fn::Or"):
            if not isinstance(args, list) or not 2 <= len(args) <= 10:
                raise self.error(line, place, "expects 2 to 10 conditions")
            values = [self.resolve(v, line, place) for v in args]
            unknown = next((v for v in values if isinstance(v, Unknown)), None)
            if unknown is not None:
                return unknown
            return all(values) if name == "Fn::And" else any(values)
        if name == "Fn::FindInMap":
            top, first, second = (self.resolve(v, line, place) for v in self._args(args[:3], 3, line, place))
            for key in (top, first, second):
                if isinstance(key, Unknown):
                    return key
            table = self.mappings.get(str(top)) if isinstance(self.mappings, Node) else None
            row = table.get(str(first)) if isinstance(table, Node) else None
            if not isinstance(row, Node) or str(second) not in row:
                raise self.error(line, place, f"Mappings has no {top}.{first}.{second}")
            return self.resolve(row[str(second)], line, place)
        if name == "Fn::Join":
            delimiter, items = self._args(args, 2, line, place)
            resolved = self.resolve(items, line, place)
            if isinstance(resolved, Unknown):
                return resolved
            unknown = next((v for v in resolved if isinstance(v, Unknown)), None)
            return unknown if unknown is not None else str(delimiter).join(_scalar_text(v) for v in resolved)
        if name == "Fn::Select":
            index, items = (self.resolve(v, line, place) for v in self._args(args, 2, line, place))
            if isinstance(index, Unknown) or isinstance(items, Unknown):
                return index if isinstance(index, Unknown) else items
            if not isinstance(items, list) or not str(index).isdigit() or int(index) >= len(items):
                raise self.error(line, place, f"index {index} is outside the list")
            return items[int(index)]
        if name == "Fn::Split":
            delimiter, text = (self.resolve(v, line, place) for v in self._args(args, 2, line, place))
            if isinstance(text, Unknown):
                return text
            return Seq(str(text).split(str(delimiter)))
        if name == "Fn::Sub":
            return self._sub(args, line, place)
        if name == "Fn::Cidr":
            block, count, bits = (self.resolve(v, line, place) for v in self._args(args, 3, line, place))
            for item in (block, count, bits):
                if isinstance(item, Unknown):
                    return item
            return self._cidr(str(block), int(count), int(bits), line, place)
        if name == "Fn::GetAZs":
            return Unknown("Fn::GetAZs (the Availability Zones of the Region)")
        if name == "Fn::ImportValue":
            return Unknown("Fn::ImportValue (an export of another stack)")
        if name == "Fn::Length":
            items = self.resolve(args, line, place)
            return items if isinstance(items, Unknown) else len(items)
        return Unknown(name)

    def _ref(self, name: Any, line: int, place: str) -> Any:
        if not isinstance(name, str):
            raise self.error(line, place, "Ref takes a name")
        if name in self.parameters:
            value = self.parameters[name]
            if isinstance(value, _MissingParameter):
                raise self.error(
                    line, place, f"parameter {name} has no Default: give its value with --parameter {name}=VALUE"
                )
            return value
        resource = self.resources.get(name)
        if resource is None:
            raise self.error(line, place, f"Ref to {name!r}, which is neither a parameter nor a resource")
        if resource.type == "AWS::EC2::EIP":  # Ref of an Elastic IP is its address
            return self._eip_address(resource)
        if resource.type == "AWS::S3::Bucket":  # Ref of a bucket is its name
            return self.bucket_name(resource)
        if resource.type in IAM_NAMES:  # Ref of a user, group or role is its name; of a managed policy, its ARN
            return self.iam_arn(resource) if resource.type == "AWS::IAM::ManagedPolicy" else self.iam_name(resource)
        return f"{PLACEHOLDER}{name}"

    def iam_name(self, resource: _Resource) -> str:
        """The name property, or (when CloudFormation generates the name) the placeholder `cfn:<logical id>`."""
        name = self.resolve(resource.properties.get(IAM_NAMES[resource.type]), resource.line, resource.logical_id)
        return name if isinstance(name, str) and name else f"{PLACEHOLDER}{resource.logical_id}"

    def iam_arn(self, resource: _Resource) -> str:
        kind = IAM_NAMES[resource.type].removesuffix("Name").removeprefix("Managed").lower()
        path = self.resolve(resource.properties.get("Path"), resource.line, resource.logical_id)
        account = self.parameters.get("AWS::AccountId")
        partition = self.parameters.get("AWS::Partition")
        return (
            f"arn:{partition if isinstance(partition, str) else 'aws'}:iam::"
            f"{account if isinstance(account, str) else 'unknown'}:{kind}{iam_path(path)}{self.iam_name(resource)}"
        )

    def bucket_name(self, resource: _Resource) -> str:
        """`BucketName`, or (when CloudFormation generates the name) a lower-case placeholder."""
        name = self.resolve(resource.properties.get("BucketName"), resource.line, resource.logical_id)
        return name if isinstance(name, str) and name else f"{PLACEHOLDER}{resource.logical_id}".lower()

    def _eip_address(self, resource: _Resource) -> Any:
        address = self.resolve(resource.properties.get("Address"), resource.line, resource.logical_id)
        if isinstance(address, str) and address:
            return address
        return Unknown(f"the public address of {resource.logical_id} (AWS assigns it)")

    GETATT_IDS: ClassVar[set[tuple[str, str]]] = {
        ("AWS::EC2::VPC", "VpcId"),
        ("AWS::EC2::Subnet", "SubnetId"),
        ("AWS::EC2::SecurityGroup", "GroupId"),
        ("AWS::EC2::EIP", "AllocationId"),
        ("AWS::EC2::NatGateway", "NatGatewayId"),
        ("AWS::EC2::NetworkInterface", "Id"),
        ("AWS::EC2::PrefixList", "PrefixListId"),
        ("AWS::EC2::RouteTable", "RouteTableId"),
        ("AWS::EC2::NetworkAcl", "Id"),
        ("AWS::EC2::InternetGateway", "InternetGatewayId"),
        ("AWS::EC2::VPCPeeringConnection", "Id"),
        ("AWS::EC2::EgressOnlyInternetGateway", "Id"),
        ("AWS::EC2::Instance", "InstanceId"),
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerArn"),
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupArn"),
        ("AWS::ElasticLoadBalancingV2::Listener", "ListenerArn"),
        ("AWS::ElasticLoadBalancingV2::ListenerRule", "RuleArn"),
        ("AWS::CloudFront::Distribution", "Id"),
        ("AWS::CloudFront::OriginAccessControl", "Id"),
        ("AWS::CloudFront::VpcOrigin", "Id"),
        ("AWS::CloudFront::VpcOrigin", "Arn"),
        ("AWS::WAFv2::WebACL", "Arn"),
        ("AWS::WAFv2::IPSet", "Arn"),
        ("AWS::Lambda::Function", "Arn"),
        ("AWS::Lambda::Url", "FunctionArn"),
    }
    GETATT_CREATED: ClassVar[set[tuple[str, str]]] = {
        ("AWS::EC2::VPC", "DefaultNetworkAcl"),
        ("AWS::EC2::VPC", "DefaultSecurityGroup"),
    }

    def _get_att(self, logical: str, attribute: Any, line: int, place: str) -> Any:
        resource = self.resources.get(logical)
        if resource is None:
            raise self.error(line, place, f"Fn::GetAtt of {logical!r}, which is not a resource")
        if isinstance(attribute, Unknown):
            return attribute
        attribute = str(attribute)
        key = (resource.type, attribute)
        if key in self.GETATT_IDS:
            return f"{PLACEHOLDER}{logical}"
        if key in self.GETATT_CREATED:
            return f"{PLACEHOLDER}{logical}.{attribute}"
        if key in (("AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName"), ("AWS::Lambda::Url", "FunctionUrl")):
            # names an origin takes by reference: the same placeholder at both ends
            text = f"{PLACEHOLDER}{logical}.{attribute}"
            return text if attribute == "DNSName" else f"https://{text}/"
        if resource.type in IAM_NAMES and attribute in ("Arn", "PolicyArn"):
            return self.iam_arn(resource)
        if resource.type == "AWS::S3::Bucket":
            name = self.bucket_name(resource)
            region = self.parameters.get("AWS::Region")
            region = region if isinstance(region, str) else "us-east-1"
            derived = {
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
                "WebsiteURL": f"http://{name}.s3-website-{region}.amazonaws.com",
                "DualStackDomainName": f"{name}.s3.dualstack.{region}.amazonaws.com",
            }.get(attribute)
            if derived is not None:
                return derived
        props = resource.properties
        direct = {
            ("AWS::EC2::VPC", "CidrBlock"): "CidrBlock",
            ("AWS::EC2::Subnet", "CidrBlock"): "CidrBlock",
            ("AWS::EC2::Subnet", "VpcId"): "VpcId",
            ("AWS::EC2::SecurityGroup", "VpcId"): "VpcId",
            ("AWS::EC2::Instance", "PrivateIp"): "PrivateIpAddress",
            ("AWS::EC2::NetworkInterface", "PrimaryPrivateIpAddress"): "PrivateIpAddress",
        }.get(key)
        if direct is not None and direct in props:
            return self.resolve(props[direct], resource.line, f"Resources.{logical}.Properties.{direct}")
        if key == ("AWS::EC2::EIP", "PublicIp"):
            return self._eip_address(resource)
        if key == ("AWS::EC2::VPC", "Ipv6CidrBlocks"):
            blocks: list[str] = []
            for other in self.resources.values():
                if other.type != "AWS::EC2::VPCCidrBlock" or not self.exists(other):
                    continue
                vpc = self.resolve(other.properties.get("VpcId"), other.line, other.logical_id)
                if vpc != f"{PLACEHOLDER}{logical}":
                    continue
                block = self.resolve(other.properties.get("Ipv6CidrBlock"), other.line, other.logical_id)
                if isinstance(block, str) and block:
                    blocks.append(block)
                elif other.properties.get("AmazonProvidedIpv6CidrBlock") or other.properties.get("Ipv6IpamPoolId"):
                    return Unknown(f"the IPv6 block AWS assigns to {logical} ({other.logical_id})")
            return Seq(blocks)
        return Unknown(f"!GetAtt {logical}.{attribute}")

    def _sub(self, args: Any, line: int, place: str) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(args, list):
            if len(args) != 2 or not isinstance(args[1], Mapping):
                raise self.error(line, place, "expects a string, or [string, {variables}]")
            text, variables = args[0], args[1]
        else:
            text = args
        if not isinstance(text, str):
            raise self.error(line, place, "expects a string")
        unknown: list[Unknown] = []

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = self.resolve(variables[name], line, place)
            elif "." in name and name.split(".", 1)[0] in self.resources:
                logical, attribute = name.split(".", 1)
                value = self._get_att(logical, attribute, line, place)
            else:
                value = self._ref(name, line, place)
            if isinstance(value, Unknown):
                unknown.append(value)
                return ""
            return _scalar_text(value)

        result = re.sub(r"\$\{([^}]+)\}", substitute, text)
        return unknown[0] if unknown else result

    def _cidr(self, block: str, count: int, bits: int, line: int, place: str) -> Seq:
        try:
            network = ipaddress.ip_network(block, strict=False)
        except ValueError:
            raise self.error(line, place, f"Fn::Cidr: {block!r} is not a CIDR") from None
        prefix = network.max_prefixlen - bits
        if prefix < network.prefixlen or count < 1:
            raise self.error(line, place, f"Fn::Cidr: cannot cut {count} blocks of {bits} bits from {block}")
        subnets: Iterator[Any] = network.subnets(new_prefix=prefix)
        out = Seq()
        for _ in range(count):
            try:
                out.append(str(next(subnets)))
            except StopIteration:
                raise self.error(line, place, f"Fn::Cidr: {block} holds fewer than {count} blocks") from None
        return out

    # dependencies -------------------------------------------------------------------------
    def dependencies(self, logical: str) -> set[str]:
        """Every resource this one is created after (DependsOn, Ref, GetAtt, Sub), transitively."""
        seen: set[str] = set()
        todo = [logical]
        while todo:
            current = self.resources.get(todo.pop())
            if current is None:
                continue
            direct = set(current.depends_on) | _names_used(current.properties)
            for name in direct:
                if name in self.resources and name not in seen:
                    seen.add(name)
                    todo.append(name)
        return seen


class _LeftOut(Exception):
    """A resource that cannot be placed in the estate (the resource it belongs to is not known)."""


@dataclass(frozen=True, slots=True)
class _MissingParameter:
    name: str


def _names_used(value: Any) -> set[str]:
    """Logical ids a value refers to (Ref, GetAtt, Sub), without evaluating anything."""
    out: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                out.add(item)
            elif key == "Fn::GetAtt":
                first = item.split(".", 1)[0] if isinstance(item, str) else item[0] if item else None
                if isinstance(first, str):
                    out.add(first)
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) and item else item
                if isinstance(text, str):
                    out.update(m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text))
            out |= _names_used(item)
    elif isinstance(value, list):
        for item in value:
            out |= _names_used(item)
    return out


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- the estate -------------------------------------------------------------------------------
@dataclass
class _Props:
    """The resolved properties of one resource, with the place and line of each for errors."""

    resource: _Resource
    values: Node
    file: str
    unknowns: list[tuple[str, Unknown]] = field(default_factory=list)

    @property
    def logical_id(self) -> str:
        return self.resource.logical_id

    def place(self, path: str) -> str:
        return f"Resources.{self.logical_id}.Properties.{path}"

    def line(self, path: str | None = None) -> int:
        """The line of a property path (`SecurityGroupIngress[0].CidrIp`), or of the nearest known part."""
        line = self.resource.line
        node: Any = self.values
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path or ""):
            if part.startswith("[") and isinstance(node, list):
                index = int(part[1:-1])
                if index >= len(node):
                    break
                node = node[index]
                line = getattr(node, "line", 0) or line
            elif isinstance(node, Node) and part in node:
                line = node.key_lines.get(part, line)
                node = node[part]
            else:
                break
        return line

    def error(self, path: str, message: str, line: int | None = None) -> InputError:
        at = line or self.line(path)
        return InputError(message, file=f"{self.file}:{at}", place=self.place(path))


class _Estate:
    def __init__(self, template: Template) -> None:
        self.t = template
        self.file = template.file
        self.draft = EstateDraft()
        region = template.parameters.get("AWS::Region")
        account = template.parameters.get("AWS::AccountId")
        self.draft.region = region if isinstance(region, str) else "unknown"
        self.draft.account = account if isinstance(account, str) else "unknown"
        self.type_of_id: dict[str, str] = {}
        self.assigns_ipv6: dict[str, bool] = {}
        self.props: dict[str, _Props] = {}
        self.ipv6_blocks: dict[str, list[str]] = {}  # VPC id -> logical ids of its IPv6 VPCCidrBlocks
        self.edge = EdgeDraft()
        partition = template.parameters.get("AWS::Partition")
        self.iam = IamDraft(partition if isinstance(partition, str) else "aws", self.draft.account)

    # helpers ------------------------------------------------------------------------------
    def ident(self, p: _Props) -> str:
        return f"{PLACEHOLDER}{p.logical_id}"

    def unknown(self, resource_id: str, p: _Props, attribute: str, kind: UnknownKind) -> None:
        path = attribute.split(" (")[0]
        source = SourceRef(file=self.file, place=p.place(path), line=p.line(path), address=p.logical_id)
        self.draft.unknown(resource_id, attribute, kind, source)

    def text(self, p: _Props, key: str, required: bool = False) -> Any:
        value = p.values.get(key)
        if value is None:
            if required:
                raise p.error(key, f"{key} is required", p.resource.line)
            return None
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Mapping | list):
            raise p.error(key, "expected a single value")
        return _scalar_text(value)

    def ref(self, p: _Props, key: str, kind: str) -> str:
        """A property that names another resource (or an existing id). When it is not known before
        the stack exists (`Fn::ImportValue`, ...), the resource cannot be placed: it is left out."""
        value = self.text(p, key, required=True)
        if isinstance(value, Unknown):
            raise _LeftOut(f"{p.logical_id}: {kind} ({key}) is not known: {value.what}")
        return str(value)

    def cidr(self, p: _Props, value: Any, path: str, line: int | None = None) -> str:
        if not isinstance(value, str):
            raise p.error(path, f"expected a CIDR, found {value!r}", line)
        try:
            parse_cidr(value)
        except AddressError as exc:
            raise p.error(path, str(exc), line) from None
        return value

    def integer(self, p: _Props, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise p.error(path, f"expected a number, found {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise p.error(path, f"expected a number, found {value!r}") from None

    def protocol(self, p: _Props, value: Any, path: str) -> int:
        text = _scalar_text(value).strip().lower()
        if text in PROTOCOL_BY_NAME:
            return PROTOCOL_BY_NAME[text]
        try:
            number = int(text)
        except ValueError:
            raise p.error(path, f"unknown protocol {value!r}") from None
        if number == -1 or 0 <= number <= 255:
            return number
        raise p.error(path, f"protocol number out of range: {value!r}")

    def tags(self, p: _Props) -> tuple[tuple[str, str], ...]:
        raw = p.values.get("Tags")
        out: list[tuple[str, str]] = []
        if isinstance(raw, list):
            for tag in raw:
                if isinstance(tag, Mapping) and isinstance(tag.get("Key"), str):
                    value = tag.get("Value", "")
                    out.append((tag["Key"], "" if isinstance(value, Unknown) else _scalar_text(value)))
        return tuple(out)

    def flag(self, p: _Props, key: str) -> Any:
        value = p.values.get(key)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)

    # driving ------------------------------------------------------------------------------
    def run(self) -> NetworkEstate:
        order = [
            ("AWS::EC2::PrefixList", self.prefix_list),
            ("AWS::EC2::VPC", self.vpc),
            ("AWS::EC2::VPCCidrBlock", self.vpc_cidr),
            ("AWS::EC2::Subnet", self.subnet),
            ("AWS::EC2::InternetGateway", self.gateway),
            ("AWS::EC2::EgressOnlyInternetGateway", self.gateway),
            ("AWS::EC2::VPCGatewayAttachment", self.gateway_attachment),
            ("AWS::EC2::EIP", self.eip),
            ("AWS::EC2::NatGateway", self.nat_gateway),
            ("AWS::EC2::VPCPeeringConnection", self.peering),
            ("AWS::EC2::RouteTable", self.route_table),
            ("AWS::EC2::Route", self.route),
            ("AWS::EC2::SubnetRouteTableAssociation", self.route_table_association),
            ("AWS::EC2::NetworkAcl", self.network_acl),
            ("AWS::EC2::NetworkAclEntry", self.network_acl_entry),
            ("AWS::EC2::SubnetNetworkAclAssociation", self.network_acl_association),
            ("AWS::EC2::SecurityGroup", self.security_group),
            ("AWS::EC2::SecurityGroupIngress", self.security_group_rule),
            ("AWS::EC2::SecurityGroupEgress", self.security_group_rule),
            ("AWS::EC2::NetworkInterface", self.network_interface),
            ("AWS::EC2::Instance", self.instance),
            ("AWS::EC2::NetworkInterfaceAttachment", self.interface_attachment),
            ("AWS::EC2::EIPAssociation", self.eip_association),
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", self.load_balancer),
            ("AWS::ElasticLoadBalancingV2::TargetGroup", self.target_group),
            ("AWS::ElasticLoadBalancingV2::Listener", self.listener),
            ("AWS::ElasticLoadBalancingV2::ListenerRule", self.listener_rule),
            ("AWS::CloudFront::OriginAccessControl", self.origin_access_control),
            ("AWS::CloudFront::VpcOrigin", self.vpc_origin),
            ("AWS::CloudFront::Distribution", self.distribution),
            ("AWS::WAFv2::IPSet", self.ip_set),
            ("AWS::WAFv2::WebACL", self.web_acl),
            ("AWS::WAFv2::WebACLAssociation", self.web_acl_association),
            ("AWS::S3::Bucket", self.bucket),
            ("AWS::S3::BucketPolicy", self.bucket_policy),
            ("AWS::Lambda::Url", self.function_url),
            ("AWS::Lambda::Permission", self.lambda_permission),
            ("AWS::Route53::RecordSet", self.dns_record),
            ("AWS::IAM::Group", self.iam_principal),
            ("AWS::IAM::User", self.iam_principal),
            ("AWS::IAM::Role", self.iam_principal),
            ("AWS::IAM::ManagedPolicy", self.iam_managed_policy),
            ("AWS::IAM::Policy", self.iam_policy),
            ("AWS::IAM::UserToGroupAddition", self.iam_group_addition),
        ]
        for rtype, handler in order:
            for resource in self.t.resources.values():
                if resource.type != rtype or not self.t.exists(resource):
                    continue
                values = self.t.resolve(
                    resource.properties, resource.line, f"Resources.{resource.logical_id}.Properties"
                )
                p = _Props(resource, values, self.file)
                self.props[resource.logical_id] = p
                try:
                    handler(p)
                except _LeftOut as left_out:
                    self.draft.notes.append(f"{left_out}: left out of the estate")
        self.finish_addresses()
        return self.draft.finish()

    # prefix lists -------------------------------------------------------------------------
    def prefix_list(self, p: _Props) -> None:
        pid = self.ident(p)
        cidrs: list[str] = []
        entries = p.values.get("Entries") or []
        if isinstance(entries, Unknown):
            self.unknown(pid, p, "Entries", UnknownKind.RULES)
            entries = []
        for i, entry in enumerate(entries):
            cidr = entry.get("Cidr") if isinstance(entry, Mapping) else None
            if isinstance(cidr, Unknown):
                self.unknown(pid, p, f"Entries[{i}].Cidr", UnknownKind.RULES)
                continue
            cidrs.append(self.cidr(p, cidr, f"Entries[{i}].Cidr"))
        name = self.text(p, "PrefixListName")
        self.draft.prefix_lists[pid] = PrefixList(
            id=pid,
            name=name if isinstance(name, str) else p.logical_id,
            cidrs=tuple(cidrs),
            max_entries=self.integer(p, p.values.get("MaxEntries"), "MaxEntries"),
            owner=self.draft.account,
            address_family=str(p.values.get("AddressFamily", "IPv4")),
            source=p.resource.source(self.file),
        )

    # VPCs and subnets ---------------------------------------------------------------------
    def vpc(self, p: _Props) -> None:
        vid = self.ident(p)
        draft = VpcDraft(
            id=vid,
            source=p.resource.source(self.file),
            tags=self.tags(p),
            main_table_id=f"{vid}.MainRouteTable",
            default_acl_id=f"{vid}.DefaultNetworkAcl",
            default_group_id=f"{vid}.DefaultSecurityGroup",
        )
        cidr = p.values.get("CidrBlock")
        if isinstance(cidr, Unknown) or (cidr is None and p.values.get("Ipv4IpamPoolId") is not None):
            self.unknown(vid, p, "CidrBlock", UnknownKind.CIDR)
        elif cidr is not None:
            draft.cidrs_v4.append(self.cidr(p, cidr, "CidrBlock"))
        else:
            raise p.error("CidrBlock", "a VPC needs CidrBlock (or Ipv4IpamPoolId)", p.resource.line)
        self.draft.vpcs[vid] = draft
        self.type_of_id[vid] = p.resource.type

    def vpc_cidr(self, p: _Props) -> None:
        vid = self.ref(p, "VpcId", "the VPC")
        vpc = self.draft.vpcs.get(vid)
        if vpc is None:
            self.draft.notes.append(f"{p.logical_id}: VPC {vid} is not in this template: left out")
            return
        v4 = p.values.get("CidrBlock")
        v6 = p.values.get("Ipv6CidrBlock")
        if isinstance(v4, Unknown):
            self.unknown(vid, p, "CidrBlock", UnknownKind.CIDR)
        elif v4 is not None:
            vpc.cidrs_v4.append(self.cidr(p, v4, "CidrBlock"))
        amazon = self.flag(p, "AmazonProvidedIpv6CidrBlock")
        if isinstance(v6, Unknown) or (
            v6 is None and (amazon is True or isinstance(amazon, Unknown) or p.values.get("Ipv6IpamPoolId"))
        ):
            vpc.ipv6_unknown = True
            self.unknown(vid, p, "Ipv6CidrBlock", UnknownKind.CIDR)
        elif v6 is not None:
            vpc.cidrs_v6.append(self.cidr(p, v6, "Ipv6CidrBlock"))
        if v6 is not None or amazon is True or p.values.get("Ipv6IpamPoolId"):
            self.ipv6_blocks.setdefault(vid, []).append(p.logical_id)

    def subnet(self, p: _Props) -> None:
        sid = self.ident(p)
        vid = self.ref(p, "VpcId", "the VPC")
        if vid not in self.draft.vpcs:
            self.draft.notes.append(f"{p.logical_id}: VPC {vid} is not in this template: left out")
            return
        draft = SubnetDraft(sid, vid, p.resource.source(self.file), tags=self.tags(p))
        cidr = p.values.get("CidrBlock")
        if isinstance(cidr, Unknown):
            self.unknown(sid, p, "CidrBlock", UnknownKind.CIDR)
        elif cidr is not None:
            draft.cidr_v4 = self.cidr(p, cidr, "CidrBlock")
        v6 = p.values.get("Ipv6CidrBlock")
        if isinstance(v6, Unknown):
            self.unknown(sid, p, "Ipv6CidrBlock", UnknownKind.CIDR)
        elif v6 is not None:
            draft.cidrs_v6.append(self.cidr(p, v6, "Ipv6CidrBlock"))
        az = p.values.get("AvailabilityZone")
        draft.availability_zone = az if isinstance(az, str) else ""
        public = self.flag(p, "MapPublicIpOnLaunch")
        draft.map_public_ip_on_launch = public is True
        if isinstance(public, Unknown):
            self.unknown(sid, p, "MapPublicIpOnLaunch", UnknownKind.ADDRESS)
        assigns = self.flag(p, "AssignIpv6AddressOnCreation")
        self.assigns_ipv6[sid] = (assigns is True or isinstance(assigns, Unknown)) and bool(
            draft.cidrs_v6 or isinstance(v6, Unknown)
        )
        self.draft.subnets[sid] = draft
        self.type_of_id[sid] = p.resource.type

    # gateways -----------------------------------------------------------------------------
    def gateway(self, p: _Props) -> None:
        gid = self.ident(p)
        egress_only = p.resource.type == "AWS::EC2::EgressOnlyInternetGateway"
        self.draft.gateways[gid] = InternetGateway(
            gid, (), "", "", egress_only=egress_only, source=p.resource.source(self.file)
        )
        self.type_of_id[gid] = p.resource.type
        if egress_only:
            self.draft.gateway_vpcs.setdefault(gid, []).append(self.ref(p, "VpcId", "the VPC"))

    def gateway_attachment(self, p: _Props) -> None:
        if p.values.get("InternetGatewayId") is None:
            return  # a virtual private gateway attachment: not modelled here
        gid = self.ref(p, "InternetGatewayId", "the internet gateway")
        self.draft.gateway_vpcs.setdefault(gid, []).append(self.ref(p, "VpcId", "the VPC"))

    def eip(self, p: _Props) -> None:
        aid = self.ident(p)
        address = p.values.get("Address")
        draft = AddressDraft(aid, p.resource.source(self.file), public_ip=address if isinstance(address, str) else None)
        instance = p.values.get("InstanceId")
        if isinstance(instance, Unknown):
            self.unknown(aid, p, "InstanceId", UnknownKind.ADDRESS)
        elif instance is not None:
            draft.instance_id = str(instance)
        self.draft.addresses.append(draft)
        self.type_of_id[aid] = p.resource.type

    def nat_gateway(self, p: _Props) -> None:
        nid = self.ident(p)
        subnet = self.ref(p, "SubnetId", "the subnet")
        if subnet not in self.draft.subnets:
            self.draft.notes.append(f"{p.logical_id}: subnet {subnet} is not in this template: left out")
            return
        connectivity = self.text(p, "ConnectivityType")
        draft = NatDraft(nid, subnet, p.resource.source(self.file), connectivity=connectivity or "public")
        private = p.values.get("PrivateIpAddress")
        if private is None or isinstance(private, Unknown):
            self.unknown(nid, p, "PrivateIpAddress", UnknownKind.ADDRESS)
        else:
            draft.private_ips.append(str(private))
        if draft.connectivity == "public":
            allocation = p.values.get("AllocationId")
            found = next((a for a in self.draft.addresses if a.id == allocation), None)
            if found is not None and found.public_ip:
                draft.public_ips.append(found.public_ip)
            else:
                self.unknown(nid, p, "AllocationId", UnknownKind.ADDRESS)
        self.draft.nats[nid] = draft
        self.type_of_id[nid] = p.resource.type

    def peering(self, p: _Props) -> None:
        pid = self.ident(p)
        owner = self.text(p, "PeerOwnerId")
        region = self.text(p, "PeerRegion")
        # CloudFormation accepts the peering it creates (with PeerRoleArn across accounts)
        self.draft.peerings[pid] = PeeringDraft(
            pid,
            self.ref(p, "VpcId", "the VPC"),
            self.ref(p, "PeerVpcId", "the peer VPC"),
            p.resource.source(self.file),
            status="active",
            accepter_account=owner if isinstance(owner, str) else None,
            accepter_region=region if isinstance(region, str) else None,
        )
        self.type_of_id[pid] = p.resource.type

    # routing ------------------------------------------------------------------------------
    def route_table(self, p: _Props) -> None:
        tid = self.ident(p)
        vid = self.ref(p, "VpcId", "the VPC")
        if vid not in self.draft.vpcs:
            self.draft.notes.append(f"{p.logical_id}: VPC {vid} is not in this template: left out")
            return
        self.draft.route_tables[tid] = RouteTableDraft(tid, vid, p.resource.source(self.file), tags=self.tags(p))
        self.type_of_id[tid] = p.resource.type

    TARGETS: tuple[tuple[str, RouteTarget | None], ...] = (
        ("NatGatewayId", RouteTarget.NAT_GATEWAY),
        ("VpcPeeringConnectionId", RouteTarget.PEERING),
        ("TransitGatewayId", RouteTarget.TRANSIT_GATEWAY),
        ("EgressOnlyInternetGatewayId", RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY),
        ("CarrierGatewayId", RouteTarget.CARRIER_GATEWAY),
        ("LocalGatewayId", RouteTarget.LOCAL_GATEWAY),
        ("CoreNetworkArn", RouteTarget.CORE_NETWORK),
        ("InstanceId", RouteTarget.INSTANCE),
        ("NetworkInterfaceId", RouteTarget.NETWORK_INTERFACE),
        ("VpcEndpointId", RouteTarget.VPC_ENDPOINT),
        ("GatewayId", None),
    )

    def route(self, p: _Props) -> None:
        tid = self.ref(p, "RouteTableId", "the route table")
        if tid not in self.draft.route_tables:
            self.draft.notes.append(f"{p.logical_id}: route table {tid} is not in this template: left out")
            return
        keys = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")
        v4, v6, pl = (p.values.get(k) for k in keys)
        for key, value in zip(keys, (v4, v6, pl), strict=True):
            if isinstance(value, Unknown):
                self.unknown(tid, p, key, UnknownKind.ROUTES)
                return
        destination = self.cidr(p, v4 or v6, keys[0] if v4 else keys[1]) if (v4 or v6) else None
        if destination is None and pl is None:
            raise p.error(keys[0], "a route needs a destination", p.resource.line)
        for key, kind in self.TARGETS:
            value = p.values.get(key)
            if value is None:
                continue
            if isinstance(value, Unknown):
                self.unknown(tid, p, key, UnknownKind.ROUTES)
                return
            target_id = str(value)
            if kind is None:
                kind = {
                    "AWS::EC2::InternetGateway": RouteTarget.INTERNET_GATEWAY,
                    "AWS::EC2::EgressOnlyInternetGateway": RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY,
                }.get(self.type_of_id.get(target_id, ""))
                if kind is None:
                    prefixes = {"igw-": RouteTarget.INTERNET_GATEWAY, "vgw-": RouteTarget.VIRTUAL_PRIVATE_GATEWAY}
                    kind = next((k for pre, k in prefixes.items() if target_id.startswith(pre)), RouteTarget.OTHER)
            self.draft.route_tables[tid].routes.append(
                Route(
                    destination,
                    kind,
                    target_id,
                    destination_prefix_list_id=str(pl) if pl else None,
                    origin="CreateRoute",
                )
            )
            return
        raise p.error("GatewayId", "a route needs a target", p.resource.line)

    def route_table_association(self, p: _Props) -> None:
        self.draft.table_of_subnet[self.ref(p, "SubnetId", "the subnet")] = self.ref(
            p, "RouteTableId", "the route table"
        )

    # network ACLs -------------------------------------------------------------------------
    def network_acl(self, p: _Props) -> None:
        aid = self.ident(p)
        vid = self.ref(p, "VpcId", "the VPC")
        if vid not in self.draft.vpcs:
            self.draft.notes.append(f"{p.logical_id}: VPC {vid} is not in this template: left out")
            return
        self.draft.acls[aid] = AclDraft(aid, vid, p.resource.source(self.file), tags=self.tags(p))
        self.type_of_id[aid] = p.resource.type

    def network_acl_entry(self, p: _Props) -> None:
        aid = self.ref(p, "NetworkAclId", "the network ACL")
        acl = self.draft.acls.get(aid)
        if acl is None:
            self.draft.notes.append(f"{p.logical_id}: network ACL {aid} is not in this template: left out")
            return
        for key in (
            "RuleNumber",
            "Protocol",
            "RuleAction",
            "Egress",
            "CidrBlock",
            "Ipv6CidrBlock",
            "PortRange",
            "Icmp",
        ):
            value = p.values.get(key)
            inner = list(value.values()) if isinstance(value, Mapping) else [value]
            if any(isinstance(v, Unknown) for v in inner):
                self.unknown(aid, p, key, UnknownKind.RULES)
                return
        number = self.integer(p, p.values.get("RuleNumber"), "RuleNumber")
        if number is None or not 1 <= number <= 32766:
            raise p.error("RuleNumber", f"rule number must be 1-32766, got {number}")
        action = str(p.values.get("RuleAction", "")).lower()
        if action not in ("allow", "deny"):
            raise p.error("RuleAction", f"must be allow or deny, got {action!r}")
        protocol = self.protocol(p, p.values.get("Protocol", "-1"), "Protocol")
        raw = p.values.get("CidrBlock") or p.values.get("Ipv6CidrBlock")
        key = "CidrBlock" if p.values.get("CidrBlock") else "Ipv6CidrBlock"
        if raw is None:
            raise p.error("CidrBlock", "an entry needs CidrBlock or Ipv6CidrBlock", p.resource.line)
        cidr = str(ipaddress.ip_network(self.cidr(p, raw, key), strict=False))
        ports = p.values.get("PortRange") if isinstance(p.values.get("PortRange"), Mapping) else None
        icmp = p.values.get("Icmp") if isinstance(p.values.get("Icmp"), Mapping) else None
        is_icmp = protocol == 1 or (protocol == 58 and ":" in cidr)
        ported = protocol in (6, 17)
        if ported and ports is None:
            raise p.error("PortRange", "tcp and udp entries need PortRange", p.resource.line)
        entry = NaclEntry(
            rule_number=number,
            egress=self.flag(p, "Egress") is True,
            allow=action == "allow",
            protocol=protocol,
            cidr=cidr,
            port_from=self.integer(p, ports.get("From"), "PortRange.From") if ported and ports else None,
            port_to=self.integer(p, ports.get("To"), "PortRange.To") if ported and ports else None,
            icmp_type=(self.integer(p, icmp.get("Type", -1), "Icmp.Type") if icmp else -1) if is_icmp else None,
            icmp_code=(self.integer(p, icmp.get("Code", -1), "Icmp.Code") if icmp else -1) if is_icmp else None,
            position=f"Resources.{p.logical_id}",
        )
        acl.entries.append(entry)

    def network_acl_association(self, p: _Props) -> None:
        self.draft.acl_of_subnet[self.ref(p, "SubnetId", "the subnet")] = self.ref(p, "NetworkAclId", "the network ACL")

    # security groups ----------------------------------------------------------------------
    def _rules(
        self, p: _Props, group_id: str, item: Mapping[str, Any], egress: bool, path: str
    ) -> list[SecurityGroupRule]:
        peers = (
            ("CidrIp", "CidrIpv6", "DestinationPrefixListId", "DestinationSecurityGroupId")
            if egress
            else ("CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId")
        )
        for key in ("IpProtocol", "FromPort", "ToPort", *peers):
            if isinstance(item.get(key), Unknown):
                self.unknown(group_id, p, f"{path}.{key}", UnknownKind.RULES)
                return []
        if "IpProtocol" not in item:
            raise p.error(f"{path}.IpProtocol", "a rule needs IpProtocol")
        protocol = self.protocol(p, item["IpProtocol"], f"{path}.IpProtocol")
        low = self.integer(p, item.get("FromPort"), f"{path}.FromPort")
        high = self.integer(p, item.get("ToPort"), f"{path}.ToPort")
        if protocol == -1:
            low = high = None
        elif protocol in (6, 17) and (low is None or high is None):
            raise p.error(f"{path}.FromPort", "tcp and udp rules need FromPort and ToPort")
        base: dict[str, Any] = {
            "group_id": group_id,
            "egress": egress,
            "protocol": protocol,
            "from_port": low,
            "to_port": high,
            "description": str(item.get("Description") or ""),
            "position": path,
        }
        rules: list[SecurityGroupRule] = []
        cidr_v4, cidr_v6, prefix_list, group = (item.get(k) for k in peers)
        lines = getattr(item, "key_lines", {})
        for key, value in ((peers[0], cidr_v4), (peers[1], cidr_v6)):
            if value is not None:
                cidr = self.cidr(p, value, f"{path}.{key}", lines.get(key))
                rules.append(SecurityGroupRule(**base, peer_kind=PeerKind.CIDR, cidr=cidr))
        if prefix_list is not None:
            rules.append(SecurityGroupRule(**base, peer_kind=PeerKind.PREFIX_LIST, prefix_list_id=str(prefix_list)))
        if group is not None:
            owner = item.get("SourceSecurityGroupOwnerId")
            rules.append(
                SecurityGroupRule(
                    **base,
                    peer_kind=PeerKind.SECURITY_GROUP,
                    group=GroupReference(group_id=str(group), user_id=str(owner) if isinstance(owner, str) else None),
                )
            )
        if len(rules) != 1:
            raise p.error(path, f"a rule needs exactly one of {', '.join(peers)}")
        return rules

    def security_group(self, p: _Props) -> None:
        gid = self.ident(p)
        vid = self.ref(p, "VpcId", "the VPC")
        vpc = self.draft.vpcs.get(vid)
        if vpc is None:
            self.draft.notes.append(f"{p.logical_id}: VPC {vid} is not in this template: left out")
            return
        name = self.text(p, "GroupName")
        description = self.text(p, "GroupDescription")
        group = GroupDraft(
            gid,
            name if isinstance(name, str) else p.logical_id,
            vid,
            p.resource.source(self.file),
            description=description if isinstance(description, str) else "",
            tags=self.tags(p),
        )
        for key, egress, bucket in (
            ("SecurityGroupIngress", False, group.ingress),
            ("SecurityGroupEgress", True, group.egress),
        ):
            items = p.values.get(key)
            if items is None:
                continue
            if isinstance(items, Unknown) or not isinstance(items, list):
                self.unknown(gid, p, key, UnknownKind.RULES)
                continue
            for i, item in enumerate(items):
                if not isinstance(item, Mapping):
                    raise p.error(f"{key}[{i}]", "expected a rule")
                bucket.extend(self._rules(p, gid, item, egress, f"{key}[{i}]"))
        group.egress_declared = "SecurityGroupEgress" in p.values
        if not group.egress_declared:
            blocks = self.ipv6_blocks.get(vid, [])
            if not blocks or all(b in self.t.dependencies(p.logical_id) for b in blocks):
                group.default_egress = "aws"
            else:
                group.default_egress = "unknown"
                self.unknown(gid, p, "SecurityGroupEgress (AWS default ::/0 rule)", UnknownKind.RULES)
        self.draft.groups[gid] = group
        self.type_of_id[gid] = p.resource.type

    def security_group_rule(self, p: _Props) -> None:
        egress = p.resource.type.endswith("Egress")
        gid = self.ref(p, "GroupId", "the security group")
        group = self.draft.groups.get(gid)
        if group is None:
            self.draft.notes.append(f"{p.logical_id}: security group {gid} is not in this template: left out")
            return
        rules = self._rules(p, gid, p.values, egress, f"Resources.{p.logical_id}")
        (group.egress if egress else group.ingress).extend(rules)

    # interfaces and instances -------------------------------------------------------------
    def _groups(self, p: _Props, value: Any, path: str, vpc_id: str, eni_id: str) -> list[str]:
        if isinstance(value, Unknown):
            self.unknown(eni_id, p, path, UnknownKind.ASSOCIATION)
            return []
        groups = [str(g) for g in value or []]
        if any(isinstance(g, Unknown) for g in value or []):
            self.unknown(eni_id, p, path, UnknownKind.ASSOCIATION)
        if not groups and vpc_id in self.draft.vpcs:
            return [self.draft.vpcs[vpc_id].default_group_id]  # AWS attaches the VPC's default group
        return groups

    def _addresses(self, p: _Props, eni: InterfaceDraft, spec: Mapping[str, Any], path: str, public: Any) -> None:
        primary = spec.get("PrivateIpAddress")
        listed = spec.get("PrivateIpAddresses")
        if isinstance(listed, list) and listed:
            ordered = sorted(
                (a for a in listed if isinstance(a, Mapping)), key=lambda a: not self._true(a.get("Primary"))
            )
            for j, entry in enumerate(ordered):
                value = entry.get("PrivateIpAddress")
                if isinstance(value, Unknown):
                    self.unknown(eni.id, p, f"{path}PrivateIpAddresses[{j}]", UnknownKind.ADDRESS)
                else:
                    eni.private_ipv4s.append(str(value))
        elif primary is None or isinstance(primary, Unknown):
            self.unknown(eni.id, p, f"{path}PrivateIpAddress", UnknownKind.ADDRESS)
        else:
            eni.private_ipv4s.append(str(primary))
        if spec.get("SecondaryPrivateIpAddressCount"):
            self.unknown(eni.id, p, f"{path}SecondaryPrivateIpAddressCount", UnknownKind.ADDRESS)
        v6 = spec.get("Ipv6Addresses")
        count = spec.get("Ipv6AddressCount")
        if isinstance(v6, list):
            for j, entry in enumerate(v6):
                value = entry.get("Ipv6Address") if isinstance(entry, Mapping) else entry
                if isinstance(value, Unknown):
                    self.unknown(eni.id, p, f"{path}Ipv6Addresses[{j}]", UnknownKind.ADDRESS)
                else:
                    eni.ipv6s.append(str(value))
        elif (
            isinstance(v6, Unknown)
            or (count is not None and str(count) != "0")
            or (count is None and self.assigns_ipv6.get(eni.subnet_id, False))
        ):
            self.unknown(eni.id, p, f"{path}Ipv6Addresses", UnknownKind.ADDRESS)
        if public is True or isinstance(public, Unknown):
            self.unknown(eni.id, p, f"{path}AssociatePublicIpAddress (public IPv4)", UnknownKind.ADDRESS)

    @staticmethod
    def _true(value: Any) -> bool:
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def network_interface(self, p: _Props) -> None:
        eid = self.ident(p)
        subnet_id = self.ref(p, "SubnetId", "the subnet")
        subnet = self.draft.subnets.get(subnet_id)
        if subnet is None:
            self.draft.notes.append(f"{p.logical_id}: subnet {subnet_id} is not in this template: left out")
            return
        eni = InterfaceDraft(eid, subnet_id, p.resource.source(self.file), tags=self.tags(p))
        self._addresses(p, eni, p.values, "", False)
        eni.group_ids = self._groups(p, p.values.get("GroupSet"), "GroupSet", subnet.vpc_id, eid)
        description = p.values.get("Description")
        eni.description = description if isinstance(description, str) else ""
        kind = p.values.get("InterfaceType")
        eni.interface_type = kind if isinstance(kind, str) else "interface"
        self.draft.interfaces[eid] = eni
        self.type_of_id[eid] = p.resource.type

    def instance(self, p: _Props) -> None:
        iid = self.ident(p)
        instance = InstanceDraft(iid, p.resource.source(self.file), tags=self.tags(p))
        specs = p.values.get("NetworkInterfaces")
        specs = specs if isinstance(specs, list) else []
        by_index: dict[int, tuple[int, Mapping[str, Any]]] = {}
        for i, spec in enumerate(specs):
            if isinstance(spec, Mapping):
                index = self.integer(p, spec.get("DeviceIndex", 0), f"NetworkInterfaces[{i}].DeviceIndex") or 0
                by_index[index] = (i, spec)
        for index in sorted(by_index) or [0]:
            i, spec = by_index.get(index, (-1, p.values))
            path = f"NetworkInterfaces[{i}]." if i >= 0 else ""
            existing = spec.get("NetworkInterfaceId") if i >= 0 else None
            if existing is not None:
                eni = self.draft.interfaces.get(str(existing))
                if eni is None:
                    raise p.error(f"{path}NetworkInterfaceId", f"interface {existing} is not in this template")
            else:
                eid = f"{iid}.PrimaryNetworkInterfaceId" if index == 0 else f"{iid}.NetworkInterface{index}"
                subnet_id = self.text(p, "SubnetId") if i < 0 else spec.get("SubnetId")
                if subnet_id is None and i < 0 and not specs:
                    raise p.error(
                        "SubnetId", "an instance in a VPC needs SubnetId (or NetworkInterfaces)", p.resource.line
                    )
                if isinstance(subnet_id, Unknown) or str(subnet_id) not in self.draft.subnets:
                    self.draft.notes.append(f"{p.logical_id}: its subnet {subnet_id} is not in this template: left out")
                    return
                subnet = self.draft.subnets[str(subnet_id)]
                eni = InterfaceDraft(eid, subnet.id, p.resource.source(self.file))
                public: Any = spec.get("AssociatePublicIpAddress") if i >= 0 else None
                public = self._true(public) if not isinstance(public, Unknown) and public is not None else public
                if public is None:
                    public = subnet.map_public_ip_on_launch and index == 0
                self._addresses(p, eni, spec, path, public)
                groups = (
                    spec.get("GroupSet")
                    if i >= 0
                    else (p.values.get("SecurityGroupIds") or p.values.get("SecurityGroups"))
                )
                eni.group_ids = self._groups(
                    p, groups, f"{path}GroupSet" if i >= 0 else "SecurityGroupIds", subnet.vpc_id, eid
                )
                self.draft.interfaces[eid] = eni
            eni.instance_id = iid
            eni.device_index = index
            instance.interface_ids.append(eni.id)
        self.draft.instances[iid] = instance
        self.type_of_id[iid] = p.resource.type

    def interface_attachment(self, p: _Props) -> None:
        eni = self.draft.interfaces.get(self.ref(p, "NetworkInterfaceId", "the interface"))
        instance = self.draft.instances.get(self.ref(p, "InstanceId", "the instance"))
        if eni is None or instance is None:
            self.draft.notes.append(f"{p.logical_id}: interface or instance not in this template: left out")
            return
        eni.instance_id = instance.id
        eni.device_index = self.integer(p, p.values.get("DeviceIndex"), "DeviceIndex")
        if eni.id not in instance.interface_ids:
            instance.interface_ids.append(eni.id)

    def eip_association(self, p: _Props) -> None:
        allocation = p.values.get("AllocationId")
        address = next((a for a in self.draft.addresses if a.id == allocation), None)
        if address is None:
            public = p.values.get("EIP")
            address = AddressDraft(
                f"{PLACEHOLDER}{p.logical_id}",
                p.resource.source(self.file),
                public_ip=public if isinstance(public, str) else None,
            )
            self.draft.addresses.append(address)
        for key, attr in (("InstanceId", "instance_id"), ("NetworkInterfaceId", "interface_id")):
            value = p.values.get(key)
            if isinstance(value, Unknown):
                self.unknown(address.id, p, key, UnknownKind.ADDRESS)
            elif value is not None:
                setattr(address, attr, str(value))
        private = p.values.get("PrivateIpAddress")
        if isinstance(private, str):
            address.private_ip = private

    # load balancers -----------------------------------------------------------------------
    def _edge_context(self, p: _Props) -> Context:
        """For the aws_json edge transforms reused here: conditions and actions have the API's shape."""
        return Context(file=f"{self.file}:{p.resource.line}", account=self.draft.account, region=self.draft.region)

    def load_balancer(self, p: _Props) -> None:
        arn = self.ident(p)
        kind = self.text(p, "Type") or "application"
        subnets: Any = p.values.get("Subnets")
        mappings = p.values.get("SubnetMappings")
        if isinstance(mappings, list) and mappings:
            subnets = [m.get("SubnetId") if isinstance(m, Mapping) else None for m in mappings]
        if (
            not isinstance(subnets, list)
            or not subnets
            or any(not isinstance(x, str) or x not in self.draft.subnets for x in subnets)
        ):
            self.draft.notes.append(f"{p.logical_id}: its subnets are not known, or not in this template: left out")
            return
        vpc_id = self.draft.subnets[subnets[0]].vpc_id
        groups: Any = p.values.get("SecurityGroups")
        if isinstance(groups, Unknown) or (isinstance(groups, list) and _has_unknown(groups)):
            self.draft.notes.append(f"{p.logical_id}: its security groups are not known: left out")
            return
        if not groups and kind == "application":
            groups = [self.draft.vpcs[vpc_id].default_group_id]  # AWS gives an ALB the VPC's default group
        missing = [g for g in groups or () if g not in self.draft.groups]
        if missing:
            self.draft.notes.append(
                f"{p.logical_id}: its security group {missing[0]} is not in this template: left out"
            )
            return
        name = self.text(p, "Name")
        attributes = p.values.get("LoadBalancerAttributes") or []
        self.edge.load_balancers[arn] = LoadBalancer(
            arn=arn,
            name=name if isinstance(name, str) else p.logical_id,
            type=str(kind),
            scheme=str(self.text(p, "Scheme") or "internet-facing"),
            dns_name=f"{PLACEHOLDER}{p.logical_id}.DNSName",
            vpc_id=vpc_id,
            subnet_ids=tuple(subnets),
            security_group_ids=tuple(str(g) for g in groups or ()),
            ip_address_type=str(self.text(p, "IpAddressType") or "ipv4"),
            account=self.draft.account,
            region=self.draft.region,
            attributes=tuple(
                (str(a["Key"]), _scalar_text(a.get("Value", "")))
                for a in attributes
                if isinstance(a, Mapping) and isinstance(a.get("Key"), str) and not isinstance(a.get("Value"), Unknown)
            ),
            source=p.resource.source(self.file),
        )

    def target_group(self, p: _Props) -> None:
        arn = self.ident(p)
        attributes = {
            str(a.get("Key")): a.get("Value")
            for a in p.values.get("TargetGroupAttributes") or []
            if isinstance(a, Mapping)
        }
        preserve = attributes.get("preserve_client_ip.enabled")
        name = self.text(p, "Name")
        vpc = self.text(p, "VpcId")
        targets = []
        for i, item in enumerate(p.values.get("Targets") or []):
            if not isinstance(item, Mapping) or _has_unknown(item):
                self.draft.notes.append(f"{p.logical_id}: Targets[{i}] is not known: left out")
                continue
            zone = item.get("AvailabilityZone")
            targets.append(
                Target(
                    id=str(item.get("Id")),
                    port=self.integer(p, item.get("Port"), f"Targets[{i}].Port"),
                    availability_zone=str(zone) if isinstance(zone, str) else None,
                )
            )
        self.edge.targets[arn] = targets
        self.edge.target_groups[arn] = TargetGroup(
            arn=arn,
            name=name if isinstance(name, str) else p.logical_id,
            protocol=self.text(p, "Protocol") if isinstance(self.text(p, "Protocol"), str) else None,
            port=self.integer(p, p.values.get("Port"), "Port"),
            target_type=str(self.text(p, "TargetType") or "instance"),
            vpc_id=vpc if isinstance(vpc, str) else None,
            health_check_path=self.text(p, "HealthCheckPath")
            if isinstance(self.text(p, "HealthCheckPath"), str)
            else None,
            health_check_port=self.text(p, "HealthCheckPort")
            if isinstance(self.text(p, "HealthCheckPort"), str)
            else None,
            preserve_client_ip=None if preserve is None else _scalar_text(preserve).lower() == "true",
            source=p.resource.source(self.file),
        )

    def listener(self, p: _Props) -> None:
        arn = self.ident(p)
        lb_arn = self.ref(p, "LoadBalancerArn", "the load balancer")
        lb = self.edge.load_balancers.get(lb_arn)
        if lb is None:
            self.draft.notes.append(f"{p.logical_id}: load balancer {lb_arn} is not in this template: left out")
            return
        actions = p.values.get("DefaultActions") or []
        if _has_unknown(actions):
            self.draft.notes.append(f"{p.logical_id}: its default actions are not known: left out")
            return
        ctx = self._edge_context(p)
        place = p.place("DefaultActions")
        protocol = self.text(p, "Protocol")
        mtls = p.values.get("MutualAuthentication")
        mode = mtls.get("Mode") if isinstance(mtls, Mapping) else None
        self.edge.listeners[arn] = Listener(
            arn=arn,
            load_balancer_arn=lb_arn,
            port=self.integer(p, p.values.get("Port"), "Port") or 0,
            protocol=str(protocol or ("HTTP" if lb.type == "application" else "TCP")).upper(),
            default_actions=tuple(rule_action(a, ctx, f"{place}[{i}]") for i, a in enumerate(actions)),
            mtls_mode=str(mode) if isinstance(mode, str) else None,
            source=p.resource.source(self.file),
        )

    def listener_rule(self, p: _Props) -> None:
        listener = self.ref(p, "ListenerArn", "the listener")
        conditions = p.values.get("Conditions") or []
        actions = p.values.get("Actions") or []
        priority = p.values.get("Priority")
        if isinstance(priority, Unknown) or _has_unknown(conditions) or _has_unknown(actions):
            self.edge.rules_unknown.add(listener)
            self.edge.notes.append(f"{p.logical_id}: its priority, conditions or actions are not known")
            return
        ctx = self._edge_context(p)
        self.edge.rules.setdefault(listener, []).append(
            ListenerRule(
                arn=self.ident(p),
                priority=self.integer(p, priority, "Priority"),
                conditions=tuple(
                    rule_condition(c, ctx, f"{p.place('Conditions')}[{i}]") for i, c in enumerate(conditions)
                ),
                actions=tuple(rule_action(a, ctx, f"{p.place('Actions')}[{i}]") for i, a in enumerate(actions)),
                source=p.resource.source(self.file),
            )
        )

    # CloudFront, WAF, S3, Lambda, Route 53 ------------------------------------------------
    def _edge_unknown(self, resource_id: str, p: _Props, path: str) -> None:
        self.unknown(resource_id, p, path, UnknownKind.OTHER)

    def origin_access_control(self, p: _Props) -> None:
        config = p.values.get("OriginAccessControlConfig")
        config = config if isinstance(config, Mapping) else {}
        ident = self.ident(p)
        self.edge.oacs[ident] = OriginAccessControl(
            id=ident,
            name=_scalar_text(config.get("Name", "")),
            origin_type=_scalar_text(config.get("OriginAccessControlOriginType", "s3")),
            signing_behavior=_scalar_text(config.get("SigningBehavior", "always")),
            signing_protocol=_scalar_text(config.get("SigningProtocol", "sigv4")),
            source=p.resource.source(self.file),
        )

    def vpc_origin(self, p: _Props) -> None:
        config = p.values.get("VpcOriginEndpointConfig")
        if not isinstance(config, Mapping) or not isinstance(config.get("Arn"), str):
            self.draft.notes.append(
                f"{p.logical_id}: its endpoint (VpcOriginEndpointConfig.Arn) is not known: left out"
            )
            return
        ident = self.ident(p)
        self.edge.vpc_origins[ident] = VpcOrigin(
            id=ident,
            endpoint_arn=str(config["Arn"]),
            arn=ident,
            name=_scalar_text(config.get("Name", "")),
            http_port=self.integer(p, config.get("HTTPPort"), "VpcOriginEndpointConfig.HTTPPort") or 80,
            https_port=self.integer(p, config.get("HTTPSPort"), "VpcOriginEndpointConfig.HTTPSPort") or 443,
            protocol_policy=_scalar_text(config.get("OriginProtocolPolicy", "match-viewer")),
            account=self.draft.account,
            source=p.resource.source(self.file),
        )

    def distribution(self, p: _Props) -> None:
        ident = self.ident(p)
        config = p.values.get("DistributionConfig")
        if not isinstance(config, Mapping):
            raise p.error("DistributionConfig", "a distribution needs a DistributionConfig mapping")
        origins = []
        for i, raw in enumerate(config.get("Origins") or []):
            if not isinstance(raw, Mapping):
                raise p.error(f"DistributionConfig.Origins[{i}]", "expected a mapping")
            origin = dict(raw)
            origin_id = _scalar_text(origin.get("Id", f"Origins[{i}]"))
            where = f"{ident}#{origin_id}"
            path = f"DistributionConfig.Origins[{i}]"
            domain = origin.get("DomainName")
            if isinstance(domain, Unknown) or not domain:
                self._edge_unknown(where, p, f"{path}.DomainName")
                origin["DomainName"] = f"{where}.DomainName"
            headers = []
            for j, header in enumerate(origin.get("OriginCustomHeaders") or []):
                if isinstance(header, Mapping) and isinstance(header.get("HeaderValue"), Unknown):
                    self._edge_unknown(where, p, f"{path}.OriginCustomHeaders[{j}].HeaderValue")
                elif isinstance(header, Mapping):
                    headers.append(header)
            origin["CustomHeaders"] = {"Items": headers}
            for key in ("OriginAccessControlId", "VpcOriginConfig", "S3OriginConfig"):
                if _has_unknown(origin.get(key)):
                    self._edge_unknown(where, p, f"{path}.{key}")
                    origin.pop(key)
            origins.append(origin)
        web_acl = config.get("WebACLId")
        if isinstance(web_acl, Unknown):
            self._edge_unknown(ident, p, "DistributionConfig.WebACLId")
        api = {
            "Origins": {"Items": origins},
            "Enabled": self._true(config.get("Enabled", True)),
            "Aliases": {"Items": [a for a in config.get("Aliases") or [] if isinstance(a, str)]},
            "WebACLId": web_acl if isinstance(web_acl, str) else None,
            "DefaultCacheBehavior": config.get("DefaultCacheBehavior"),
            "CacheBehaviors": {"Items": list(config.get("CacheBehaviors") or [])},
        }
        account = self.draft.account
        dist = api_distribution(
            api,
            self._edge_context(p),
            p.place("DistributionConfig"),
            ident=ident,
            arn=f"arn:aws:cloudfront::{account}:distribution/{ident}",
        )
        source = p.resource.source(self.file)
        self.edge.distributions[ident] = replace(
            dist,
            address=p.logical_id,
            source=source,
            origins=tuple(
                replace(o, source=replace(source, line=p.line(f"DistributionConfig.Origins[{i}]")))
                for i, o in enumerate(dist.origins)
            ),
        )

    def ip_set(self, p: _Props) -> None:
        arn = self.ident(p)
        addresses = p.values.get("Addresses")
        if not isinstance(addresses, list) or _has_unknown(addresses):
            self._edge_unknown(arn, p, "Addresses")
            addresses = []
        self.edge.ip_sets[arn] = IpSet(
            arn=arn,
            name=_scalar_text(p.values.get("Name") or p.logical_id),
            addresses=names(addresses),
            version=_scalar_text(p.values.get("IPAddressVersion") or "IPV4"),
            source=p.resource.source(self.file),
        )

    def web_acl(self, p: _Props) -> None:
        arn = self.ident(p)
        ctx = self._edge_context(p)
        rules = []
        for i, raw in enumerate(p.values.get("Rules") or []):
            path = f"Rules[{i}]"
            if not isinstance(raw, Mapping):
                raise p.error(path, "expected a mapping")
            name = _scalar_text(raw.get("Name") or path)
            if _has_unknown(raw.get("Statement")):
                self._edge_unknown(arn, p, f"{path}.Statement")
                continue
            api = cfn_statement(raw.get("Statement"))
            if not isinstance(api, Mapping):
                raise p.error(f"{path}.Statement", "a rule needs a Statement mapping")
            statement = plain_search(waf_statement(api, ctx, p.place(f"{path}.Statement")), api)
            action = raw.get("Action") if isinstance(raw.get("Action"), Mapping) else raw.get("OverrideAction")
            kind = next(iter(action)).lower() if isinstance(action, Mapping) and action else "none"
            priority = self.integer(p, raw.get("Priority"), f"{path}.Priority") or 0
            rules.append(WafRule(name, priority, kind, statement))
        default = p.values.get("DefaultAction")
        if not isinstance(default, Mapping) or not default:
            raise p.error("DefaultAction", "a web ACL needs a DefaultAction (Allow or Block)")
        self.edge.web_acls[arn] = WebAcl(
            arn=arn,
            name=_scalar_text(p.values.get("Name") or p.logical_id),
            scope=_scalar_text(p.values.get("Scope") or "REGIONAL").upper(),
            default_action=next(iter(default)).lower(),
            rules=tuple(rules),
            id=arn,
            source=p.resource.source(self.file),
        )

    def web_acl_association(self, p: _Props) -> None:
        acl = self.ref(p, "WebACLArn", "the web ACL")
        resource = self.ref(p, "ResourceArn", "the resource")
        self.edge.associations.append(WebAclAssociation(acl, resource, p.resource.source(self.file)))

    def bucket(self, p: _Props) -> None:
        name = self.t.bucket_name(p.resource)
        draft = self.edge.bucket(name, p.resource.source(self.file))
        draft.region = self.draft.region if self.draft.region != "unknown" else None
        block = p.values.get("PublicAccessBlockConfiguration")
        if isinstance(block, Mapping):
            draft.public_access_block = PublicAccessBlock(
                block_public_acls=self._true(block.get("BlockPublicAcls", False)),
                ignore_public_acls=self._true(block.get("IgnorePublicAcls", False)),
                block_public_policy=self._true(block.get("BlockPublicPolicy", False)),
                restrict_public_buckets=self._true(block.get("RestrictPublicBuckets", False)),
            )
        website = p.values.get("WebsiteConfiguration")
        if isinstance(website, Mapping):
            draft.website = True
            redirect = website.get("RedirectAllRequestsTo")
            if isinstance(redirect, Mapping) and isinstance(redirect.get("HostName"), str):
                draft.redirect_all = redirect["HostName"]

    def bucket_policy(self, p: _Props) -> None:
        name = self.ref(p, "Bucket", "the bucket")
        draft = self.edge.bucket(name, p.resource.source(self.file))
        document = p.values.get("PolicyDocument")
        if _has_unknown(document):
            self._edge_unknown(f"arn:aws:s3:::{name}", p, "PolicyDocument")
            draft.policy, draft.policy_known = None, False
            return
        if not isinstance(document, str | Mapping):
            raise p.error("PolicyDocument", "expected a policy document (a mapping or a JSON string)")
        try:
            parse_policy(document, name=f"bucket policy of {name}", kind="resource", file=self.file)
        except InputError as exc:
            raise p.error(f"PolicyDocument.{exc.place}" if exc.place else "PolicyDocument", exc.detail) from None
        draft.policy = document if isinstance(document, str) else json.dumps(document)
        draft.policy_known = True

    def _function_arn(self, p: _Props, key: str) -> str:
        function = self.ref(p, key, "the function")
        if function.startswith("arn:") or function.startswith(PLACEHOLDER):
            return function
        return f"arn:aws:lambda:{self.draft.region}:{self.draft.account}:function:{function}"

    def function_url(self, p: _Props) -> None:
        arn = self._function_arn(p, "TargetFunctionArn")
        qualifier = self.text(p, "Qualifier")
        if isinstance(qualifier, str) and qualifier:
            arn = f"{arn}:{qualifier}"
        self.edge.function_urls[arn] = LambdaFunctionUrl(
            function_arn=arn,
            url=f"https://{PLACEHOLDER}{p.logical_id}.FunctionUrl/",
            auth_type=_scalar_text(self.text(p, "AuthType") or "AWS_IAM").upper(),
            account=self.draft.account,
            region=self.draft.region,
            source=p.resource.source(self.file),
        )

    def lambda_permission(self, p: _Props) -> None:
        function = self.ref(p, "FunctionName", "the function")
        arn = self._function_arn(p, "FunctionName")
        values = {
            k: self.text(p, k)
            for k in ("Action", "Principal", "SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType")
        }
        unknown = [k for k, v in values.items() if isinstance(v, Unknown)]
        if unknown or not isinstance(values["Action"], str) or not isinstance(values["Principal"], str):
            self._edge_unknown(arn, p, unknown[0] if unknown else "Principal")
            return

        def text(key: str) -> str | None:
            value = values[key]
            return value if isinstance(value, str) and value else None

        self.edge.permissions.append(
            FunctionPermission(
                function,
                permission_statement(
                    p.logical_id,
                    str(values["Action"]),
                    str(values["Principal"]),
                    arn,
                    source_arn=text("SourceArn"),
                    source_account=text("SourceAccount"),
                    org_id=text("PrincipalOrgID"),
                    url_auth_type=text("FunctionUrlAuthType"),
                ),
            )
        )
        self.edge.function_aliases[arn] = function

    def dns_record(self, p: _Props) -> None:
        kind = self.text(p, "Type")
        name = self.text(p, "Name")
        if kind not in ("A", "AAAA", "CNAME") or not isinstance(name, str):
            return
        alias = p.values.get("AliasTarget")
        if isinstance(alias, Mapping):
            target = alias.get("DNSName")
            if not isinstance(target, str):
                self.draft.notes.append(f"{p.logical_id}: its alias target is not known: left out")
                return
            targets: tuple[str, ...] = (target,)
        else:
            records = p.values.get("ResourceRecords")
            if not isinstance(records, list) or _has_unknown(records):
                self.draft.notes.append(f"{p.logical_id}: its records are not known: left out")
                return
            targets = names(records)
        source = p.resource.source(self.file)
        self.edge.dns_records.append(
            DnsRecord(name, str(kind), targets, alias=isinstance(alias, Mapping), source=source)
        )

    # IAM ----------------------------------------------------------------------------------------
    def iam_document(self, p: _Props, path: str, *, name: str, kind: PolicyKind, owner: str) -> Policy | None:
        """A policy document (a mapping or a JSON string), parsed; None (and recorded) when not known."""
        document = self._at(p, path)
        if document is None:
            raise p.error(path, f"{path.split('.')[-1]} is required", p.resource.line)
        if _has_unknown(document):
            self.iam.unknown(owner, f"{p.logical_id}: {path} is not known until the stack is created")
            return None
        if not isinstance(document, str | Mapping):
            raise p.error(path, "expected a policy document (a mapping or a JSON string)")
        try:
            return parse_policy(document, name=name, kind=kind, file=self.file)
        except InputError as exc:
            inner = f"{path}.{exc.place}" if exc.place else path
            raise p.error(inner, exc.detail) from None

    @staticmethod
    def _at(p: _Props, path: str) -> Any:
        node: Any = p.values
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if part.startswith("["):
                node = node[int(part[1:-1])] if isinstance(node, list) and int(part[1:-1]) < len(node) else None
            else:
                node = node.get(part) if isinstance(node, Mapping) else None
        return node

    def iam_names(self, p: _Props, key: str) -> list[str]:
        raw = p.values.get(key)
        if raw is None:
            return []
        if isinstance(raw, Unknown) or not isinstance(raw, list):
            if isinstance(raw, Unknown):
                raise _LeftOut(f"{p.logical_id}: {key} is not known: {raw.what}")
            raise p.error(key, "expected a list")
        out = []
        for i, item in enumerate(raw):
            if isinstance(item, Unknown):
                raise _LeftOut(f"{p.logical_id}: {key}[{i}] is not known: {item.what}")
            out.append(_scalar_text(item))
        return out

    def iam_inline(self, p: _Props, draft: PrincipalDraft) -> None:
        raw = p.values.get("Policies")
        if raw is None:
            return
        if not isinstance(raw, list):
            raise p.error("Policies", "expected a list")
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping) or not isinstance(item.get("PolicyName"), str):
                raise p.error(f"Policies[{i}]", "a policy needs a PolicyName and a PolicyDocument")
            name = item["PolicyName"]
            policy = self.iam_document(
                p,
                f"Policies[{i}].PolicyDocument",
                name=f"{draft.kind}/{draft.name}/{name}",
                kind="identity",
                owner=draft.arn,
            )
            if policy is not None:
                draft.inline[name] = policy

    def iam_principal(self, p: _Props) -> None:
        kind: Kind = {"AWS::IAM::User": "user", "AWS::IAM::Group": "group"}.get(p.resource.type, "role")  # type: ignore[assignment]
        name = self.t.iam_name(p.resource)
        draft = self.iam.add(PrincipalDraft(kind, name, self.t.iam_arn(p.resource), iam_path(p.values.get("Path"))))
        self.iam_inline(p, draft)
        draft.managed = self.iam_names(p, "ManagedPolicyArns")
        if kind == "group":
            return
        draft.tags = self.tags(p)
        boundary = p.values.get("PermissionsBoundary")
        if isinstance(boundary, Unknown):
            self.iam.unknown(draft.arn, f"{p.logical_id}: PermissionsBoundary is not known: {boundary.what}")
        elif boundary is not None:
            draft.boundary = _scalar_text(boundary)
        if kind == "user":
            draft.groups = self.iam_names(p, "Groups")
        elif p.values.get("AssumeRolePolicyDocument") is not None:
            draft.trust = self.iam_document(
                p, "AssumeRolePolicyDocument", name=f"role/{name}/trust-policy", kind="trust", owner=draft.arn
            )

    def iam_managed_policy(self, p: _Props) -> None:
        arn = self.t.iam_arn(p.resource)
        name = self.t.iam_name(p.resource)
        document = self.iam_document(p, "PolicyDocument", name=arn, kind="identity", owner=arn)
        if document is not None:
            self.iam.policies[arn] = ManagedPolicy(arn, name, document, iam_path(p.values.get("Path")))
        for key, kind in (("Users", "user"), ("Groups", "group"), ("Roles", "role")):
            for owner in self.iam_names(p, key):
                self.iam.attach(kind, owner, arn)  # type: ignore[arg-type]

    def iam_policy(self, p: _Props) -> None:
        name = self.text(p, "PolicyName", required=True)
        if isinstance(name, Unknown):
            raise _LeftOut(f"{p.logical_id}: PolicyName is not known: {name.what}")
        for key, kind in (("Users", "user"), ("Groups", "group"), ("Roles", "role")):
            for owner in self.iam_names(p, key):
                draft = self.iam.principal(kind, owner)  # type: ignore[arg-type]
                if draft is None:
                    self.draft.notes.append(f"{p.logical_id}: {kind} {owner} is not in the template: left out")
                    continue
                policy = self.iam_document(
                    p, "PolicyDocument", name=f"{kind}/{owner}/{name}", kind="identity", owner=draft.arn
                )
                if policy is not None:
                    draft.inline[str(name)] = policy

    def iam_group_addition(self, p: _Props) -> None:
        group = self.ref(p, "GroupName", "the group")
        for user in self.iam_names(p, "Users"):
            self.iam.member(user, group)

    def finish_addresses(self) -> None:
        """An Elastic IP AWS picks makes its interface's public address unknown."""
        for address in self.draft.addresses:
            if address.public_ip is not None:
                continue
            eni = address.interface_id
            if eni is None and address.instance_id in self.draft.instances:
                ids = self.draft.instances[address.instance_id].interface_ids
                eni = ids[0] if ids else None
            if eni is not None and eni in self.draft.interfaces:
                self.draft.unknown(eni, "public IPv4 (Elastic IP)", UnknownKind.ADDRESS, address.source)


def cloudformation_estate(doc: Node, file: str, parameters: Mapping[str, str] | None = None) -> NetworkEstate:
    """The network estate a template describes, as the stack it would create."""
    return cloudformation_estates(doc, file, parameters)[0]


def cloudformation_estates(
    doc: Node, file: str, parameters: Mapping[str, str] | None = None
) -> tuple[NetworkEstate, EdgeEstate]:
    """The network and edge estates a template describes."""
    network, edge, _ = cloudformation_all(doc, file, parameters)
    return network, edge


def cloudformation_all(
    doc: Node, file: str, parameters: Mapping[str, str] | None = None
) -> tuple[NetworkEstate, EdgeEstate, IamEstate | None]:
    """The network, edge and IAM estates (None when it has no IAM resource) a template describes."""
    estate = _Estate(Template(doc, file, parameters or {}))
    network = estate.run()
    return network, estate.edge.finish(estate.draft.account), estate.iam.finish()


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def is_cloudformation_document(document: Any) -> bool:
    return (
        isinstance(document, Mapping)
        and ("AWSTemplateFormatVersion" in document or isinstance(document.get("Resources"), Mapping))
        and "edgeward" not in document
    )


def load_cloudformation(path: str | Path, parameters: Mapping[str, str] | None = None) -> Any:
    """Load a CloudFormation template (YAML or JSON) into a validated Snapshot. Makes no AWS call."""
    from edgeward.model.snapshot import Snapshot
    from edgeward.sources import finish_network

    source = Path(path)
    if source.is_dir():
        raise InputError("expected a CloudFormation template file, not a directory", file=str(source))
    from edgeward.sources.edge_common import finish_edge

    network, edge, iam = cloudformation_all(read_template(source), str(source), parameters)
    network = finish_network(network)
    return Snapshot.build(network, edge=finish_edge(edge, network), iam=iam)


def split_parameters(values: Sequence[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (the --parameter option) into a mapping; a bad one is a usage error."""
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"expected KEY=VALUE, got {value!r}", place="--parameter")
        out[key.strip()] = rest
    return out
