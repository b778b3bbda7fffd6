"""The network estate: frozen dataclasses, references by AWS id.

Every resource carries a `SourceRef` saying where it was read (file and place inside it, or an IaC
address), so errors and findings can point back at the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a resource was read: a file and a place inside it (JSON path, line, IaC address)."""

    file: str = ""
    place: str = ""
    line: int | None = None
    address: str | None = None  # Terraform address or CloudFormation logical id

    def describe(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.place:
            where += f" ({self.place})"
        return where


NO_SOURCE = SourceRef()


@dataclass(frozen=True, slots=True)
class Vpc:
    id: str
    account: str
    region: str
    cidrs_v4: tuple[str, ...]
    cidrs_v6: tuple[str, ...] = ()
    is_default: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    @property
    def name(self) -> str | None:
        return dict(self.tags).get("Name")


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    vpc_id: str
    account: str
    region: str
    cidr_v4: str | None
    cidrs_v6: tuple[str, ...] = ()
    availability_zone: str = ""
    map_public_ip_on_launch: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    @property
    def name(self) -> str | None:
        return dict(self.tags).get("Name")


class RouteTarget(StrEnum):
    LOCAL = "local"
    INTERNET_GATEWAY = "internet-gateway"
    EGRESS_ONLY_INTERNET_GATEWAY = "egress-only-internet-gateway"
    NAT_GATEWAY = "nat-gateway"
    PEERING = "vpc-peering"
    VIRTUAL_PRIVATE_GATEWAY = "virtual-private-gateway"
    TRANSIT_GATEWAY = "transit-gateway"
    NETWORK_INTERFACE = "network-interface"
    INSTANCE = "instance"
    VPC_ENDPOINT = "vpc-endpoint"
    CARRIER_GATEWAY = "carrier-gateway"
    LOCAL_GATEWAY = "local-gateway"
    CORE_NETWORK = "core-network"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Route:
    destination: str | None  # CIDR; None when the destination is a prefix list
    target: RouteTarget
    target_id: str
    destination_prefix_list_id: str | None = None
    blackhole: bool = False  # State "blackhole": the target is gone, traffic is dropped
    origin: str = ""  # CreateRouteTable | CreateRoute | EnableVgwRoutePropagation
    index: int = 0

    def describe(self) -> str:
        dest = self.destination or self.destination_prefix_list_id or "?"
        state = " (blackhole)" if self.blackhole else ""
        return f"{dest} -> {self.target_id}{state}"


@dataclass(frozen=True, slots=True)
class RouteTable:
    id: str
    vpc_id: str
    account: str
    region: str
    routes: tuple[Route, ...]
    subnet_ids: tuple[str, ...] = ()
    is_main: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE


@dataclass(frozen=True, slots=True)
class InternetGateway:
    id: str
    vpc_ids: tuple[str, ...]  # attached VPCs ("available"/"attached" state)
    account: str
    region: str
    egress_only: bool = False
    source: SourceRef = NO_SOURCE


@dataclass(frozen=True, slots=True)
class NatGateway:
    id: str
    vpc_id: str
    subnet_id: str
    account: str
    region: str
    private_ips: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()
    state: str = "available"
    connectivity: str = "public"  # public | private
    source: SourceRef = NO_SOURCE


@dataclass(frozen=True, slots=True)
class PeeringSide:
    vpc_id: str
    account: str
    region: str
    cidrs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PeeringConnection:
    id: str
    requester: PeeringSide
    accepter: PeeringSide
    status: str  # active | pending-acceptance | deleted | rejected | failed | expired | ...
    source: SourceRef = NO_SOURCE

    @property
    def active(self) -> bool:
        return self.status == "active"

    def other_side(self, vpc_id: str) -> PeeringSide | None:
        if self.requester.vpc_id == vpc_id:
            return self.accepter
        if self.accepter.vpc_id == vpc_id:
            return self.requester
        return None


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    id: str
    vpc_id: str
    subnet_id: str
    account: str
    region: str
    private_ipv4s: tuple[str, ...]  # primary first
    ipv6s: tuple[str, ...] = ()
    public_ipv4s: tuple[str, ...] = ()  # public IPs / Elastic IPs associated with the private IPs
    group_ids: tuple[str, ...] = ()
    instance_id: str | None = None
    device_index: int | None = None
    interface_type: str = "interface"
    description: str = ""
    requester_managed: bool = False
    status: str = "in-use"
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    @property
    def primary_ipv4(self) -> str | None:
        return self.private_ipv4s[0] if self.private_ipv4s else None

    @property
    def name(self) -> str | None:
        return dict(self.tags).get("Name")


@dataclass(frozen=True, slots=True)
class Instance:
    id: str
    account: str
    region: str
    interface_ids: tuple[str, ...]  # primary (device index 0) first
    state: str = "running"
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    @property
    def name(self) -> str | None:
        return dict(self.tags).get("Name")


class PeerKind(StrEnum):
    CIDR = "cidr"
    SECURITY_GROUP = "security-group"
    PREFIX_LIST = "prefix-list"


@dataclass(frozen=True, slots=True)
class GroupReference:
    group_id: str
    user_id: str | None = None
    vpc_id: str | None = None
    peering_id: str | None = None
    peering_status: str | None = None  # as AWS reports it: active | deleted | ...


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    """One rule with exactly one peer, as AWS counts and evaluates rules.

    `protocol` is the IANA number, -1 for all. `from_port`/`to_port` are as the API gives them
    (ICMP: type and code; -1 meaning all).
    """

    group_id: str
    egress: bool
    protocol: int
    from_port: int | None
    to_port: int | None
    peer_kind: PeerKind
    cidr: str | None = None
    group: GroupReference | None = None
    prefix_list_id: str | None = None
    description: str = ""
    rule_id: str | None = None
    position: str = ""  # where in the input, e.g. IpPermissions[0].IpRanges[1]

    def peer_text(self) -> str:
        if self.peer_kind is PeerKind.CIDR:
            return self.cidr or "?"
        if self.peer_kind is PeerKind.PREFIX_LIST:
            return f"prefix list {self.prefix_list_id}"
        assert self.group is not None
        owner = f"{self.group.user_id}/" if self.group.user_id else ""
        return f"members of {owner}{self.group.group_id}"


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    name: str
    vpc_id: str
    account: str
    region: str
    ingress: tuple[SecurityGroupRule, ...]
    egress: tuple[SecurityGroupRule, ...]
    description: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    @property
    def is_default(self) -> bool:
        return self.name == "default"


@dataclass(frozen=True, slots=True)
class PrefixList:
    id: str
    name: str
    cidrs: tuple[str, ...]
    max_entries: int | None = None
    owner: str = "AWS"  # "AWS" for AWS-managed lists, else the owning account
    address_family: str = "IPv4"
    source: SourceRef = NO_SOURCE
    from_dated_copy: bool = False  # entries filled from a dated ip-ranges copy, not the snapshot

    @property
    def aws_managed(self) -> bool:
        return self.owner == "AWS"


@dataclass(frozen=True, slots=True)
class NaclEntry:
    rule_number: int
    egress: bool
    allow: bool
    protocol: int  # -1 all
    cidr: str  # IPv4 or IPv6
    port_from: int | None = None
    port_to: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    position: str = ""

    def number_text(self) -> str:
        return "*" if self.rule_number >= 32767 else str(self.rule_number)


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    id: str
    vpc_id: str
    account: str
    region: str
    entries: tuple[NaclEntry, ...]
    subnet_ids: tuple[str, ...] = ()
    is_default: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    source: SourceRef = NO_SOURCE

    def ordered(self, egress: bool) -> tuple[NaclEntry, ...]:
        """Entries of one direction sorted by rule number, as AWS evaluates them."""
        return tuple(sorted((e for e in self.entries if e.egress == egress), key=lambda e: e.rule_number))


@dataclass(frozen=True, slots=True)
class VpnGateway:
    id: str
    vpc_ids: tuple[str, ...]
    account: str
    region: str
    tunnels_up: int | None = None  # VPN tunnels reported UP across its connections; None: not in the snapshot
    tunnels_total: int = 0
    source: SourceRef = NO_SOURCE


class UnknownKind(StrEnum):
    """What an unknown value would have decided, so analyses know which answers it touches."""

    ADDRESS = "address"  # a private, public or IPv6 address of an interface (or NAT gateway)
    CIDR = "cidr"  # a CIDR block of a VPC or subnet
    RULES = "rules"  # security group or NACL rules (a peer, a port, a rule number)
    ROUTES = "routes"  # a route's destination or target
    ASSOCIATION = "association"  # which subnet, table, NACL or groups a resource belongs to
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """A value the input does not know yet: a Terraform plan's "known after apply", or a
    CloudFormation intrinsic that cannot be resolved before the stack exists.

    The resource `resource_id` is modelled *without* the value (never with a guess); every answer
    that depends on that resource is reported `unknown`, naming this value and where it was read.
    """

    resource_id: str
    attribute: str  # as the input names it, e.g. `ingress[0].cidr_blocks` or `PrivateIpAddress`
    kind: UnknownKind
    source: SourceRef = NO_SOURCE

    def describe(self) -> str:
        where = self.source.address or self.resource_id
        return f"{where}: {self.attribute} is not known until the change is applied"


@dataclass(frozen=True, slots=True)
class NetworkEstate:
    """All network resources of a snapshot, by kind, in input order."""

    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    internet_gateways: tuple[InternetGateway, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    peering_connections: tuple[PeeringConnection, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    instances: tuple[Instance, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    vpn_gateways: tuple[VpnGateway, ...] = ()
    notes: tuple[str, ...] = field(default=())
    unknowns: tuple[UnknownValue, ...] = ()  # values an IaC input leaves unknown (see UnknownValue)
