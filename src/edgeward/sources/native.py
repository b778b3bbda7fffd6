"""The native estate format: a readable YAML (or JSON) file, validated by a pydantic schema.

It reads like the rule tables security engineers already write, and yields exactly the model
objects the AWS JSON of the same estate would (protocols as numbers with -1 for all, security group
ports as the API has them, ICMP type/code in the port fields, the `*` deny entries of every NACL)::

    edgeward: 1
    account: "111122223333"
    region: us-east-1
    vpcs:
      - id: vpc-app
        cidr: 10.0.0.0/16
        internet_gateway: igw-app
        subnets:
          - {id: subnet-web, cidr: 10.0.1.0/24, route_table: rtb-public}
    route_tables:
      - {id: rtb-public, vpc: vpc-app, routes: [{destination: 0.0.0.0/0, target: igw-app}]}
    security_groups:
      - id: sg-web
        vpc: vpc-app
        ingress:
          - {protocol: tcp, ports: 443, from: [0.0.0.0/0, "::/0"]}
    instances:
      - id: i-web
        interfaces:
          - {id: eni-web, subnet: subnet-web, private_ip: 10.0.1.10, public_ip: 203.0.113.10, groups: [sg-web]}

What AWS creates without being asked is created here too: the local routes and a main route table
per VPC, the default NACL (allow all, `*` deny) of every VPC, the `*` deny entries of every NACL,
and the allow-all egress of a security group that has no `egress` key. The full reference is
docs/native-format.md; `native_json_schema()` publishes the format as JSON Schema.

Every error is one `InputError` naming the file, the place (`security_groups[1].ingress[0]`) and
its line, taken from the YAML node marks.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from edgeward.algebra.addresses import AddressError, parse_cidr
from edgeward.errors import InputError, ModelError
from edgeward.model.network import (
    GroupReference,
    Instance,
    InternetGateway,
    NaclEntry,
    NatGateway,
    NetworkAcl,
    NetworkEstate,
    NetworkInterface,
    PeeringConnection,
    PeeringSide,
    PeerKind,
    PrefixList,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
    SourceRef,
    Subnet,
    Vpc,
    VpnGateway,
)
from edgeward.model.snapshot import Snapshot

FORMAT_VERSION = 1

TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
PROTOCOL_BY_NAME = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "all": -1}
PROTOCOL_NAMES = {number: name for name, number in PROTOCOL_BY_NAME.items()}
STALE_PEERING_STATES = frozenset({"deleted", "deleting", "rejected", "failed", "expired"})
NACL_DENY_V4, NACL_DENY_V6 = 32767, 32768

# Route targets, by the prefix of the target id (as the EC2 API's GatewayId and friends name them).
TARGET_PREFIXES: tuple[tuple[str, RouteTarget], ...] = (
    ("igw-", RouteTarget.INTERNET_GATEWAY),
    ("eigw-", RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY),
    ("nat-", RouteTarget.NAT_GATEWAY),
    ("pcx-", RouteTarget.PEERING),
    ("vgw-", RouteTarget.VIRTUAL_PRIVATE_GATEWAY),
    ("tgw-", RouteTarget.TRANSIT_GATEWAY),
    ("eni-", RouteTarget.NETWORK_INTERFACE),
    ("i-", RouteTarget.INSTANCE),
    ("vpce-", RouteTarget.VPC_ENDPOINT),
    ("cagw-", RouteTarget.CARRIER_GATEWAY),
    ("lgw-", RouteTarget.LOCAL_GATEWAY),
    ("arn:aws:networkmanager:", RouteTarget.CORE_NETWORK),
)

Loc = tuple[str | int, ...]
T = TypeVar("T")


# -- value types: each parses one field and says in one sentence what is wrong ----------------
def _no_bool(value: object, what: str) -> None:
    if isinstance(value, bool):
        raise ValueError(f"expected {what}, found {str(value).lower()}")


def _protocol(value: object) -> int:
    _no_bool(value, "a protocol")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in PROTOCOL_BY_NAME:
            return PROTOCOL_BY_NAME[text]
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"unknown protocol {value!r}: use tcp, udp, icmp, icmpv6, all (or -1), or a number 0-255")
        number = int(text)
    else:
        raise ValueError(f"expected a protocol name or number, found {type(value).__name__}")
    if number == -1 or 0 <= number <= 255:
        return number
    raise ValueError(f"protocol number out of range: {number} (0-255, or -1 for all)")


def _ports(value: object) -> tuple[int, int]:
    _no_bool(value, "ports")
    if isinstance(value, int):
        low = high = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text == "all":
            return (0, 65535)
        match = re.fullmatch(r"(\d+)\s*-\s*(\d+)|(\d+)", text)
        if match is None:
            raise ValueError(f'not a port or range: {value!r} (write 443, "1024-65535" or all)')
        if match.group(3) is not None:
            low = high = int(match.group(3))
        else:
            low, high = int(match.group(1)), int(match.group(2))
    else:
        raise ValueError(f'expected a port, "N-M" or all, found {type(value).__name__}')
    if not 0 <= low <= high <= 65535:
        raise ValueError(f"port range {low}-{high} is not within 0-65535 (low to high)")
    return (low, high)


def _text(value: object) -> object:
    """Scalars YAML reads as numbers, where a string is meant (an id like 123, an account id)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _account(value: str) -> str:
    if not re.fullmatch(r"\d{12}", value):
        raise ValueError(f'an AWS account id is 12 digits, found {value!r} (quote it in YAML: "012345678901")')
    return value


def _canonical_cidr(value: str) -> str:
    """`2600:1F18:0001::/56` -> `2600:1f18:1::/56`, a bare address -> /32 or /128 (as AWS stores them)."""
    try:
        version, _first, _last = parse_cidr(value)
    except AddressError:
        raise ValueError(f"not a CIDR: {value!r} (write e.g. 10.0.0.0/16 or 2001:db8::/56)") from None
    address, _slash, prefix = value.strip().partition("/")
    text = str(ipaddress.ip_address(address))
    return f"{text}/{prefix or (32 if version == 4 else 128)}"


def _network(version: int | None) -> Callable[[str], str]:
    """A VPC or subnet CIDR: a network address with a prefix length, of the given family."""

    def check(value: str) -> str:
        text = _canonical_cidr(value)
        if "/" not in value:
            raise ValueError(f"{value!r} is an address; a network needs a prefix length (e.g. {text})")
        net = ipaddress.ip_network(text, strict=False)
        if str(net) != text:
            raise ValueError(f"{value} has host bits set; the network is {net}")
        if version is not None and net.version != version:
            family = "IPv4" if version == 4 else "IPv6"
            raise ValueError(f"{value} is not an {family} CIDR")
        return text

    return check


def _address(version: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            raise ValueError(f"not an IP address: {value!r}") from None
        if address.version != version:
            raise ValueError(f"{value} is not an IPv{version} address")
        return str(address)

    return check


def _one_or_many(value: object) -> object:
    """`from: 10.0.0.0/8` means `from: [10.0.0.0/8]`."""
    return value if isinstance(value, list) else [value]


def _one_or_many_schema(schema: dict[str, Any]) -> None:
    """Publish a list field that also takes a single item as `item | [item, ...]`."""
    items = schema.pop("items", {})
    schema.pop("type", None)
    schema["anyOf"] = [items, {"type": "array", "items": items}]


def _group_ref_input(value: object) -> object:
    """`sg-1`, `444455556666/sg-1` or a mapping, one or many, all become mappings."""

    def one(item: object) -> object:
        if isinstance(item, str):
            owner, slash, group = item.partition("/")
            return {"id": group, "account": owner} if slash else {"id": item}
        return item

    return [one(v) for v in value] if isinstance(value, list) else [one(value)]


def _group_ref_schema(schema: dict[str, Any]) -> None:
    items = schema.pop("items", {})
    schema.pop("type", None)
    text = {"type": "string", "description": "a group id (sg-...) or ACCOUNT/sg-... for another account's group"}
    item = {"anyOf": [text, items]}
    schema["anyOf"] = [text, items, {"type": "array", "items": item}]


def _peering_side_input(value: object) -> object:
    return {"vpc": value} if isinstance(value, str) else value


def _peering_side_schema(schema: dict[str, Any]) -> None:
    ref = {key: schema.pop(key) for key in list(schema) if key in ("$ref", "allOf")}
    schema["anyOf"] = [{"type": "string", "description": "the id of a VPC declared in this file"}, ref]


def _description(text: str, **extra: Any) -> Any:
    return Field(description=text, **extra)


Id = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
AccountId = Annotated[
    str, BeforeValidator(_text), AfterValidator(_account), Field(json_schema_extra={"pattern": r"^\d{12}$"})
]
REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$"


def _region(value: str) -> str:
    if not re.fullmatch(REGION_PATTERN, value):
        raise ValueError(f"not an AWS region name: {value!r} (e.g. us-east-1)")
    return value


Region = Annotated[str, AfterValidator(_region), Field(json_schema_extra={"pattern": REGION_PATTERN})]
Cidr = Annotated[
    str, AfterValidator(_canonical_cidr), Field(description="an IPv4 or IPv6 CIDR (a bare address is /32 or /128)")
]
Ipv4Network = Annotated[str, AfterValidator(_network(4)), Field(description="an IPv4 network, e.g. 10.0.0.0/16")]
Ipv6Network = Annotated[str, AfterValidator(_network(6)), Field(description="an IPv6 network, e.g. 2600:1f18:1:2::/56")]
Ipv4Address = Annotated[str, AfterValidator(_address(4)), Field(description="an IPv4 address")]
Ipv6Address = Annotated[str, AfterValidator(_address(6)), Field(description="an IPv6 address")]
Protocol = Annotated[
    int,
    PlainValidator(_protocol),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": ["tcp", "udp", "icmp", "icmpv6", "all", "-1"]},
                {"type": "integer", "minimum": -1, "maximum": 255},
                {"type": "string", "pattern": r"^\d{1,3}$"},
            ],
            "description": "tcp, udp, icmp, icmpv6, all (or -1), or an IANA protocol number; "
            "6 is tcp, 17 udp, 1 icmp, 58 icmpv6",
        }
    ),
]
Ports = Annotated[
    tuple[int, int],
    PlainValidator(_ports),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 65535},
                {"type": "string", "pattern": r"^(all|\d+(\s*-\s*\d+)?)$"},
            ],
            "description": 'a port (443), a range ("1024-65535") or all (0-65535); tcp and udp only',
        }
    ),
]
IcmpNumber = Annotated[int, Field(ge=-1, le=255)]
Tags = Annotated[dict[str, str], Field(description="tags as key: value")]


def _many_field(text: str) -> Any:
    """A list field that also takes one item."""
    return Field(default_factory=list, description=text, json_schema_extra=_one_or_many_schema, min_length=1)


CidrList = Annotated[list[Cidr], BeforeValidator(_one_or_many)]


# -- the format ------------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NativeSubnet(_Model):
    """A subnet of the VPC it is listed under."""

    id: Id = _description("the subnet id, e.g. subnet-public-a")
    cidr: Ipv4Network | None = _description("its IPv4 CIDR, inside the VPC's", default=None)
    ipv6_cidr: Ipv6Network | None = _description("its IPv6 CIDR, inside the VPC's", default=None)
    ipv6_cidrs: list[Ipv6Network] = _description("several IPv6 CIDRs (instead of ipv6_cidr)", default_factory=list)
    availability_zone: str = _description("e.g. us-east-1a", default="")
    route_table: Id | None = _description(
        "its route table (a route table of the same VPC); else the VPC's main table", default=None
    )
    network_acl: Id | None = _description(
        "its network ACL (of the same VPC); else the VPC's default NACL", default=None
    )
    map_public_ip_on_launch: bool = _description("instances launched here get a public IPv4 address", default=False)
    name: str | None = _description("the Name tag", default=None)
    tags: Tags = Field(default_factory=dict)


class NativeVpc(_Model):
    """A VPC, its subnets and its gateways. Account and region default to the top-level ones."""

    id: Id = _description("the VPC id, e.g. vpc-app")
    account: AccountId | None = _description("the owning account (default: the top-level account)", default=None)
    region: Region | None = _description("its region (default: the top-level region)", default=None)
    cidr: Ipv4Network | None = _description("its IPv4 CIDR", default=None)
    cidrs: list[Ipv4Network] = _description("several IPv4 CIDRs (instead of cidr)", default_factory=list)
    ipv6_cidr: Ipv6Network | None = _description("its IPv6 CIDR, making the VPC dual-stack", default=None)
    ipv6_cidrs: list[Ipv6Network] = _description("several IPv6 CIDRs (instead of ipv6_cidr)", default_factory=list)
    default: bool = _description("the region's default VPC", default=False)
    internet_gateway: Id | None = _description(
        "the id of an internet gateway attached to this VPC (igw-...)", default=None
    )
    egress_only_internet_gateway: Id | None = _description("an egress-only internet gateway (eigw-...)", default=None)
    vpn_gateway: Id | None = _description("an attached virtual private gateway (vgw-...)", default=None)
    name: str | None = _description("the Name tag", default=None)
    tags: Tags = Field(default_factory=dict)
    subnets: list[NativeSubnet] = _description("the VPC's subnets", default_factory=list)


class NativeRoute(_Model):
    """One route. The local routes of the VPC CIDRs are implicit, as AWS creates them."""

    destination: str = _description("a CIDR, or a prefix list (its pl- id or its name)")
    target: Id = _description(
        "local, or the id of the target; its kind comes from the prefix: igw-, eigw-, nat-, pcx-, vgw-, tgw-, "
        "eni-, i-, vpce-, cagw-, lgw-, or a core network ARN"
    )
    blackhole: bool = _description("the target is gone; AWS drops the traffic", default=False)


class NativeRouteTable(_Model):
    """A route table. Subnets choose it with `route_table:`; a VPC without a main table gets one."""

    id: Id = _description("the route table id, e.g. rtb-public")
    vpc: Id = _description("its VPC")
    main: bool = _description("the VPC's main table, used by subnets without route_table", default=False)
    routes: list[NativeRoute] = _description("its routes, besides the implicit local ones", default_factory=list)
    name: str | None = _description("the Name tag", default=None)
    tags: Tags = Field(default_factory=dict)


class NativeNatGateway(_Model):
    """A NAT gateway in a (public) subnet; private subnets reach the internet through it."""

    id: Id = _description("the NAT gateway id, e.g. nat-1")
    subnet: Id = _description("the subnet it lives in")
    private_ip: Ipv4Address | None = _description("its private address in that subnet", default=None)
    public_ip: Ipv4Address | None = _description("its Elastic IP; required for a public NAT gateway", default=None)
    connectivity: Literal["public", "private"] = _description(
        "public (with an Elastic IP) or private", default="public"
    )
    state: str = _description("as AWS reports it", default="available")


class NativePeeringSide(_Model):
    """One side of a peering: a VPC of this file by id, or a VPC outside it with its account and CIDRs."""

    vpc: Id = _description("the VPC id")
    account: AccountId | None = _description("the owning account, for a VPC not in this file", default=None)
    region: Region | None = _description("its region, for a VPC not in this file", default=None)
    cidrs: list[Cidr] = _description("its CIDRs, for a VPC not in this file", default_factory=list)


PeeringSideInput = Annotated[
    NativePeeringSide,
    BeforeValidator(_peering_side_input),
    Field(json_schema_extra=_peering_side_schema),
]


class NativePeering(_Model):
    """A VPC peering connection."""

    id: Id = _description("the peering id, e.g. pcx-1")
    requester: PeeringSideInput = _description("the requester VPC (an id, or a mapping for a VPC outside this file)")
    accepter: PeeringSideInput = _description("the accepter VPC (an id, or a mapping for a VPC outside this file)")
    status: Literal[
        "active",
        "pending-acceptance",
        "provisioning",
        "initiating-request",
        "deleting",
        "deleted",
        "rejected",
        "failed",
        "expired",
    ] = _description("as AWS reports it; only an active peering carries traffic", default="active")


class NativePrefixList(_Model):
    """A managed prefix list. An AWS-managed list may be named without entries: the CloudFront
    origin-facing lists are then filled from edgeward's dated copy of AWS ip-ranges.json."""

    id: Id = _description("the prefix list id, e.g. pl-123")
    name: str = _description("its name, e.g. office or com.amazonaws.global.cloudfront.origin-facing")
    entries: list[Cidr] = _description("its CIDRs", default_factory=list)
    max_entries: int | None = _description(
        "MaxEntries: what the list weighs in a security group's rule quota", ge=1, default=None
    )
    owner: str | None = _description(
        '"AWS" or the owning account (default: AWS for com.amazonaws.* names)', default=None
    )
    address_family: Literal["IPv4", "IPv6"] | None = _description("default: from the entries or the name", default=None)


class NativeGroupRef(_Model):
    """A security group a rule refers to: its members' private addresses are the peer."""

    id: Id = _description("the group id (sg-...)")
    account: AccountId | None = _description("the owning account, for another account's group", default=None)
    vpc: Id | None = _description("its VPC, for a group in a peered VPC", default=None)
    peering: Id | None = _description("the peering the reference crosses (pcx-...)", default=None)
    peering_status: str | None = _description("as AWS reports it; deleted etc. make the reference stale", default=None)


GroupRefs = Annotated[list[NativeGroupRef], BeforeValidator(_group_ref_input)]


def _group_refs_field(text: str) -> Any:
    return Field(default_factory=list, description=text, json_schema_extra=_group_ref_schema, min_length=1)


def _protocol_label(protocol: int) -> str:
    return PROTOCOL_NAMES.get(protocol, f"protocol {protocol}")


def _check_protocol_fields(
    protocol: int, ports: tuple[int, int] | None, icmp_type: int | None, icmp_code: int | None
) -> None:
    """Ports for tcp/udp, type/code for icmp, nothing for the rest (as the EC2 API requires)."""
    label = _protocol_label(protocol)
    has_icmp = icmp_type is not None or icmp_code is not None
    if protocol in (TCP, UDP):
        if ports is None:
            raise ValueError(f'{label} needs ports: a port (443), a range ("1024-65535") or all')
        if has_icmp:
            raise ValueError("icmp_type and icmp_code apply only to icmp and icmpv6")
    elif protocol in (ICMP, ICMPV6):
        if ports is not None:
            raise ValueError(f"{label} has no ports; use icmp_type and icmp_code (-1 or omitted: all)")
        if icmp_type in (None, -1) and icmp_code not in (None, -1):
            raise ValueError("an ICMP code needs an ICMP type (with all types, the code must be all, -1)")
    elif ports is not None or has_icmp:
        what = "all traffic" if protocol == -1 else label
        raise ValueError(f"{what} covers every port and ICMP type; remove ports/icmp_type/icmp_code")


class _Rule(_Model):
    PEERS: ClassVar[tuple[str, str, str]]

    protocol: Protocol
    ports: Ports | None = _description('tcp/udp: a port (443), a range ("1024-65535") or all', default=None)
    icmp_type: IcmpNumber | None = _description("icmp/icmpv6: the type (-1 or omitted: all)", default=None)
    icmp_code: IcmpNumber | None = _description("icmp/icmpv6: the code (-1 or omitted: all)", default=None)
    description: str = _description("the rule's description", default="")

    @model_validator(mode="after")
    def _one_peer_and_fitting_ports(self) -> Self:
        given = [name for name in self.PEERS if name in self.model_fields_set]
        keys = [_alias(type(self), name) for name in self.PEERS]
        if not given:
            raise ValueError(f"a rule needs one peer: {keys[0]}, {keys[1]} or {keys[2]}")
        if len(given) > 1:
            both = " and ".join(_alias(type(self), name) for name in given)
            raise ValueError(f"a rule has exactly one peer, found {both}; write one rule per peer")
        _check_protocol_fields(self.protocol, self.ports, self.icmp_type, self.icmp_code)
        return self

    def peer(self) -> tuple[str, list[str | NativeGroupRef]]:
        """(kind, values) of the one peer: kind is cidr, group or prefix_list."""
        cidr, group, prefix_list = self.PEERS
        fields = self.model_fields_set
        if cidr in fields:
            return "cidr", list(getattr(self, cidr))
        if group in fields:
            return "group", list(getattr(self, group))
        return "prefix_list", list(getattr(self, prefix_list))


def _alias(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].alias or name


_INGRESS_ONE_OF: JsonDict = {
    "oneOf": [{"required": ["from"]}, {"required": ["from_group"]}, {"required": ["from_prefix_list"]}]
}
_EGRESS_ONE_OF: JsonDict = {
    "oneOf": [{"required": ["to"]}, {"required": ["to_group"]}, {"required": ["to_prefix_list"]}]
}


class NativeIngressRule(_Rule):
    """An inbound rule: protocol and ports, and exactly one peer (from, from_group or from_prefix_list)."""

    model_config = ConfigDict(json_schema_extra=_INGRESS_ONE_OF)
    PEERS = ("from_", "from_group", "from_prefix_list")

    from_: CidrList = Field(
        alias="from",
        default_factory=list,
        description="source CIDR(s), IPv4 or IPv6 (each is one AWS rule)",
        json_schema_extra=_one_or_many_schema,
        min_length=1,
    )
    from_group: GroupRefs = _group_refs_field("source security group(s): their members' private addresses")
    from_prefix_list: Annotated[list[Id], BeforeValidator(_one_or_many)] = _many_field(
        "source prefix list(s), by pl- id or by name"
    )


class NativeEgressRule(_Rule):
    """An outbound rule: protocol and ports, and exactly one peer (to, to_group or to_prefix_list)."""

    model_config = ConfigDict(json_schema_extra=_EGRESS_ONE_OF)
    PEERS = ("to", "to_group", "to_prefix_list")

    to: CidrList = _many_field("destination CIDR(s), IPv4 or IPv6 (each is one AWS rule)")
    to_group: GroupRefs = _group_refs_field("destination security group(s): their members' private addresses")
    to_prefix_list: Annotated[list[Id], BeforeValidator(_one_or_many)] = _many_field(
        "destination prefix list(s), by pl- id or by name"
    )


class NativeSecurityGroup(_Model):
    """A security group: allow-only, stateful rules. Without an `egress` key it has AWS's default
    allow-all outbound rule (0.0.0.0/0, and ::/0 in a dual-stack VPC); `egress: []` means none."""

    id: Id = _description("the group id, e.g. sg-web")
    name: str | None = _description(
        "the group name (default: the id); 'default' marks the VPC's default group", default=None
    )
    vpc: Id = _description("its VPC")
    description: str = _description("the group description", default="")
    ingress: list[NativeIngressRule] = _description("inbound rules (default: none)", default_factory=list)
    egress: list[NativeEgressRule] = _description(
        "outbound rules (default when omitted: allow all to 0.0.0.0/0, and ::/0 if the VPC has IPv6)",
        default_factory=list,
    )
    tags: Tags = Field(default_factory=dict)


class NativeInterface(_Model):
    """A network interface (ENI) in a subnet, with its addresses and security groups."""

    id: Id = _description("the interface id, e.g. eni-web")
    subnet: Id = _description("its subnet")
    private_ip: Ipv4Address | None = _description("its primary private IPv4 address, inside the subnet", default=None)
    private_ips: list[Ipv4Address] = _description(
        "several private IPv4 addresses, primary first (instead of private_ip)", default_factory=list
    )
    public_ip: Ipv4Address | None = _description("its public IPv4 or Elastic IP address", default=None)
    public_ips: list[Ipv4Address] = _description(
        "several public/Elastic IPs (instead of public_ip)", default_factory=list
    )
    ipv6: Ipv6Address | None = _description("its IPv6 address, inside the subnet's IPv6 CIDR", default=None)
    ipv6s: list[Ipv6Address] = _description("several IPv6 addresses (instead of ipv6)", default_factory=list)
    groups: list[Id] = _description("its security groups (of the same VPC; up to 16)", max_length=16)
    name: str | None = _description("the Name tag", default=None)
    description: str = _description("as AWS shows it, e.g. 'ELB app/web/50dc6c495c0c9188'", default="")
    type: str = _description("the interface type, e.g. interface, network_load_balancer, lambda", default="interface")
    requester_managed: bool = _description("managed by an AWS service (load balancer, NAT...)", default=False)
    tags: Tags = Field(default_factory=dict)


class NativeInstance(_Model):
    """An EC2 instance and its interfaces (the first is the primary, device index 0)."""

    id: Id = _description("the instance id, e.g. i-web")
    name: str | None = _description("the Name tag", default=None)
    state: str = _description("running, stopped, ...", default="running")
    tags: Tags = Field(default_factory=dict)
    interfaces: list[NativeInterface] = _description("its network interfaces, primary first", min_length=1)


class NativeNaclRule(_Model):
    """One NACL entry. Entries are evaluated by rule number, lowest first; the first match decides."""

    rule: int = _description("the rule number, 1-32766 (the * deny entries are implicit)", ge=1, le=32766)
    protocol: Protocol
    ports: Ports | None = _description('tcp/udp: a port (443), a range ("1024-65535") or all', default=None)
    icmp_type: IcmpNumber | None = _description("icmp/icmpv6: the type (-1 or omitted: all)", default=None)
    icmp_code: IcmpNumber | None = _description("icmp/icmpv6: the code (-1 or omitted: all)", default=None)
    cidr: Cidr = _description("the peer CIDR, IPv4 or IPv6 (the source inbound, the destination outbound)")
    action: Literal["allow", "deny"] = _description("allow or deny")

    @model_validator(mode="after")
    def _fitting_ports(self) -> Self:
        _check_protocol_fields(self.protocol, self.ports, self.icmp_type, self.icmp_code)
        return self


class NativeNetworkAcl(_Model):
    """A network ACL: stateless, ordered. A custom NACL denies everything not written here."""

    id: Id = _description("the NACL id, e.g. acl-public")
    vpc: Id = _description("its VPC")
    default: bool = _description(
        "this is the VPC's default NACL (replacing the allow-all one edgeward creates otherwise)", default=False
    )
    inbound: list[NativeNaclRule] = _description("inbound entries", default_factory=list)
    outbound: list[NativeNaclRule] = _description("outbound entries", default_factory=list)
    name: str | None = _description("the Name tag", default=None)
    tags: Tags = Field(default_factory=dict)


def _version(value: int) -> int:
    if value != FORMAT_VERSION:
        raise ValueError(f"this edgeward reads format version {FORMAT_VERSION}, the file says {value}")
    return value


class NativeEstate(_Model):
    """An AWS estate in edgeward's native format."""

    model_config = ConfigDict(title="edgeward native estate")

    edgeward: Annotated[int, AfterValidator(_version)] = _description(
        "the format version: 1", json_schema_extra={"const": FORMAT_VERSION}
    )
    account: AccountId | None = _description("the default account of everything below", default=None)
    region: Region | None = _description("the default region of everything below", default=None)
    vpcs: list[NativeVpc] = _description("VPCs with their subnets and gateways", default_factory=list)
    route_tables: list[NativeRouteTable] = Field(default_factory=list, description="route tables")
    nat_gateways: list[NativeNatGateway] = Field(default_factory=list, description="NAT gateways")
    peering_connections: list[NativePeering] = Field(default_factory=list, description="VPC peering connections")
    prefix_lists: list[NativePrefixList] = Field(default_factory=list, description="managed prefix lists")
    security_groups: list[NativeSecurityGroup] = Field(default_factory=list, description="security groups")
    network_acls: list[NativeNetworkAcl] = Field(default_factory=list, description="custom network ACLs")
    instances: list[NativeInstance] = Field(default_factory=list, description="EC2 instances with their interfaces")
    interfaces: list[NativeInterface] = Field(
        default_factory=list, description="interfaces of no instance (load balancer nodes, endpoints, Lambda...)"
    )
    iam: Any = _description("IAM users, groups, roles and policies (see edgeward.sources.native_iam)", default=None)
    edge: Any = _description(
        "CloudFront, load balancers, WAF, S3, Lambda URLs (see edgeward.sources.native_edge)", default=None
    )


def native_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the native format; `edgeward schema` prints it."""
    schema = NativeEstate.model_json_schema(by_alias=True)
    try:
        from edgeward.sources.native_iam import NativeIam
    except ImportError:  # pragma: no cover - the IAM section lands separately
        pass
    else:
        iam_schema = NativeIam.model_json_schema(by_alias=True)
        defs = schema.setdefault("$defs", {})
        iam_defs = iam_schema.pop("$defs", {})
        if not set(iam_defs) & set(defs):
            defs.update(iam_defs)
            description = schema["properties"]["iam"].get("description", "")
            schema["properties"]["iam"] = {**iam_schema, "description": description}
    from edgeward.sources.native_edge import NativeEdge

    edge_schema = NativeEdge.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    edge_defs = edge_schema.pop("$defs", {})
    if not set(edge_defs) & set(defs):
        defs.update(edge_defs)
        description = schema["properties"]["edge"].get("description", "")
        schema["properties"]["edge"] = {**edge_schema, "description": description}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# -- where things are: YAML node marks ---------------------------------------------------------
# libyaml's loader when PyYAML was built with it (several times faster), else the pure-Python one;
# both keep the node marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _key_text(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _mapping_items(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    """Key/value nodes, following YAML merge keys (`<<: *base`) after the node's own keys."""
    merges: list[Node] = []
    for key, value in node.value:
        if _key_text(key) == "<<" and key.tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:str"):
            merges.append(value)
        else:
            yield key, value
    for merged in merges:
        sources = merged.value if isinstance(merged, SequenceNode) else [merged]
        for source in sources:
            if isinstance(source, MappingNode):
                yield from _mapping_items(source)


@dataclass(frozen=True, slots=True)
class _Doc:
    """One native file: its name and its YAML node tree."""

    file: str
    root: Node | None

    def locate(self, loc: Loc) -> tuple[str, int | None]:
        """The readable place of `loc` (`security_groups[1].ingress[0]`) and its line.

        The line is that of the deepest node the path reaches (for a mapping key: the key's line),
        so a missing key points at its parent. An index into a value written as a scalar (one for
        many: `from: 10.0.0.0/8`) is left out of the place.
        """
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        text = ""
        for step in loc:
            if isinstance(step, int):
                if isinstance(node, (MappingNode, ScalarNode)):
                    continue
                text += f"[{step}]"
                if isinstance(node, SequenceNode) and 0 <= step < len(node.value):
                    node = node.value[step]
                    line = node.start_mark.line + 1
                else:
                    node = None
                continue
            text += f".{step}" if text else str(step)
            found: tuple[Node, Node] | None = None
            if isinstance(node, MappingNode):
                name = str(step)
                # the last equal key is the one that counts: construction puts merged (`<<`) keys first
                for key, value in reversed(node.value):
                    if isinstance(key, ScalarNode) and key.value == name:
                        found = (key, value)
                        break
                else:
                    found = next(((k, v) for k, v in _mapping_items(node) if _key_text(k) == name), None)
            if found is not None:
                line = found[0].start_mark.line + 1
            node = found[1] if found is not None else None
        return text, line

    def place(self, loc: Loc) -> str | None:
        text, line = self.locate(loc)
        if line is None:
            return text or None
        return f"{text} (line {line})" if text else f"line {line}"

    def error(self, loc: Loc, message: str) -> InputError:
        return InputError(message, file=self.file, place=self.place(loc))


def _read(path: Path) -> tuple[Any, _Doc]:
    """Parse a YAML/JSON file into plain data and its node tree; syntax errors name line and column."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=file) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=file) from None
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_duplicate_keys(_Doc(file, root))  # before construction flattens merge keys into the nodes
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "cannot parse"
        hint = ""
        if mark is not None and "node content" in problem and _char_at(text, mark.line, mark.column) == ":":
            hint = ' (inside [...] or {...}, quote IPv6 CIDRs that start with a colon: "::/0")'
        raise InputError(f"invalid YAML: {problem}{hint}", file=file, place=place) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    return data, _Doc(file, root)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if 0 <= line < len(lines) else ""


def _check_duplicate_keys(doc: _Doc) -> None:
    """YAML silently keeps the last of two equal keys; a typo hazard, so it is an error here."""
    seen: set[int] = set()
    stack: list[tuple[Node, Loc]] = [(doc.root, ())] if doc.root is not None else []
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name = _key_text(key)
                if name is None or name == "<<":
                    continue
                if name in first:
                    raise InputError(
                        f"duplicate key {name!r} (first at line {first[name]}); YAML would keep only the last",
                        file=doc.file,
                        place=f"{doc.locate((*loc, name))[0]} (line {key.start_mark.line + 1})",
                    )
                first[name] = key.start_mark.line + 1
                stack.append((value, (*loc, name)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))


# -- pydantic errors as one line ----------------------------------------------------------------
def _unwrap(annotation: Any) -> Any:
    """The model class (or other type) inside Annotated, Optional and list."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        elif origin in (list, tuple):
            items = get_args(annotation)
            if not items:
                return annotation
            annotation = items[0]
        else:
            return annotation


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The format class that the mapping at `loc` is validated against."""
    current: Any = root
    for step in loc:
        current = _unwrap(current)
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next(
            (f for name, f in current.model_fields.items() if (f.alias or name) == step),
            None,
        )
        if field is None:
            return None
        current = field.annotation
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _error_text(error: Any, root: type[BaseModel], loc: Loc) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        model = _model_at(root, loc[:-1])
        if model is None:
            return f"unknown key {key!r}"
        allowed = [f.alias or name for name, f in model.model_fields.items()]
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            return f"unknown key {key!r} (did you mean {close[0]!r}?)"
        return f"unknown key {key!r}; allowed here: {', '.join(allowed)}"
    if kind == "missing":
        return "missing required key"
    if kind == "too_short":
        return "empty: give at least one"
    message = str(error["msg"])
    if kind in ("value_error", "assertion_error"):
        message = message.split(", ", 1)[1] if ", " in message else message
        return message
    if kind == "model_type" or kind == "dict_type":
        return f"expected a mapping (key: value), found {_found(error.get('input'))}"
    if kind == "list_type":
        return f"expected a list, found {_found(error.get('input'))}"
    text = message[0].lower() + message[1:] if message else kind
    if "input" in error and not isinstance(error["input"], (dict, list)):
        text += f", found {error['input']!r}"
    return text


def _found(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _validation_error(exc: ValidationError, doc: _Doc, root: type[BaseModel], prefix: Loc = ()) -> InputError:
    """The error that comes first in the file, as one line (with how many more there are)."""
    candidates = []
    for error in exc.errors():
        loc: Loc = tuple(error["loc"])
        _place, line = doc.locate(prefix + loc)
        candidates.append((line or 0, prefix + loc, _error_text(error, root, loc)))
    candidates.sort(key=lambda c: c[0])
    _line, loc, text = candidates[0]
    more = len(candidates) - 1
    if more:
        text += f" (and {more} more error{'s' if more > 1 else ''})"
    return doc.error(loc, text)


# -- building the model objects ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _At:
    """A place in one document."""

    doc: _Doc
    loc: Loc

    def at(self, *steps: str | int) -> _At:
        return _At(self.doc, self.loc + steps)

    def error(self, message: str) -> InputError:
        return self.doc.error(self.loc, message)

    def ref(self, note: str = "") -> SourceRef:
        text, line = self.doc.locate(self.loc)
        return SourceRef(file=self.doc.file, place=f"{text} ({note})" if note else text, line=line)

    def path(self) -> str:
        return self.doc.locate(self.loc)[0]


@dataclass(frozen=True, slots=True)
class _VpcInfo:
    vpc: Vpc
    at: _At
    igw: str | None
    eigw: str | None
    vgw: str | None


@dataclass(frozen=True, slots=True)
class _Declared:
    """Something declared once by id: where, and in which VPC (for the same-VPC checks)."""

    at: _At
    vpc_id: str


def _tags(name: str | None, tags: dict[str, str], at: _At) -> tuple[tuple[str, str], ...]:
    if name is not None and "Name" in tags and tags["Name"] != name:
        raise at.at("name").error(f"name {name!r} and tag Name {tags['Name']!r} disagree")
    out = [("Name", name)] if name is not None else []
    out.extend((k, v) for k, v in tags.items() if not (k == "Name" and name is not None))
    return tuple(out)


def _one_or_list(single: T | None, many: list[T], at: _At, single_key: str, many_key: str) -> list[T]:
    if single is not None and many:
        raise at.error(f"give {single_key} or {many_key}, not both")
    return [single] if single is not None else list(many)


def _contains(outer: Iterable[str], cidr: str) -> bool:
    version, first, last = parse_cidr(cidr)
    for candidate in outer:
        v, lo, hi = parse_cidr(candidate)
        if v == version and lo <= first and last <= hi:
            return True
    return False


def _overlap(a: str, b: str) -> bool:
    va, fa, la = parse_cidr(a)
    vb, fb, lb = parse_cidr(b)
    return va == vb and fa <= lb and fb <= la


def _unique_id(wanted: str, taken: set[str]) -> str:
    ident, n = wanted, 2
    while ident in taken:
        ident, n = f"{wanted}-{n}", n + 1
    return ident


class _Builder:
    """Turns validated documents into one NetworkEstate, resolving and checking every reference."""

    def __init__(self, documents: list[tuple[NativeEstate, _Doc]]) -> None:
        self.documents = documents
        self.vpcs: dict[str, _VpcInfo] = {}
        self.subnets: dict[str, tuple[Subnet, _At]] = {}
        self.subnet_table: dict[str, tuple[str, _At]] = {}
        self.subnet_acl: dict[str, tuple[str, _At]] = {}
        self.prefix_lists: dict[str, PrefixList] = {}
        self.prefix_list_by_name: dict[str, str] = {}
        self.peerings: dict[str, PeeringConnection] = {}
        self.groups: dict[str, _Declared] = {}
        self.group_accounts: dict[str, str] = {}
        self.interfaces: dict[str, _Declared] = {}
        self.instances: dict[str, _Declared] = {}
        self.nats: dict[str, _Declared] = {}
        self.public_ips: dict[str, _At] = {}
        self.seen_ids: dict[tuple[str, str], _At] = {}
        self.lines: dict[tuple[str, str], int | None] = {}
        self.out_vpcs: list[Vpc] = []
        self.out_subnets: list[Subnet] = []
        self.out_igws: list[InternetGateway] = []
        self.out_vgws: list[VpnGateway] = []
        self.out_tables: list[RouteTable] = []
        self.out_nats: list[NatGateway] = []
        self.out_groups: list[SecurityGroup] = []
        self.out_interfaces: list[NetworkInterface] = []
        self.out_instances: list[Instance] = []
        self.out_acls: list[NetworkAcl] = []

    # -- helpers --------------------------------------------------------------------------------
    def ref(self, at: _At, note: str = "") -> SourceRef:
        source = at.ref(note)
        self.lines[(source.file, source.place)] = source.line
        return source

    def declare(self, kind: str, ident: str, at: _At) -> None:
        first = self.seen_ids.get((kind, ident))
        if first is not None:
            where = f"{first.path()} (line {first.doc.locate(first.loc)[1]})"
            if first.doc.file != at.doc.file:
                where = f"{first.doc.file}: {where}"
            raise at.at("id").error(f"duplicate {kind} id {ident}, first declared at {where}")
        self.seen_ids[(kind, ident)] = at

    def vpc(self, ident: str, at: _At, what: str) -> _VpcInfo:
        info = self.vpcs.get(ident)
        if info is None:
            raise at.error(f"{what} names VPC {ident}, which is not declared under vpcs")
        return info

    def subnet(self, ident: str, at: _At, what: str) -> Subnet:
        found = self.subnets.get(ident)
        if found is None:
            raise at.error(f"{what} names subnet {ident}, which is not declared under any vpcs[].subnets")
        return found[0]

    # -- the estate -----------------------------------------------------------------------------
    def build(self) -> NetworkEstate:
        for model, doc in self.documents:
            self.build_vpcs(model, _At(doc, ()))
        for model, doc in self.documents:
            self.build_prefix_lists(model, _At(doc, ()))
        for model, doc in self.documents:
            self.build_peerings(model, _At(doc, ()))
        for model, doc in self.documents:
            self.declare_groups(model, _At(doc, ()))
        for model, doc in self.documents:
            self.build_groups(model, _At(doc, ()))
        for model, doc in self.documents:
            self.build_interfaces(model, _At(doc, ()))
        for model, doc in self.documents:
            self.build_nat_gateways(model, _At(doc, ()))
        for model, doc in self.documents:
            self.build_route_tables(model, _At(doc, ()))
        self.check_subnet_choices(self.subnet_table, self.out_tables, "route table", "route_tables")
        self.add_main_tables()
        for model, doc in self.documents:
            self.build_acls(model, _At(doc, ()))
        self.add_default_acls()
        return NetworkEstate(
            vpcs=tuple(self.out_vpcs),
            subnets=tuple(self.out_subnets),
            route_tables=tuple(self.out_tables),
            internet_gateways=tuple(self.out_igws),
            nat_gateways=tuple(self.out_nats),
            peering_connections=tuple(self.peerings.values()),
            network_interfaces=tuple(self.out_interfaces),
            instances=tuple(self.out_instances),
            security_groups=tuple(self.out_groups),
            prefix_lists=tuple(self.prefix_lists.values()),
            network_acls=tuple(self.out_acls),
            vpn_gateways=tuple(self.out_vgws),
        )

    # -- VPCs, subnets, gateways ----------------------------------------------------------------
    def build_vpcs(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.vpcs):
            at = top.at("vpcs", i)
            self.declare("VPC", raw.id, at)
            account = raw.account or model.account
            region = raw.region or model.region
            if account is None:
                raise at.error(f"VPC {raw.id} has no account: set account at the top of the file or on the VPC")
            if region is None:
                raise at.error(f"VPC {raw.id} has no region: set region at the top of the file or on the VPC")
            v4 = _one_or_list(raw.cidr, raw.cidrs, at, "cidr", "cidrs")
            v6 = _one_or_list(raw.ipv6_cidr, raw.ipv6_cidrs, at, "ipv6_cidr", "ipv6_cidrs")
            if not v4:
                raise at.error(f"VPC {raw.id} needs an IPv4 cidr (AWS VPCs always have one)")
            for a_index, a in enumerate(v4 + v6):
                for b in (v4 + v6)[a_index + 1 :]:
                    if _overlap(a, b):
                        raise at.error(f"the CIDRs {a} and {b} of VPC {raw.id} overlap")
            vpc = Vpc(
                id=raw.id,
                account=account,
                region=region,
                cidrs_v4=tuple(v4),
                cidrs_v6=tuple(v6),
                is_default=raw.default,
                tags=_tags(raw.name, raw.tags, at),
                source=self.ref(at),
            )
            self.out_vpcs.append(vpc)
            self.vpcs[raw.id] = _VpcInfo(
                vpc, at, raw.internet_gateway, raw.egress_only_internet_gateway, raw.vpn_gateway
            )
            for key, ident, egress_only in (
                ("internet_gateway", raw.internet_gateway, False),
                ("egress_only_internet_gateway", raw.egress_only_internet_gateway, True),
            ):
                if ident is not None:
                    self.declare("internet gateway", ident, at.at(key))
                    self.out_igws.append(
                        InternetGateway(
                            id=ident,
                            vpc_ids=(raw.id,),
                            account=account,
                            region=region,
                            egress_only=egress_only,
                            source=self.ref(at.at(key)),
                        )
                    )
            if raw.vpn_gateway is not None:
                self.declare("VPN gateway", raw.vpn_gateway, at.at("vpn_gateway"))
                self.out_vgws.append(
                    VpnGateway(
                        id=raw.vpn_gateway,
                        vpc_ids=(raw.id,),
                        account=account,
                        region=region,
                        source=self.ref(at.at("vpn_gateway")),
                    )
                )
            taken: list[tuple[str, str]] = []
            for j, raw_subnet in enumerate(raw.subnets):
                self.build_subnet(raw_subnet, vpc, at.at("subnets", j), taken)

    def build_subnet(self, raw: NativeSubnet, vpc: Vpc, at: _At, taken: list[tuple[str, str]]) -> None:
        self.declare("subnet", raw.id, at)
        v6 = _one_or_list(raw.ipv6_cidr, raw.ipv6_cidrs, at, "ipv6_cidr", "ipv6_cidrs")
        if raw.cidr is None and not v6:
            raise at.error(f"subnet {raw.id} needs a cidr (or an ipv6_cidr for an IPv6-only subnet)")
        for key, cidrs, outer in (
            ("cidr", [raw.cidr] if raw.cidr else [], vpc.cidrs_v4),
            ("ipv6_cidr", v6, vpc.cidrs_v6),
        ):
            for cidr in cidrs:
                if not _contains(outer, cidr):
                    inside = ", ".join(outer) or "no CIDR of that family"
                    raise at.at(key).error(f"subnet CIDR {cidr} is not inside VPC {vpc.id} ({inside})")
                for other_id, other in taken:
                    if _overlap(cidr, other):
                        raise at.at(key).error(f"subnet CIDR {cidr} overlaps {other} of subnet {other_id}")
        taken.extend((raw.id, c) for c in ([raw.cidr] if raw.cidr else []) + v6)
        subnet = Subnet(
            id=raw.id,
            vpc_id=vpc.id,
            account=vpc.account,
            region=vpc.region,
            cidr_v4=raw.cidr,
            cidrs_v6=tuple(v6),
            availability_zone=raw.availability_zone,
            map_public_ip_on_launch=raw.map_public_ip_on_launch,
            tags=_tags(raw.name, raw.tags, at),
            source=self.ref(at),
        )
        self.out_subnets.append(subnet)
        self.subnets[raw.id] = (subnet, at)
        if raw.route_table is not None:
            self.subnet_table[raw.id] = (raw.route_table, at.at("route_table"))
        if raw.network_acl is not None:
            self.subnet_acl[raw.id] = (raw.network_acl, at.at("network_acl"))

    # -- prefix lists and peerings --------------------------------------------------------------
    def build_prefix_lists(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.prefix_lists):
            at = top.at("prefix_lists", i)
            self.declare("prefix list", raw.id, at)
            aws_named = raw.name.startswith("com.amazonaws.")
            owner = raw.owner or ("AWS" if aws_named else model.account)
            if owner is None:
                raise at.error(
                    f"prefix list {raw.id} has no owner: set owner (AWS or an account) or the top-level account"
                )
            if owner != "AWS":
                try:
                    _account(owner)
                except ValueError as exc:
                    raise at.at("owner").error(f'owner is "AWS" or an account id: {exc}') from None
            families = {parse_cidr(c)[0] for c in raw.entries}
            if len(families) > 1:
                raise at.at("entries").error("a prefix list holds one address family; split IPv4 and IPv6 entries")
            family = raw.address_family or (
                "IPv6" if families == {6} or (not families and ".ipv6." in raw.name) else "IPv4"
            )
            if families and family != ("IPv6" if families == {6} else "IPv4"):
                raise at.at("address_family").error(f"address_family {family} does not fit the entries")
            if raw.max_entries is not None and len(raw.entries) > raw.max_entries:
                raise at.at("entries").error(f"{len(raw.entries)} entries exceed max_entries {raw.max_entries}")
            if not raw.entries and owner != "AWS":
                raise at.at("entries").error(f"customer-managed prefix list {raw.id} needs its entries")
            if raw.name in self.prefix_list_by_name:
                raise at.at("name").error(f"another prefix list is named {raw.name!r}; names identify lists here")
            self.prefix_list_by_name[raw.name] = raw.id
            self.prefix_lists[raw.id] = PrefixList(
                id=raw.id,
                name=raw.name,
                cidrs=tuple(raw.entries),
                max_entries=raw.max_entries,
                owner=owner,
                address_family=family,
                source=self.ref(at),
            )

    def prefix_list(self, name_or_id: str, at: _At) -> str:
        if name_or_id in self.prefix_lists:
            return name_or_id
        if name_or_id in self.prefix_list_by_name:
            return self.prefix_list_by_name[name_or_id]
        raise at.error(f"prefix list {name_or_id} is not declared under prefix_lists (by id or name)")

    def build_peerings(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.peering_connections):
            at = top.at("peering_connections", i)
            self.declare("peering connection", raw.id, at)
            requester = self.peering_side(raw.requester, at.at("requester"), model)
            accepter = self.peering_side(raw.accepter, at.at("accepter"), model)
            if requester.vpc_id == accepter.vpc_id:
                raise at.error(f"peering {raw.id} joins VPC {requester.vpc_id} with itself")
            for a in requester.cidrs:
                for b in accepter.cidrs:
                    if _overlap(a, b):
                        raise at.error(f"AWS cannot peer VPCs with overlapping CIDRs ({a} and {b})")
            self.peerings[raw.id] = PeeringConnection(
                id=raw.id, requester=requester, accepter=accepter, status=raw.status, source=self.ref(at)
            )

    def peering_side(self, raw: NativePeeringSide, at: _At, model: NativeEstate) -> PeeringSide:
        info = self.vpcs.get(raw.vpc)
        if info is not None:
            if raw.cidrs or raw.account or raw.region:
                raise at.error(
                    f"VPC {raw.vpc} is declared in this estate; its account, region and CIDRs come from there"
                )
            vpc = info.vpc
            return PeeringSide(vpc.id, vpc.account, vpc.region, vpc.cidrs_v4 + vpc.cidrs_v6)
        if not raw.cidrs:
            raise at.error(
                f"VPC {raw.vpc} is not declared under vpcs; for a VPC outside this estate give "
                "{vpc, account, region, cidrs}"
            )
        account = raw.account or model.account
        region = raw.region or model.region
        if account is None or region is None:
            raise at.error(f"VPC {raw.vpc} is outside this estate: give its account and region")
        return PeeringSide(raw.vpc, account, region, tuple(raw.cidrs))

    # -- security groups ------------------------------------------------------------------------
    def declare_groups(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.security_groups):
            at = top.at("security_groups", i)
            self.declare("security group", raw.id, at)
            info = self.vpc(raw.vpc, at.at("vpc"), f"security group {raw.id}")
            self.groups[raw.id] = _Declared(at, raw.vpc)
            self.group_accounts[raw.id] = info.vpc.account

    def build_groups(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.security_groups):
            at = top.at("security_groups", i)
            vpc = self.vpcs[raw.vpc].vpc
            ingress: list[SecurityGroupRule] = []
            for j, rule in enumerate(raw.ingress):
                ingress.extend(self.rules(rule, raw.id, vpc, at.at("ingress", j), egress=False))
            egress: list[SecurityGroupRule] = []
            if "egress" in raw.model_fields_set:
                for j, erule in enumerate(raw.egress):
                    egress.extend(self.rules(erule, raw.id, vpc, at.at("egress", j), egress=True))
            else:
                position = f"{at.path()}.egress (AWS default: allow all outbound)"
                egress.extend(
                    SecurityGroupRule(
                        group_id=raw.id,
                        egress=True,
                        protocol=-1,
                        from_port=None,
                        to_port=None,
                        peer_kind=PeerKind.CIDR,
                        cidr=cidr,
                        position=position,
                    )
                    for cidr in ("0.0.0.0/0", "::/0")[: 2 if vpc.cidrs_v6 else 1]
                )
            self.out_groups.append(
                SecurityGroup(
                    id=raw.id,
                    name=raw.name if raw.name is not None else raw.id,
                    vpc_id=raw.vpc,
                    account=vpc.account,
                    region=vpc.region,
                    ingress=tuple(ingress),
                    egress=tuple(egress),
                    description=raw.description,
                    tags=_tags(None, raw.tags, at),
                    source=self.ref(at),
                )
            )

    def rules(self, rule: _Rule, group_id: str, vpc: Vpc, at: _At, *, egress: bool) -> list[SecurityGroupRule]:
        if rule.protocol in (TCP, UDP):
            assert rule.ports is not None
            from_port, to_port = rule.ports
        elif rule.protocol in (ICMP, ICMPV6):
            from_port = -1 if rule.icmp_type is None else rule.icmp_type
            to_port = -1 if rule.icmp_code is None else rule.icmp_code
        else:
            from_port, to_port = None, None
        base: dict[str, Any] = {
            "group_id": group_id,
            "egress": egress,
            "protocol": rule.protocol,
            "from_port": from_port,
            "to_port": to_port,
            "description": rule.description,
        }
        kind, values = rule.peer()
        key = _alias(type(rule), {"cidr": rule.PEERS[0], "group": rule.PEERS[1], "prefix_list": rule.PEERS[2]}[kind])
        many = len(values) > 1
        out: list[SecurityGroupRule] = []
        for k, value in enumerate(values):
            where = at.at(key, k) if many else at.at(key)
            position = where.path()
            if isinstance(value, NativeGroupRef):
                group = self.group_reference(value, vpc, where)
                out.append(SecurityGroupRule(**base, peer_kind=PeerKind.SECURITY_GROUP, group=group, position=position))
            elif kind == "prefix_list":
                pl = self.prefix_list(value, where)
                out.append(
                    SecurityGroupRule(**base, peer_kind=PeerKind.PREFIX_LIST, prefix_list_id=pl, position=position)
                )
            else:
                out.append(SecurityGroupRule(**base, peer_kind=PeerKind.CIDR, cidr=value, position=position))
        return out

    def group_reference(self, ref: NativeGroupRef, vpc: Vpc, at: _At) -> GroupReference:
        """As describe-security-groups reports it: UserId always; VpcId and the peering across VPCs."""
        target = self.groups.get(ref.id)
        stale = ref.peering_status in STALE_PEERING_STATES
        foreign = ref.account is not None and ref.account != vpc.account
        if target is None:
            if not (foreign or ref.peering or stale):
                raise at.error(
                    f"security group {ref.id} is not declared under security_groups (a group outside this estate "
                    "needs its account, or the peering it is reached through)"
                )
            return GroupReference(
                group_id=ref.id,
                user_id=ref.account or vpc.account,
                vpc_id=ref.vpc,
                peering_id=ref.peering,
                peering_status=ref.peering_status or self.peering_status(ref.peering),
            )
        if ref.account is not None and ref.account != self.group_accounts[ref.id]:
            raise at.error(
                f"security group {ref.id} belongs to account {self.group_accounts[ref.id]}, not {ref.account}"
            )
        if ref.vpc is not None and ref.vpc != target.vpc_id:
            raise at.error(f"security group {ref.id} is in {target.vpc_id}, not {ref.vpc}")
        if target.vpc_id == vpc.id:
            return GroupReference(group_id=ref.id, user_id=self.group_accounts[ref.id])
        peering = self.peering_between(vpc.id, target.vpc_id, ref.peering)
        if peering is None:
            raise at.error(
                f"security group {ref.id} is in {target.vpc_id}, which is not peered with {vpc.id}: AWS allows "
                "references to groups of the same VPC or of a peered VPC only"
            )
        return GroupReference(
            group_id=ref.id,
            user_id=self.group_accounts[ref.id],
            vpc_id=target.vpc_id,
            peering_id=peering.id,
            peering_status=ref.peering_status or peering.status,
        )

    def peering_status(self, peering_id: str | None) -> str | None:
        peering = self.peerings.get(peering_id) if peering_id else None
        return peering.status if peering else None

    def peering_between(self, a: str, b: str, wanted: str | None) -> PeeringConnection | None:
        for peering in self.peerings.values():
            if wanted is not None and peering.id != wanted:
                continue
            if {peering.requester.vpc_id, peering.accepter.vpc_id} == {a, b}:
                return peering
        return None

    # -- interfaces and instances ---------------------------------------------------------------
    def build_interfaces(self, model: NativeEstate, top: _At) -> None:
        for i, raw_instance in enumerate(model.instances):
            at = top.at("instances", i)
            self.declare("instance", raw_instance.id, at)
            enis = [
                self.interface(raw, at.at("interfaces", j), raw_instance.id, j)
                for j, raw in enumerate(raw_instance.interfaces)
            ]
            self.instances[raw_instance.id] = _Declared(at, enis[0].vpc_id)
            self.out_instances.append(
                Instance(
                    id=raw_instance.id,
                    account=enis[0].account,
                    region=enis[0].region,
                    interface_ids=tuple(e.id for e in enis),
                    state=raw_instance.state,
                    tags=_tags(raw_instance.name, raw_instance.tags, at),
                    source=self.ref(at),
                )
            )
        for i, raw in enumerate(model.interfaces):
            self.interface(raw, top.at("interfaces", i), None, None)

    def interface(self, raw: NativeInterface, at: _At, instance_id: str | None, index: int | None) -> NetworkInterface:
        self.declare("interface", raw.id, at)
        subnet = self.subnet(raw.subnet, at.at("subnet"), f"interface {raw.id}")
        vpc = self.vpcs[subnet.vpc_id].vpc
        privates = _one_or_list(raw.private_ip, raw.private_ips, at, "private_ip", "private_ips")
        publics = _one_or_list(raw.public_ip, raw.public_ips, at, "public_ip", "public_ips")
        ipv6s = _one_or_list(raw.ipv6, raw.ipv6s, at, "ipv6", "ipv6s")
        if not privates and subnet.cidr_v4 is not None:
            raise at.error(f"interface {raw.id} needs a private_ip in {subnet.id} ({subnet.cidr_v4})")
        for key, addresses, cidrs in (
            ("private_ip", privates, (subnet.cidr_v4,) if subnet.cidr_v4 else ()),
            ("ipv6", ipv6s, subnet.cidrs_v6),
        ):
            key = key if key in raw.model_fields_set else f"{key}s"
            for address in addresses:
                if not _contains(cidrs, address):
                    inside = ", ".join(cidrs) or "no CIDR of that family"
                    raise at.at(key).error(f"{address} is not inside subnet {subnet.id} ({inside})")
        for address in publics:
            self.public_address(address, at.at("public_ip" if raw.public_ip else "public_ips"))
        for k, group_id in enumerate(raw.groups):
            declared = self.groups.get(group_id)
            where = at.at("groups", k)
            if declared is None:
                raise where.error(f"security group {group_id} is not declared under security_groups")
            if declared.vpc_id != vpc.id:
                raise where.error(f"security group {group_id} is in {declared.vpc_id}, the interface in {vpc.id}")
        if len(set(raw.groups)) != len(raw.groups):
            raise at.at("groups").error("a security group is listed twice")
        eni = NetworkInterface(
            id=raw.id,
            vpc_id=vpc.id,
            subnet_id=subnet.id,
            account=vpc.account,
            region=vpc.region,
            private_ipv4s=tuple(privates),
            ipv6s=tuple(ipv6s),
            public_ipv4s=tuple(publics),
            group_ids=tuple(raw.groups),
            instance_id=instance_id,
            device_index=index,
            interface_type=raw.type,
            description=raw.description,
            requester_managed=raw.requester_managed,
            tags=_tags(raw.name, raw.tags, at),
            source=self.ref(at),
        )
        self.interfaces[raw.id] = _Declared(at, vpc.id)
        self.out_interfaces.append(eni)
        return eni

    def public_address(self, address: str, at: _At) -> None:
        """A public IP is outside every VPC of the estate, and belongs to one interface or NAT gateway."""
        if any(_contains(v.vpc.cidrs_v4, address) for v in self.vpcs.values()):
            raise at.error(f"public IP {address} is inside a VPC CIDR of this estate")
        first = self.public_ips.get(address)
        if first is not None:
            raise at.error(f"public IP {address} is already used at {first.path()}")
        self.public_ips[address] = at

    # -- NAT gateways and route tables ----------------------------------------------------------
    def build_nat_gateways(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.nat_gateways):
            at = top.at("nat_gateways", i)
            self.declare("NAT gateway", raw.id, at)
            subnet = self.subnet(raw.subnet, at.at("subnet"), f"NAT gateway {raw.id}")
            if raw.private_ip is not None and not _contains(
                (subnet.cidr_v4,) if subnet.cidr_v4 else (), raw.private_ip
            ):
                raise at.at("private_ip").error(f"{raw.private_ip} is not inside subnet {subnet.id} ({subnet.cidr_v4})")
            if raw.connectivity == "public" and raw.public_ip is None:
                raise at.error(f"public NAT gateway {raw.id} needs its public_ip (Elastic IP)")
            if raw.connectivity == "private" and raw.public_ip is not None:
                raise at.at("public_ip").error("a private NAT gateway has no public IP")
            if raw.public_ip is not None:
                self.public_address(raw.public_ip, at.at("public_ip"))
            vpc = self.vpcs[subnet.vpc_id].vpc
            self.nats[raw.id] = _Declared(at, vpc.id)
            self.out_nats.append(
                NatGateway(
                    id=raw.id,
                    vpc_id=vpc.id,
                    subnet_id=subnet.id,
                    account=vpc.account,
                    region=vpc.region,
                    private_ips=(raw.private_ip,) if raw.private_ip else (),
                    public_ips=(raw.public_ip,) if raw.public_ip else (),
                    state=raw.state,
                    connectivity=raw.connectivity,
                    source=self.ref(at),
                )
            )

    @cached_property
    def subnets_of_table(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for subnet_id, (table_id, _at) in self.subnet_table.items():
            out.setdefault(table_id, []).append(subnet_id)
        return out

    def build_route_tables(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.route_tables):
            at = top.at("route_tables", i)
            self.declare("route table", raw.id, at)
            info = self.vpc(raw.vpc, at.at("vpc"), f"route table {raw.id}")
            routes: list[Route] = []
            destinations: dict[str, int] = {}
            for j, raw_route in enumerate(raw.routes):
                route = self.route(raw_route, info, at.at("routes", j), j)
                dest = route.destination or route.destination_prefix_list_id or ""
                if dest in destinations:
                    raise at.at("routes", j).error(f"route table {raw.id} already has a route to {dest}")
                destinations[dest] = j
                routes.append(route)
            local = tuple(
                Route(destination=c, target=RouteTarget.LOCAL, target_id="local", origin="CreateRouteTable")
                for c in info.vpc.cidrs_v4 + info.vpc.cidrs_v6
                if c not in destinations
            )
            all_routes = tuple(replace(r, index=n) for n, r in enumerate(local + tuple(routes)))
            subnet_ids = tuple(self.subnets_of_table.get(raw.id, ()))
            self.out_tables.append(
                RouteTable(
                    id=raw.id,
                    vpc_id=raw.vpc,
                    account=info.vpc.account,
                    region=info.vpc.region,
                    routes=all_routes,
                    subnet_ids=subnet_ids,
                    is_main=raw.main,
                    tags=_tags(raw.name, raw.tags, at),
                    source=self.ref(at),
                )
            )

    def route(self, raw: NativeRoute, info: _VpcInfo, at: _At, index: int) -> Route:
        destination: str | None = None
        prefix_list: str | None = None
        if raw.destination.startswith("pl-") or raw.destination in self.prefix_list_by_name:
            prefix_list = self.prefix_list(raw.destination, at.at("destination"))
        else:
            try:
                destination = _canonical_cidr(raw.destination)
            except ValueError as exc:
                raise at.at("destination").error(f"{exc}, nor a declared prefix list") from None
        target_id = raw.target
        if target_id == "local":
            kind = RouteTarget.LOCAL
        else:
            found = next((k for prefix, k in TARGET_PREFIXES if target_id.startswith(prefix)), None)
            if found is None:
                known = ", ".join(p for p, _k in TARGET_PREFIXES)
                raise at.at("target").error(f"cannot tell the kind of target {target_id!r}: ids start with {known}")
            kind = found
        if not raw.blackhole:
            self.check_target(kind, target_id, info, at.at("target"))
        if kind is RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY and destination and ":" not in destination:
            raise at.at("destination").error("an egress-only internet gateway carries IPv6 only")
        return Route(
            destination=destination,
            target=kind,
            target_id=target_id,
            destination_prefix_list_id=prefix_list,
            blackhole=raw.blackhole,
            origin="CreateRoute",
            index=index,
        )

    def check_target(self, kind: RouteTarget, target_id: str, info: _VpcInfo, at: _At) -> None:
        """A route's target must exist in the table's VPC (AWS refuses it otherwise); blackhole routes excepted."""
        vpc_id = info.vpc.id
        attached = {
            RouteTarget.INTERNET_GATEWAY: (info.igw, "internet_gateway"),
            RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY: (info.eigw, "egress_only_internet_gateway"),
            RouteTarget.VIRTUAL_PRIVATE_GATEWAY: (info.vgw, "vpn_gateway"),
        }
        if kind in attached:
            ident, key = attached[kind]
            if ident != target_id:
                raise at.error(
                    f"{target_id} is not attached to {vpc_id} (the VPC's {key} is {ident or 'not set'}); "
                    "mark the route blackhole: true if the gateway is gone"
                )
            return
        declared: dict[RouteTarget, tuple[dict[str, _Declared], str]] = {
            RouteTarget.NAT_GATEWAY: (self.nats, "nat_gateways"),
            RouteTarget.NETWORK_INTERFACE: (self.interfaces, "interfaces"),
            RouteTarget.INSTANCE: (self.instances, "instances"),
        }
        if kind in declared:
            table, key = declared[kind]
            found = table.get(target_id)
            if found is None:
                raise at.error(f"{target_id} is not declared under {key}; mark the route blackhole: true if it is gone")
            if found.vpc_id != vpc_id:
                raise at.error(f"{target_id} is in {found.vpc_id}, not in the table's VPC {vpc_id}")
            return
        if kind is RouteTarget.PEERING:
            peering = self.peerings.get(target_id)
            if peering is None:
                raise at.error(f"{target_id} is not declared under peering_connections")
            if vpc_id not in (peering.requester.vpc_id, peering.accepter.vpc_id):
                raise at.error(f"peering {target_id} does not connect {vpc_id}")

    def check_subnet_choices(
        self, choices: dict[str, tuple[str, _At]], declared: Iterable[RouteTable | NetworkAcl], kind: str, key: str
    ) -> None:
        by_id = {item.id: item.vpc_id for item in declared}
        for subnet_id, (ident, at) in choices.items():
            vpc_id = self.subnets[subnet_id][0].vpc_id
            if ident not in by_id:
                raise at.error(f"{kind} {ident} is not declared under {key}")
            if by_id[ident] != vpc_id:
                raise at.error(f"{kind} {ident} is in {by_id[ident]}, the subnet in {vpc_id}")

    def add_main_tables(self) -> None:
        mains: dict[str, RouteTable] = {}
        for table in self.out_tables:
            if table.is_main:
                if table.vpc_id in mains:
                    raise ModelError(
                        f"VPC {table.vpc_id} has two main route tables: {mains[table.vpc_id].id} and {table.id}",
                        file=table.source.file,
                        place=self.place_of(table.source),
                    )
                mains[table.vpc_id] = table
        taken = {t.id for t in self.out_tables}
        for info in self.vpcs.values():
            vpc = info.vpc
            if vpc.id in mains:
                continue
            ident = _unique_id(f"rtb-main-{vpc.id.removeprefix('vpc-')}", taken)
            taken.add(ident)
            self.out_tables.append(
                RouteTable(
                    id=ident,
                    vpc_id=vpc.id,
                    account=vpc.account,
                    region=vpc.region,
                    routes=tuple(
                        Route(
                            destination=c,
                            target=RouteTarget.LOCAL,
                            target_id="local",
                            origin="CreateRouteTable",
                            index=n,
                        )
                        for n, c in enumerate(vpc.cidrs_v4 + vpc.cidrs_v6)
                    ),
                    is_main=True,
                    source=self.ref(info.at, "main route table, as AWS creates it"),
                )
            )

    # -- network ACLs ---------------------------------------------------------------------------
    def build_acls(self, model: NativeEstate, top: _At) -> None:
        for i, raw in enumerate(model.network_acls):
            at = top.at("network_acls", i)
            self.declare("network ACL", raw.id, at)
            info = self.vpc(raw.vpc, at.at("vpc"), f"network ACL {raw.id}")
            entries: list[NaclEntry] = []
            for key, egress in (("outbound", True), ("inbound", False)):
                numbers: dict[int, int] = {}
                written = raw.outbound if egress else raw.inbound
                for j, rule in enumerate(written):
                    where = at.at(key, j)
                    if rule.rule in numbers:
                        raise where.at("rule").error(
                            f"rule number {rule.rule} is already used at {key}[{numbers[rule.rule]}]"
                        )
                    numbers[rule.rule] = j
                    entries.append(self.nacl_entry(rule, egress, where.path()))
            self.out_acls.append(
                NetworkAcl(
                    id=raw.id,
                    vpc_id=raw.vpc,
                    account=info.vpc.account,
                    region=info.vpc.region,
                    entries=self.with_star_entries(entries, info.vpc),
                    is_default=raw.default,
                    tags=_tags(raw.name, raw.tags, at),
                    source=self.ref(at),
                )
            )

    @staticmethod
    def nacl_entry(rule: NativeNaclRule, egress: bool, position: str) -> NaclEntry:
        ports = rule.ports if rule.protocol in (TCP, UDP) else None
        icmp = rule.protocol in (ICMP, ICMPV6)
        return NaclEntry(
            rule_number=rule.rule,
            egress=egress,
            allow=rule.action == "allow",
            protocol=rule.protocol,
            cidr=str(ipaddress.ip_network(rule.cidr, strict=False)),  # AWS stores NACL CIDRs canonicalised
            port_from=ports[0] if ports else None,
            port_to=ports[1] if ports else None,
            icmp_type=(-1 if rule.icmp_type is None else rule.icmp_type) if icmp else None,
            icmp_code=(-1 if rule.icmp_code is None else rule.icmp_code) if icmp else None,
            position=position,
        )

    @staticmethod
    def with_star_entries(entries: list[NaclEntry], vpc: Vpc) -> tuple[NaclEntry, ...]:
        """Add the `*` deny entries and order as describe-network-acls does: outbound, then inbound, by number."""
        out: list[NaclEntry] = []
        for egress in (True, False):
            mine = [e for e in entries if e.egress == egress]
            mine.append(NaclEntry(NACL_DENY_V4, egress, False, -1, "0.0.0.0/0", position="* (implicit)"))
            if vpc.cidrs_v6:
                mine.append(NaclEntry(NACL_DENY_V6, egress, False, -1, "::/0", position="* (implicit)"))
            out.extend(sorted(mine, key=lambda e: e.rule_number))
        return tuple(out)

    def add_default_acls(self) -> None:
        self.check_subnet_choices(self.subnet_acl, self.out_acls, "network ACL", "network_acls")
        defaults: dict[str, NetworkAcl] = {}
        for acl in self.out_acls:
            if acl.is_default:
                if acl.vpc_id in defaults:
                    raise ModelError(
                        f"VPC {acl.vpc_id} has two default network ACLs: {defaults[acl.vpc_id].id} and {acl.id}",
                        file=acl.source.file,
                        place=self.place_of(acl.source),
                    )
                defaults[acl.vpc_id] = acl
        taken = {a.id for a in self.out_acls}
        for info in self.vpcs.values():
            vpc = info.vpc
            if vpc.id in defaults:
                continue
            ident = _unique_id(f"acl-default-{vpc.id.removeprefix('vpc-')}", taken)
            taken.add(ident)
            entries = [NaclEntry(100, e, True, -1, "0.0.0.0/0", position="100 (default NACL)") for e in (True, False)]
            if vpc.cidrs_v6:
                entries += [NaclEntry(101, e, True, -1, "::/0", position="101 (default NACL)") for e in (True, False)]
            acl = NetworkAcl(
                id=ident,
                vpc_id=vpc.id,
                account=vpc.account,
                region=vpc.region,
                entries=self.with_star_entries(entries, vpc),
                is_default=True,
                source=self.ref(info.at, "default network ACL, as AWS creates it"),
            )
            self.out_acls.append(acl)
            defaults[vpc.id] = acl
        # every subnet is associated with exactly one NACL, as describe-network-acls lists them
        chosen: dict[str, list[str]] = {}
        for subnet in self.out_subnets:
            choice = self.subnet_acl.get(subnet.id)
            acl_id = choice[0] if choice else defaults[subnet.vpc_id].id
            chosen.setdefault(acl_id, []).append(subnet.id)
        self.out_acls = [replace(a, subnet_ids=tuple(chosen.get(a.id, ()))) for a in self.out_acls]

    def place_of(self, source: SourceRef) -> str:
        return f"{source.place} (line {source.line})" if source.line is not None else source.place


# -- entry points --------------------------------------------------------------------------------
def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))
        if not files:
            raise InputError("no native estate files (*.yaml, *.yml) in this directory", file=str(path))
        return files
    if not path.exists():
        raise InputError("no such file or directory", file=str(path))
    return [path]


def _validate(path: Path) -> tuple[NativeEstate, _Doc]:
    data, doc = _read(path)
    if data is None:
        raise InputError(f"empty file: a native estate starts with `edgeward: {FORMAT_VERSION}`", file=doc.file)
    if not isinstance(data, dict):
        raise doc.error((), f"a native estate is a mapping starting with `edgeward: {FORMAT_VERSION}`")
    try:
        model = NativeEstate.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, doc, NativeEstate) from None
    return model, doc


def _iam(documents: list[tuple[NativeEstate, _Doc]]) -> Any:
    """The `iam:` section (one per estate), validated by edgeward.sources.native_iam when present."""
    found = [(model, doc) for model, doc in documents if "iam" in model.model_fields_set]
    if not found:
        return None
    if len(found) > 1:
        raise found[1][1].error(("iam",), f"only one file of an estate may hold iam: (the first is {found[0][1].file})")
    model, doc = found[0]
    try:
        from edgeward.sources.native_iam import NativeIam
    except ImportError:  # pragma: no cover - the IAM section lands separately
        message = "this edgeward cannot read the iam: section (edgeward.sources.native_iam is missing)"
        raise doc.error(("iam",), message) from None
    raw = model.iam
    if isinstance(raw, dict) and "account" not in raw and model.account is not None:
        raw = {**raw, "account": model.account}
    try:
        iam_model = NativeIam.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, doc, NativeIam, ("iam",)) from None
    try:
        return iam_model.to_estate(doc.file, place="iam")
    except InputError as exc:
        if exc.place and exc.file == doc.file and "(line " not in exc.place:
            loc = _loc_of_place(exc.place, doc.root)
            line = doc.locate(loc)[1] if loc is not None else None
            if line is not None:
                raise type(exc)(exc.detail, file=exc.file, place=f"{exc.place} (line {line})") from None
        raise


def _edge(documents: list[tuple[NativeEstate, _Doc]], network: NetworkEstate) -> Any:
    """The `edge:` section (one per estate), validated by edgeward.sources.native_edge."""
    from edgeward.sources.edge_common import finish_edge
    from edgeward.sources.native_edge import NativeEdge

    found = [(model, doc) for model, doc in documents if "edge" in model.model_fields_set]
    if not found:
        return None
    if len(found) > 1:
        first = found[0][1].file
        raise found[1][1].error(("edge",), f"only one file of an estate may hold edge: (the first is {first})")
    model, doc = found[0]
    try:
        edge_model = NativeEdge.model_validate(model.edge)
    except ValidationError as exc:
        raise _validation_error(exc, doc, NativeEdge, ("edge",)) from None
    try:
        edge = edge_model.to_estate(doc.file, account=model.account, region=model.region, place="edge")
        return finish_edge(edge, network)
    except InputError as exc:
        if exc.place and exc.file == doc.file and "(line " not in exc.place:
            loc = _loc_of_place(exc.place, doc.root)
            line = doc.locate(loc)[1] if loc is not None else None
            if line is not None:
                raise type(exc)(exc.detail, file=exc.file, place=f"{exc.place} (line {line})") from None
        raise


def _loc_of_place(place: str, root: Node | None) -> Loc | None:
    """`iam.users[0].groups[1]` -> ('iam', 'users', 0, 'groups', 1); `users[alice]` finds the item named alice."""
    loc: list[str | int] = []
    node = root
    for part in place.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]+\])*)", part)
        if match is None:
            return None
        loc.append(match.group(1))
        node = _child(node, match.group(1))
        for label in re.findall(r"\[([^\[\]]+)\]", match.group(2)):
            index = int(label) if label.isdigit() else _index_of_named(node, label)
            if index is None:
                return tuple(loc)
            loc.append(index)
            node = node.value[index] if isinstance(node, SequenceNode) and index < len(node.value) else None
    return tuple(loc)


def _child(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for k, value in _mapping_items(node):
            if _key_text(k) == key:
                return value
    return None


def _index_of_named(node: Node | None, name: str) -> int | None:
    """The index of the list item whose `name` (or `id`) is `name`."""
    if not isinstance(node, SequenceNode):
        return None
    for index, item in enumerate(node.value):
        for key in ("name", "id"):
            value = _child(item, key)
            if isinstance(value, ScalarNode) and value.value == name:
                return index
    return None


def load_native(path: Path) -> Snapshot:
    """Load a native estate file (or a directory of them, one estate) into a validated Snapshot."""
    from edgeward.sources import finish_network

    documents = [_validate(p) for p in _files(Path(path))]
    builder = _Builder(documents)
    network = finish_network(builder.build())
    iam = _iam(documents)
    try:
        return Snapshot.build(network, iam=iam, edge=_edge(documents, network))
    except ModelError as exc:
        line = builder.lines.get((exc.file or "", exc.place or ""))
        if line is not None:
            raise ModelError(exc.detail, file=exc.file, place=f"{exc.place} (line {line})") from None
        raise
