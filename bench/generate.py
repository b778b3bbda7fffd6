"""Deterministic synthetic AWS estates, written as the JSON that `aws ec2 describe-*` prints.

The output is an `aws_json` directory edgeward loads like a real collection:
`OUT/accounts/<12-digit id>/<region>/<Key>.json` (or `OUT/<region>/` for a single account), each file
shaped like the AWS CLI's output (4-space indent, keys sorted, as in shared/corpus/batfish-aws):
Vpcs, Subnets, RouteTables, InternetGateways, EgressOnlyInternetGateways, NatGateways,
VpcPeeringConnections, NetworkInterfaces, Reservations, SecurityGroups, PrefixLists (+ entries
envelopes) and NetworkAcls. Same parameters and seed, same bytes.

    python bench/generate.py --size medium --out bench/out/medium
    python bench/generate.py --out /tmp/estate --interfaces 5000 --security-groups 400 --rules-per-group 30

`generate(out_dir, size=..., **params)` returns the counts of what was written (interfaces, groups,
rules as edgeward counts them: one per CIDR/group/prefix-list entry of a permission, NACL entries, ...).
A `MANIFEST` file (JSON, not named *.json so the loader skips it) records parameters and counts.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "MANIFEST"
VERSION = 1  # bump when the same parameters would produce different bytes (cached estates are then rebuilt)

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1", "ap-northeast-1")
# Where each region's public addresses are drawn from (real EC2 blocks; any non-VPC block would do).
PUBLIC_BASES = {
    "us-east-1": "3.80.0.0",
    "eu-west-1": "34.240.0.0",
    "us-west-2": "35.160.0.0",
    "ap-southeast-2": "13.54.0.0",
    "eu-central-1": "18.184.0.0",
    "ap-northeast-1": "13.112.0.0",
}
CLOUDFRONT_LIST = "com.amazonaws.global.cloudfront.origin-facing"
INTERFACE_TYPES = {"lambda": "lambda", "endpoint": "vpc_endpoint", "nat": "nat_gateway"}

# Rule peers (ingress): weights of each kind of peer.
DEFAULT_RULE_MIX: dict[str, float] = {
    "cidr4": 30,  # an IPv4 CIDR (own VPC, other VPCs, corporate, office, partner)
    "any4": 6,  # 0.0.0.0/0, on web ports or ICMP echo only
    "cidr6": 8,  # an IPv6 CIDR
    "any6": 2,  # ::/0, on web ports or ICMPv6 echo only
    "sg_same": 25,  # a group of the same VPC
    "sg_peer": 10,  # a group of a VPC across an active peering
    "sg_stale": 1,  # a group across a deleted peering (stale reference)
    "prefix_list": 10,  # a customer-managed prefix list
    "cloudfront": 3,  # the AWS-managed CloudFront origin-facing list, tcp 80/443
}
DEFAULT_PROTOCOL_MIX: dict[str, float] = {"tcp": 70, "udp": 10, "-1": 8, "icmp": 8, "50": 4}

TCP_PORTS = (
    (22, 22),
    (80, 80),
    (443, 443),
    (8080, 8080),
    (8443, 8443),
    (3306, 3306),
    (5432, 5432),
    (6379, 6379),
    (9200, 9200),
    (27017, 27017),
    (2049, 2049),
    (3389, 3389),
    (9090, 9100),
    (30000, 32767),
    (1024, 65535),
    (0, 65535),
)
UDP_PORTS = ((53, 53), (123, 123), (500, 500), (4500, 4500), (1194, 1194), (10000, 20000), (0, 65535))
WEB_PORTS = ((80, 80), (443, 443), (8443, 8443))
ICMP_TYPES = ((8, -1), (3, 4), (-1, -1), (0, -1), (11, 0))
INSTANCE_TYPES = ("t3.micro", "t3.medium", "m5.large", "m6i.xlarge", "c6g.large", "r5.2xlarge")
OFFICE_V4 = ("203.0.113.0/24", "198.51.100.0/26", "192.0.2.0/28", "81.2.69.160/27", "62.12.0.0/22")
BAD_V4 = ("198.51.100.128/25", "45.155.205.0/24", "185.220.100.0/22")


@dataclass(frozen=True)
class Params:
    """Everything that shapes an estate; see PRESETS for the sizes used by the benchmark."""

    seed: int = 1
    accounts: int = 1
    regions: int = 1
    vpcs_per_region: int = 2  # per account and region
    subnets_per_vpc: int = 4
    public_subnet_share: float = 0.4  # of the subnets of a VPC that has an internet gateway
    private_vpc_share: float = 0.25  # VPCs with no internet gateway at all
    ipv6_vpc_share: float = 0.5
    security_groups: int = 50  # in all, one default group per VPC included
    rules_per_group: int = 12  # rule entries, ingress + egress
    egress_rule_share: float = 0.15
    rule_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RULE_MIX))
    protocol_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PROTOCOL_MIX))
    group_sets_per_vpc: int = 0  # distinct group combinations (roles) per VPC; 0: half the VPC's groups
    interfaces: int = 200  # in all, NAT gateway interfaces included
    max_groups_per_interface: int = 5
    public_ip_share: float = 0.6  # of the instance interfaces in public subnets
    ipv6_interface_share: float = 0.5  # of the interfaces in IPv6 subnets
    instance_share: float = 0.85  # the rest are load balancer, Lambda and endpoint interfaces
    second_interface_share: float = 0.05  # instances with a second interface
    custom_nacl_share: float = 0.6  # subnets associated with a custom NACL (the rest: the default NACL)
    nacl_entries: int = 10  # entries per direction of a custom NACL, besides the `*` rules
    peerings: int = 2  # active peering connections (same region, any accounts)
    deleted_peerings: int = 1
    prefix_lists: int = 2  # customer-managed lists per account and region
    prefix_list_entries: int = 8


PRESETS: dict[str, dict[str, Any]] = {
    # ~200 interfaces / 50 groups: generates and loads in seconds
    "small": {
        "accounts": 2,
        "regions": 1,
        "vpcs_per_region": 2,
        "subnets_per_vpc": 4,
        "security_groups": 50,
        "rules_per_group": 12,
        "interfaces": 200,
        "nacl_entries": 8,
        "peerings": 2,
        "deleted_peerings": 1,
    },
    # ~2,000 interfaces / 250 groups
    "medium": {
        "accounts": 3,
        "regions": 2,
        "vpcs_per_region": 2,
        "subnets_per_vpc": 5,
        "security_groups": 250,
        "rules_per_group": 30,
        "interfaces": 2000,
        "nacl_entries": 12,
        "peerings": 4,
        "deleted_peerings": 1,
        "prefix_list_entries": 12,
    },
    # issue 7: 20,000 interfaces, 2,500 groups x 60 rules, 200 subnets with NACLs (~180 MB)
    "large": {
        "accounts": 4,
        "regions": 2,
        "vpcs_per_region": 5,
        "subnets_per_vpc": 5,
        "security_groups": 2500,
        "rules_per_group": 60,
        "interfaces": 20000,
        "nacl_entries": 20,
        "peerings": 12,
        "deleted_peerings": 2,
        "prefix_list_entries": 20,
    },
}


def params_for(size: str | None = None, **overrides: Any) -> Params:
    base: dict[str, Any] = dict(PRESETS[size]) if size else {}
    base.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in dataclasses.fields(Params)}
    unknown = sorted(set(base) - known)
    if unknown:
        raise TypeError(f"unknown estate parameter(s): {', '.join(unknown)}")
    return Params(**base)


# -- the estate, before it is written ---------------------------------------------------------
class _Ids:
    """Distinct, deterministic AWS-looking ids: n -> (n * odd + salt) mod 16**width is a bijection."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.counters: dict[str, int] = {}
        self.salts: dict[str, int] = {}

    def next(self, prefix: str, width: int = 17) -> str:
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        salt = self.salts.get(prefix)
        if salt is None:
            salt = self.salts[prefix] = random.Random(f"{self.seed}:{prefix}").getrandbits(68)
        value = (n * 0x9E3779B97F4A7C15 + salt) % (16**width)
        return f"{prefix}-{value:0{width}x}"


@dataclass(eq=False)
class _Group:
    id: str
    name: str
    vpc: _Vpc
    is_default: bool
    ingress: list[tuple[Any, ...]] = field(default_factory=list)
    egress: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(eq=False)
class _Subnet:
    id: str
    vpc: _Vpc
    index: int
    cidr: ipaddress.IPv4Network
    cidr6: ipaddress.IPv6Network | None
    az: str
    public: bool
    acl: str = ""
    table: str = ""  # "" means the main route table
    next_host: int = 4  # AWS reserves the first four addresses


@dataclass(eq=False)
class _Vpc:
    index: int
    id: str
    account: str
    region: str
    cidr: ipaddress.IPv4Network
    cidr6: ipaddress.IPv6Network | None
    has_igw: bool
    igw: str = ""
    eigw: str = ""
    nat: str = ""
    nat_eni: _Eni | None = None
    main_table: str = ""
    public_table: str = ""
    private_table: str = ""
    default_acl: str = ""
    custom_acls: dict[str, str] = field(default_factory=dict)  # "public"/"private" -> acl id
    subnets: list[_Subnet] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    roles: list[tuple[_Group, ...]] = field(default_factory=list)
    peers: list[tuple[_Vpc, str]] = field(default_factory=list)  # active peerings
    stale_peers: list[tuple[_Vpc, str]] = field(default_factory=list)


@dataclass(eq=False)
class _Eni:
    id: str
    n: int
    subnet: _Subnet
    kind: str  # instance | elb | lambda | endpoint | nat
    private_ips: list[str]
    public_ip: str | None
    ipv6s: list[str]
    groups: tuple[_Group, ...]
    instance_id: str | None = None
    device_index: int = 0


@dataclass(eq=False)
class _Instance:
    id: str
    n: int
    enis: list[_Eni]
    instance_type: str


@dataclass(eq=False)
class _Peering:
    id: str
    requester: _Vpc
    accepter: _Vpc
    active: bool


@dataclass(eq=False)
class _PrefixList:
    id: str
    name: str
    owner: str  # account id or "AWS"
    region: str
    family: str
    max_entries: int | None
    entries: list[str]  # empty: entries are not written (the CloudFront list: edgeward's dated copy)


@dataclass
class _Estate:
    params: Params
    accounts: list[str]
    regions: list[str]
    vpcs: list[_Vpc] = field(default_factory=list)
    peerings: list[_Peering] = field(default_factory=list)
    prefix_lists: dict[tuple[str, str], list[_PrefixList]] = field(default_factory=dict)  # (account, region)
    aws_lists: dict[str, list[_PrefixList]] = field(default_factory=dict)  # region -> AWS-managed lists
    enis: list[_Eni] = field(default_factory=list)
    instances: list[_Instance] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _build(p: Params) -> _Estate:
    if p.accounts < 1 or p.regions < 1 or p.vpcs_per_region < 1 or p.subnets_per_vpc < 1:
        raise ValueError("accounts, regions, vpcs_per_region and subnets_per_vpc must be at least 1")
    if p.regions > len(REGIONS):
        raise ValueError(f"at most {len(REGIONS)} regions")
    if p.rules_per_group < 2:
        raise ValueError("rules_per_group must be at least 2 (one ingress, one egress)")
    if not 1 <= p.max_groups_per_interface <= 16:
        raise ValueError("max_groups_per_interface must be 1-16")
    rng = random.Random(p.seed)
    ids = _Ids(p.seed)
    accounts = [f"{210987650000 + 1013 * i + p.seed % 997:012d}" for i in range(p.accounts)]
    estate = _Estate(p, accounts, list(REGIONS[: p.regions]))
    total_vpcs = p.accounts * p.regions * p.vpcs_per_region
    if total_vpcs > 4096:
        raise ValueError("at most 4096 VPCs")
    if p.security_groups < total_vpcs:
        raise ValueError(f"security_groups must be at least the number of VPCs ({total_vpcs}): one default each")
    vpc_prefix = 16 if total_vpcs <= 256 else 20
    subnet_prefix = vpc_prefix + max(1, math.ceil(math.log2(p.subnets_per_vpc)))
    if subnet_prefix > 28:
        raise ValueError("too many subnets per VPC")
    v6_base = int(ipaddress.IPv6Address("2600:1f18::"))

    # VPCs, subnets, gateways, tables, NACL ids
    for account in accounts:
        for region_index, region in enumerate(estate.regions):
            for _ in range(p.vpcs_per_region):
                k = len(estate.vpcs)
                cidr = ipaddress.IPv4Network(
                    (int(ipaddress.IPv4Address("10.0.0.0")) + (k << (32 - vpc_prefix)), vpc_prefix)
                )
                cidr6 = (
                    ipaddress.IPv6Network((v6_base + (region_index << 88) + (k << 72), 56))
                    if rng.random() < p.ipv6_vpc_share
                    else None
                )
                has_igw = p.subnets_per_vpc >= 1 and rng.random() >= p.private_vpc_share
                vpc = _Vpc(k, ids.next("vpc"), account, region, cidr, cidr6, has_igw)
                estate.vpcs.append(vpc)
                n_public = max(1, round(p.subnets_per_vpc * p.public_subnet_share)) if has_igw else 0
                n_public = min(n_public, p.subnets_per_vpc)
                blocks = list(cidr.subnets(new_prefix=subnet_prefix))
                for j in range(p.subnets_per_vpc):
                    sub6 = ipaddress.IPv6Network((int(cidr6.network_address) + (j << 64), 64)) if cidr6 else None
                    az = f"{region}{'abc'[j % 3]}"
                    vpc.subnets.append(_Subnet(ids.next("subnet"), vpc, j, blocks[j], sub6, az, j < n_public))
                vpc.main_table = ids.next("rtb")
                if has_igw:
                    vpc.igw = ids.next("igw")
                    vpc.public_table = ids.next("rtb")
                if n_public < p.subnets_per_vpc:
                    vpc.private_table = ids.next("rtb")
                    if cidr6 is not None:
                        vpc.eigw = ids.next("eigw")
                    if has_igw:
                        vpc.nat = ids.next("nat")
                for s in vpc.subnets:
                    if s.public:
                        s.table = vpc.public_table
                    elif not (s.index == p.subnets_per_vpc - 1 and k % 2 == 1 and p.subnets_per_vpc > 2):
                        s.table = vpc.private_table  # else: an isolated subnet on the main table (local only)
                vpc.default_acl = ids.next("acl")
                for s in vpc.subnets:
                    if rng.random() < p.custom_nacl_share:
                        kind = "public" if s.public else "private"
                        if kind not in vpc.custom_acls:
                            vpc.custom_acls[kind] = ids.next("acl")
                        s.acl = vpc.custom_acls[kind]
                    else:
                        s.acl = vpc.default_acl

    # peerings: same region, any accounts; CIDRs never overlap (one block per VPC)
    pairs = [(a, b) for i, a in enumerate(estate.vpcs) for b in estate.vpcs[i + 1 :] if a.region == b.region]
    rng.shuffle(pairs)
    for n, (a, b) in enumerate(pairs[: p.peerings + p.deleted_peerings]):
        active = n < p.peerings
        pcx = _Peering(ids.next("pcx"), a, b, active)
        estate.peerings.append(pcx)
        if active:
            a.peers.append((b, pcx.id))
            b.peers.append((a, pcx.id))
        else:
            a.stale_peers.append((b, pcx.id))
            b.stale_peers.append((a, pcx.id))

    # prefix lists: customer-managed per account and region; AWS-managed per region
    for region in estate.regions:
        cloudfront = _PrefixList(ids.next("pl", 8), CLOUDFRONT_LIST, "AWS", region, "IPv4", 55, [])
        s3 = _PrefixList(
            ids.next("pl", 8),
            f"com.amazonaws.{region}.s3",
            "AWS",
            region,
            "IPv4",
            None,
            ["52.216.0.0/15", "3.5.0.0/19", "54.231.0.0/16", "16.182.0.0/16"],
        )
        estate.aws_lists[region] = [cloudfront, s3]
    for account in accounts:
        for region in estate.regions:
            lists = []
            for i in range(p.prefix_lists):
                family = "IPv6" if i % 3 == 2 else "IPv4"
                entries = sorted(
                    {
                        _random_cidr6(rng, None) if family == "IPv6" else _partner_cidr(rng)
                        for _ in range(p.prefix_list_entries)
                    }
                )
                name = ("office-and-vpn", "partners", "monitoring-v6", "ci-runners", "support")[i % 5]
                lists.append(
                    _PrefixList(
                        ids.next("pl"), f"{name}-{i}", account, region, family, max(p.prefix_list_entries, 10), entries
                    )
                )
            estate.prefix_lists[(account, region)] = lists

    # security groups: one default per VPC, the rest spread evenly
    extra = p.security_groups - total_vpcs
    for vpc in estate.vpcs:
        vpc.groups.append(_Group(ids.next("sg"), "default", vpc, True))
    for i in range(extra):
        vpc = estate.vpcs[i % total_vpcs]
        vpc.groups.append(_Group(ids.next("sg"), f"sg-{i:05d}-{_role_name(i)}", vpc, False))
    for vpc in estate.vpcs:
        for group in vpc.groups:
            _rules(rng, estate, group)

    # roles: the group combinations interfaces carry (interfaces of one role in one subnet behave alike)
    for vpc in estate.vpcs:
        groups = vpc.groups
        n_roles = p.group_sets_per_vpc or max(1, len(groups) // 2)
        n_roles = max(n_roles, math.ceil(len(groups) / p.max_groups_per_interface))
        primaries: list[list[_Group]] = [[] for _ in range(n_roles)]
        for i, g in enumerate(groups):
            primaries[i % n_roles].append(g)
        for chosen in primaries:
            size = max(len(chosen), rng.choices(range(1, 6), weights=(30, 30, 20, 12, 8))[0])
            size = min(size, p.max_groups_per_interface, len(groups))
            while len(chosen) < size:
                g = rng.choice(groups)
                if g not in chosen:
                    chosen.append(g)
            vpc.roles.append(tuple(chosen))

    _interfaces(rng, ids, estate)
    return estate


def _role_name(i: int) -> str:
    return ("web", "app", "db", "cache", "bastion", "alb", "worker", "batch", "search", "queue")[i % 10]


def _partner_cidr(rng: random.Random) -> str:
    first = rng.choice((62, 81, 91, 109, 145, 151, 176, 185, 194, 212))
    prefix = rng.choice((24, 26, 28, 32))
    address = (first << 24) | (rng.randrange(256) << 16) | (rng.randrange(256) << 8) | rng.randrange(256)
    return str(ipaddress.IPv4Network((address, prefix), strict=False))


def _random_cidr6(rng: random.Random, vpc: _Vpc | None) -> str:
    if vpc is not None and vpc.cidr6 is not None and rng.random() < 0.5:
        return str(vpc.cidr6)
    prefix = rng.choice((32, 48, 56, 64))
    top = rng.choice((0x2001_0DB8, 0x2A01_04F8, 0x2604_A880, 0x2A00_1450))
    address = (top << 96) | (rng.getrandbits(32) << 64)
    return str(ipaddress.IPv6Network((address, prefix), strict=False))


def _random_cidr4(rng: random.Random, estate: _Estate, vpc: _Vpc) -> str:
    roll = rng.random()
    if roll < 0.3:  # part of its own VPC
        prefix = rng.choice((20, 22, 24, 26))
        prefix = max(prefix, vpc.cidr.prefixlen)
        block = int(vpc.cidr.network_address) + (rng.randrange(1 << (prefix - vpc.cidr.prefixlen)) << (32 - prefix))
        return str(ipaddress.IPv4Network((block, prefix)))
    if roll < 0.5:  # another VPC of the estate
        return str(rng.choice(estate.vpcs).cidr)
    if roll < 0.65:  # corporate ranges
        return rng.choice(("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "172.20.4.0/22"))
    if roll < 0.8:
        return rng.choice(OFFICE_V4)
    return _partner_cidr(rng)


def _ports(rng: random.Random, protocol: str) -> tuple[int | None, int | None]:
    if protocol == "tcp":
        return rng.choice(TCP_PORTS)
    if protocol == "udp":
        return rng.choice(UDP_PORTS)
    if protocol in ("icmp", "icmpv6"):
        if protocol == "icmpv6":
            return rng.choice(((128, -1), (-1, -1), (1, -1)))
        return rng.choice(ICMP_TYPES)
    return None, None  # -1 and other protocol numbers carry no ports


def _rule(rng: random.Random, estate: _Estate, group: _Group, egress: bool) -> tuple[Any, ...]:
    """(protocol, from, to, peer kind, peer value, description) for one rule entry."""
    p = estate.params
    vpc = group.vpc
    mix = dict(p.rule_mix)
    if egress:
        mix.pop("cloudfront", None)
        mix.pop("any6", None)
    if not vpc.peers:
        mix["sg_same"] = mix.get("sg_same", 0) + mix.pop("sg_peer", 0)
    if not vpc.stale_peers:
        mix["sg_same"] = mix.get("sg_same", 0) + mix.pop("sg_stale", 0)
    if not estate.prefix_lists.get((vpc.account, vpc.region)):
        mix["cidr4"] = mix.get("cidr4", 0) + mix.pop("prefix_list", 0)
    kind = _weighted(rng, mix)
    description = rng.choice(("", "", "", "managed by terraform", "ops access", "from the load balancer"))
    if kind in ("any4", "any6"):
        if rng.random() < 0.15:
            protocol = "icmp" if kind == "any4" else "icmpv6"
            web = (8, -1) if kind == "any4" else (128, -1)
        else:
            protocol = "tcp"
            web = rng.choice(WEB_PORTS)
        return (
            protocol,
            web[0],
            web[1],
            "cidr6" if kind == "any6" else "cidr4",
            "::/0" if kind == "any6" else "0.0.0.0/0",
            description,
        )
    if kind == "cloudfront":
        port = rng.choice((443, 443, 80))
        return ("tcp", port, port, "prefix_list", estate.aws_lists[vpc.region][0].id, "CloudFront origin-facing")
    protocol = _weighted(rng, p.protocol_mix)
    if kind == "cidr6" and protocol == "icmp":
        protocol = "icmpv6"
    lo, hi = _ports(rng, protocol)
    if kind == "cidr4":
        return (protocol, lo, hi, "cidr4", _random_cidr4(rng, estate, vpc), description)
    if kind == "cidr6":
        return (protocol, lo, hi, "cidr6", _random_cidr6(rng, vpc), description)
    if kind == "prefix_list":
        lists = estate.prefix_lists[(vpc.account, vpc.region)]
        if egress and rng.random() < 0.3:
            return ("tcp", 443, 443, "prefix_list", estate.aws_lists[vpc.region][1].id, "S3")
        return (protocol, lo, hi, "prefix_list", rng.choice(lists).id, description)
    if kind == "sg_same":
        return (protocol, lo, hi, "sg", (rng.choice(vpc.groups), None, None), description)
    peers = vpc.peers if kind == "sg_peer" else vpc.stale_peers
    other, pcx = rng.choice(peers)
    status = "active" if kind == "sg_peer" else "deleted"
    return (protocol, lo, hi, "sg", (rng.choice(other.groups), pcx, status), description)


def _rule_key(rule: tuple[Any, ...]) -> tuple[Any, ...]:
    protocol, lo, hi, kind, value, _ = rule
    peer = value[0].id if kind == "sg" else value
    return (protocol, lo, hi, kind, peer)


def _rules(rng: random.Random, estate: _Estate, group: _Group) -> None:
    p = estate.params
    vpc = group.vpc
    total = p.rules_per_group
    n_egress = max(1, min(total - 1, round(total * p.egress_rule_share)))
    n_ingress = total - n_egress
    seen: set[tuple[Any, ...]] = set()

    def add(bucket: list[tuple[Any, ...]], rule: tuple[Any, ...]) -> bool:
        key = (*_rule_key(rule), bucket is group.egress)
        if key in seen:
            return False
        seen.add(key)
        bucket.append(rule)
        return True

    if group.is_default:  # what AWS creates: all traffic from the group itself, all traffic out
        add(group.ingress, ("-1", None, None, "sg", (group, None, None), ""))
    # egress: usually all traffic to anywhere (and ::/0 in IPv6 VPCs), sometimes only HTTPS out
    if group.is_default or rng.random() < 0.85:
        add(group.egress, ("-1", None, None, "cidr4", "0.0.0.0/0", ""))
        if vpc.cidr6 is not None and len(group.egress) < n_egress:
            add(group.egress, ("-1", None, None, "cidr6", "::/0", ""))
    else:
        add(group.egress, ("tcp", 443, 443, "cidr4", "0.0.0.0/0", "HTTPS out"))
    for bucket, wanted, egress in ((group.egress, n_egress, True), (group.ingress, n_ingress, False)):
        attempts = 0
        while len(bucket) < wanted and attempts < wanted * 50:
            attempts += 1
            add(bucket, _rule(rng, estate, group, egress))


def _interfaces(rng: random.Random, ids: _Ids, estate: _Estate) -> None:
    p = estate.params
    nat_vpcs = [v for v in estate.vpcs if v.nat]
    workload = p.interfaces - len(nat_vpcs)
    if workload < len(estate.vpcs):
        raise ValueError(f"interfaces must be at least {len(estate.vpcs) + len(nat_vpcs)} for this many VPCs")
    public_bases: dict[str, int] = {r: int(ipaddress.IPv4Address(PUBLIC_BASES[r])) + 1 for r in estate.regions}

    def public_ip(region: str) -> str:
        value = public_bases[region]
        public_bases[region] = value + 1
        return str(ipaddress.IPv4Address(value))

    def private_ip(subnet: _Subnet) -> str:
        capacity = subnet.cidr.num_addresses - 5
        if subnet.next_host > capacity + 3:
            raise ValueError(f"subnet {subnet.cidr} is full: fewer interfaces or more/larger subnets needed")
        address = str(subnet.cidr.network_address + subnet.next_host)
        subnet.next_host += 1
        return address

    def ipv6(subnet: _Subnet, n: int) -> str:
        assert subnet.cidr6 is not None
        host = (n * 0x9E3779B97F4A7C15) & ((1 << 63) - 1) | (1 << 63)  # distinct per n, never the subnet address
        return str(subnet.cidr6.network_address + host)

    counter = 0

    def new_eni(subnet: _Subnet, kind: str, groups: tuple[_Group, ...], public: bool) -> _Eni:
        nonlocal counter
        counter += 1
        privates = [private_ip(subnet)]
        if kind == "instance" and rng.random() < 0.05:
            privates.append(private_ip(subnet))  # a secondary private address
        v6 = [ipv6(subnet, counter)] if subnet.cidr6 is not None and rng.random() < p.ipv6_interface_share else []
        eni = _Eni(
            ids.next("eni"),
            counter,
            subnet,
            kind,
            privates,
            public_ip(subnet.vpc.region) if public else None,
            v6,
            groups,
        )
        estate.enis.append(eni)
        return eni

    for vpc in nat_vpcs:  # the NAT gateway sits in the first public subnet, with an Elastic IP
        vpc.nat_eni = new_eni(vpc.subnets[0], "nat", (), True)
        vpc.nat_eni.ipv6s = []

    per_vpc = [workload // len(estate.vpcs)] * len(estate.vpcs)
    for i in range(workload % len(estate.vpcs)):
        per_vpc[i] += 1
    role_weights_cache: dict[int, list[float]] = {}
    for vpc, count in zip(estate.vpcs, per_vpc, strict=True):
        weights = role_weights_cache.setdefault(len(vpc.roles), [1 / (i + 1) ** 0.7 for i in range(len(vpc.roles))])
        made = 0
        while made < count:
            subnet = rng.choice(vpc.subnets)
            role = rng.choices(vpc.roles, weights=weights)[0]
            if rng.random() >= p.instance_share:
                kind = "elb" if subnet.public else rng.choice(("lambda", "endpoint"))
                new_eni(subnet, kind, role, kind == "elb")
                made += 1
                continue
            instance = _Instance(ids.next("i"), counter, [], rng.choice(INSTANCE_TYPES))
            wants_public = subnet.public and rng.random() < p.public_ip_share
            eni = new_eni(subnet, "instance", role, wants_public)
            eni.instance_id, eni.device_index = instance.id, 0
            instance.enis.append(eni)
            made += 1
            if made < count and rng.random() < p.second_interface_share:
                second = new_eni(subnet, "instance", rng.choices(vpc.roles, weights=weights)[0], False)
                second.instance_id, second.device_index = instance.id, 1
                instance.enis.append(second)
                made += 1
            estate.instances.append(instance)


# -- AWS CLI JSON -----------------------------------------------------------------------------
def _time(n: int) -> str:
    return f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}+00:00"


def _tags(name: str, **more: str) -> list[dict[str, str]]:
    tags = [{"Key": "Name", "Value": name}]
    tags.extend({"Key": k, "Value": v} for k, v in more.items())
    return tags


def _dns(region: str, address: str, public: bool) -> str:
    dashed = address.replace(".", "-")
    if public:
        return (
            f"ec2-{dashed}.compute-1.amazonaws.com"
            if region == "us-east-1"
            else (f"ec2-{dashed}.{region}.compute.amazonaws.com")
        )
    return f"ip-{dashed}.ec2.internal" if region == "us-east-1" else f"ip-{dashed}.{region}.compute.internal"


def _vpc_json(v: _Vpc) -> dict[str, Any]:
    out: dict[str, Any] = {
        "CidrBlock": str(v.cidr),
        "CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-{v.id[4:]}",
                "CidrBlock": str(v.cidr),
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "DhcpOptionsId": f"dopt-{v.id[4:12]}",
        "InstanceTenancy": "default",
        "IsDefault": False,
        "OwnerId": v.account,
        "State": "available",
        "Tags": _tags(f"vpc-{v.index:03d}", environment=("prod", "staging", "dev")[v.index % 3]),
        "VpcId": v.id,
    }
    if v.cidr6 is not None:
        out["Ipv6CidrBlockAssociationSet"] = [
            {
                "AssociationId": f"vpc-cidr-assoc-6{v.id[5:]}",
                "Ipv6CidrBlock": str(v.cidr6),
                "Ipv6CidrBlockState": {"State": "associated"},
                "Ipv6Pool": "Amazon",
                "NetworkBorderGroup": v.region,
            }
        ]
    return out


def _subnet_json(s: _Subnet) -> dict[str, Any]:
    v = s.vpc
    return {
        "AssignIpv6AddressOnCreation": s.cidr6 is not None,
        "AvailabilityZone": s.az,
        "AvailabilityZoneId": f"{v.region[:2]}{v.region.split('-')[1][:1]}{v.region[-1]}-az{1 + s.index % 3}",
        "AvailableIpAddressCount": s.cidr.num_addresses - s.next_host - 1,
        "CidrBlock": str(s.cidr),
        "DefaultForAz": False,
        "EnableDns64": False,
        "EnableLniAtDeviceIndex": 0,
        "Ipv6CidrBlockAssociationSet": (
            [
                {
                    "AssociationId": f"subnet-cidr-assoc-{s.id[7:]}",
                    "Ipv6CidrBlock": str(s.cidr6),
                    "Ipv6CidrBlockState": {"State": "associated"},
                }
            ]
            if s.cidr6 is not None
            else []
        ),
        "Ipv6Native": False,
        "MapCustomerOwnedIpOnLaunch": False,
        "MapPublicIpOnLaunch": s.public,
        "OwnerId": v.account,
        "PrivateDnsNameOptionsOnLaunch": {
            "EnableResourceNameDnsAAAARecord": False,
            "EnableResourceNameDnsARecord": False,
            "HostnameType": "ip-name",
        },
        "State": "available",
        "SubnetArn": f"arn:aws:ec2:{v.region}:{v.account}:subnet/{s.id}",
        "SubnetId": s.id,
        "Tags": _tags(f"vpc-{v.index:03d}-{'public' if s.public else 'private'}-{s.index}"),
        "VpcId": v.id,
    }


def _route(destination: str, origin: str = "CreateRoute", **target: str) -> dict[str, Any]:
    key = "DestinationIpv6CidrBlock" if ":" in destination else "DestinationCidrBlock"
    return {key: destination, **target, "Origin": origin, "State": "active"}


def _route_tables_json(v: _Vpc) -> Iterator[dict[str, Any]]:
    local = [_route(str(v.cidr), "CreateRouteTable", GatewayId="local")]
    if v.cidr6 is not None:
        local.append(_route(str(v.cidr6), "CreateRouteTable", GatewayId="local"))
    peering = [_route(str(other.cidr), VpcPeeringConnectionId=pcx) for other, pcx in v.peers]
    tables: list[tuple[str, str, list[dict[str, Any]], list[_Subnet]]] = [
        (v.main_table, "main", local, [s for s in v.subnets if not s.table])
    ]
    if v.public_table:
        routes = [*local, _route("0.0.0.0/0", GatewayId=v.igw)]
        if v.cidr6 is not None:
            routes.append(_route("::/0", GatewayId=v.igw))
        tables.append((v.public_table, "public", routes + peering, [s for s in v.subnets if s.table == v.public_table]))
    if v.private_table:
        routes = list(local)
        if v.nat:
            routes.append(_route("0.0.0.0/0", NatGatewayId=v.nat))
        if v.eigw:
            routes.append(_route("::/0", EgressOnlyInternetGatewayId=v.eigw))
        tables.append(
            (v.private_table, "private", routes + peering, [s for s in v.subnets if s.table == v.private_table])
        )
    for table_id, name, routes, subnets in tables:
        associations: list[dict[str, Any]] = []
        if name == "main":
            associations.append(
                {
                    "AssociationState": {"State": "associated"},
                    "Main": True,
                    "RouteTableAssociationId": f"rtbassoc-{table_id[4:]}",
                    "RouteTableId": table_id,
                }
            )
        for s in subnets if name != "main" else []:
            associations.append(
                {
                    "AssociationState": {"State": "associated"},
                    "Main": False,
                    "RouteTableAssociationId": f"rtbassoc-{s.id[7:]}",
                    "RouteTableId": table_id,
                    "SubnetId": s.id,
                }
            )
        yield {
            "Associations": associations,
            "OwnerId": v.account,
            "PropagatingVgws": [],
            "RouteTableId": table_id,
            "Routes": routes,
            "Tags": _tags(f"vpc-{v.index:03d}-{name}"),
            "VpcId": v.id,
        }


def _peering_side(v: _Vpc, active: bool) -> dict[str, Any]:
    side: dict[str, Any] = {"OwnerId": v.account, "Region": v.region, "VpcId": v.id}
    if active:
        side["CidrBlock"] = str(v.cidr)
        side["CidrBlockSet"] = [{"CidrBlock": str(v.cidr)}]
        side["PeeringOptions"] = {
            "AllowDnsResolutionFromRemoteVpc": False,
            "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
            "AllowEgressFromLocalVpcToRemoteClassicLink": False,
        }
    return side


def _peering_json(pcx: _Peering) -> dict[str, Any]:
    return {
        "AccepterVpcInfo": _peering_side(pcx.accepter, pcx.active),
        "RequesterVpcInfo": _peering_side(pcx.requester, pcx.active),
        "Status": (
            {"Code": "active", "Message": "Active"}
            if pcx.active
            else {"Code": "deleted", "Message": f"Deleted by {pcx.requester.account}"}
        ),
        "Tags": _tags(f"peer-{pcx.requester.index:03d}-{pcx.accepter.index:03d}"),
        "VpcPeeringConnectionId": pcx.id,
    }


def _permissions(rules: list[tuple[Any, ...]], owner: _Group) -> list[dict[str, Any]]:
    """Group rule entries into IpPermissions as AWS does: one permission per (protocol, ports)."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for protocol, lo, hi, kind, value, description in rules:
        perm = grouped.get((protocol, lo, hi))
        if perm is None:
            perm = {
                "IpProtocol": protocol,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
            if lo is not None:
                perm["FromPort"] = lo
                perm["ToPort"] = hi
            grouped[(protocol, lo, hi)] = perm
        extra = {"Description": description} if description else {}
        if kind == "cidr4":
            perm["IpRanges"].append({"CidrIp": value, **extra})
        elif kind == "cidr6":
            perm["Ipv6Ranges"].append({"CidrIpv6": value, **extra})
        elif kind == "prefix_list":
            perm["PrefixListIds"].append({"PrefixListId": value, **extra})
        else:
            group, pcx, status = value
            pair: dict[str, Any] = {"GroupId": group.id, "UserId": group.vpc.account, **extra}
            if pcx is not None:
                pair.update(VpcId=group.vpc.id, VpcPeeringConnectionId=pcx, PeeringStatus=status)
            perm["UserIdGroupPairs"].append(pair)
    return list(grouped.values())


def _group_json(g: _Group) -> dict[str, Any]:
    return {
        "Description": "default VPC security group" if g.is_default else f"{g.name} (managed by terraform)",
        "GroupId": g.id,
        "GroupName": g.name,
        "IpPermissions": _permissions(g.ingress, g),
        "IpPermissionsEgress": _permissions(g.egress, g),
        "OwnerId": g.vpc.account,
        "SecurityGroupArn": f"arn:aws:ec2:{g.vpc.region}:{g.vpc.account}:security-group/{g.id}",
        "Tags": [] if g.is_default else _tags(g.name),
        "VpcId": g.vpc.id,
    }


def _nacl_entry(
    number: int,
    egress: bool,
    action: str,
    protocol: str,
    cidr: str,
    ports: tuple[int, int] | None = None,
    icmp: tuple[int, int] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Ipv6CidrBlock" if ":" in cidr else "CidrBlock": cidr,
        "Egress": egress,
        "Protocol": protocol,
        "RuleAction": action,
        "RuleNumber": number,
    }
    if ports is not None:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    if icmp is not None:
        entry["IcmpTypeCode"] = {"Code": icmp[1], "Type": icmp[0]}
    return entry


def _star_entries(v: _Vpc, egress: bool, allow_all: bool) -> list[dict[str, Any]]:
    out = []
    if allow_all:
        out.append(_nacl_entry(100, egress, "allow", "-1", "0.0.0.0/0"))
        if v.cidr6 is not None:
            out.append(_nacl_entry(101, egress, "allow", "-1", "::/0"))
    out.append(_nacl_entry(32767, egress, "deny", "-1", "0.0.0.0/0"))
    if v.cidr6 is not None:
        out.append(_nacl_entry(32768, egress, "deny", "-1", "::/0"))
    return out


def _custom_entries(rng: random.Random, v: _Vpc, kind: str, egress: bool, count: int) -> list[dict[str, Any]]:
    """`count` entries (plus the `*` rules): a realistic core, then filler allow/deny entries."""
    vpc = str(v.cidr)
    core: list[tuple[str, str, str, tuple[int, int] | None, tuple[int, int] | None]] = []
    ephemeral = (32768, 60999) if rng.random() < 0.2 else (1024, 65535)
    if not egress and kind == "public":
        core += [
            ("deny", "-1", rng.choice(BAD_V4), None, None),
            ("allow", "6", "0.0.0.0/0", (443, 443), None),
            ("allow", "6", "0.0.0.0/0", (80, 80), None),
            ("allow", "-1", vpc, None, None),
            ("allow", "6", "0.0.0.0/0", (1024, 65535), None),
            ("allow", "6", rng.choice(OFFICE_V4), (22, 22), None),
            ("allow", "1", "0.0.0.0/0", None, (8, -1)),
            ("deny", "6", "0.0.0.0/0", (3389, 3389), None),
            ("allow", "17", "0.0.0.0/0", (1024, 65535), None),
        ]
        if v.cidr6 is not None:
            core += [("allow", "6", "::/0", (443, 443), None), ("allow", "6", "::/0", (1024, 65535), None)]
    elif not egress:
        core += [
            ("allow", "-1", vpc, None, None),
            ("allow", "-1", "10.0.0.0/8", None, None),
            ("deny", "6", "0.0.0.0/0", (22, 22), None),
            ("allow", "6", "0.0.0.0/0", (1024, 65535), None),
            ("allow", "17", "0.0.0.0/0", (1024, 65535), None),
        ]
    elif kind == "public":
        core += [
            ("allow", "-1", vpc, None, None),
            ("deny", "-1", rng.choice(BAD_V4), None, None),
            ("allow", "6", "0.0.0.0/0", ephemeral, None),
            ("allow", "6", "0.0.0.0/0", (443, 443), None),
            ("allow", "6", "0.0.0.0/0", (80, 80), None),
            ("allow", "17", "0.0.0.0/0", (53, 53), None),
            ("allow", "1", "0.0.0.0/0", None, (0, -1)),
            ("allow", "17", "0.0.0.0/0", (1024, 65535), None),
        ]
        if v.cidr6 is not None:
            core += [("allow", "6", "::/0", ephemeral, None), ("allow", "6", "::/0", (443, 443), None)]
    else:
        core += [
            ("allow", "-1", vpc, None, None),
            ("allow", "-1", "10.0.0.0/8", None, None),
            ("allow", "6", "0.0.0.0/0", (443, 443), None),
            ("allow", "6", "0.0.0.0/0", (1024, 65535), None),
        ]
    core = core[:count]
    while len(core) < count:
        action = "deny" if rng.random() < 0.35 else "allow"
        protocol = rng.choice(("6", "6", "17", "-1"))
        ports = None if protocol == "-1" else rng.choice(TCP_PORTS if protocol == "6" else UDP_PORTS)
        cidr = _partner_cidr(rng) if rng.random() < 0.7 else _random_cidr6(rng, None)
        core.append((action, protocol, cidr, ports, None))
    return [
        _nacl_entry(100 + 10 * i, egress, action, protocol, cidr, ports, icmp)
        for i, (action, protocol, cidr, ports, icmp) in enumerate(core)
    ]


def _nacls_json(rng: random.Random, v: _Vpc, entries_per_direction: int) -> Iterator[dict[str, Any]]:
    acls: list[tuple[str, str]] = [(v.default_acl, "default"), *((a, k) for k, a in sorted(v.custom_acls.items()))]
    for acl_id, kind in acls:
        if kind == "default":
            entries = _star_entries(v, True, True) + _star_entries(v, False, True)
        else:
            entries = (
                _custom_entries(rng, v, kind, True, entries_per_direction)
                + _star_entries(v, True, False)
                + _custom_entries(rng, v, kind, False, entries_per_direction)
                + _star_entries(v, False, False)
            )
        yield {
            "Associations": [
                {
                    "NetworkAclAssociationId": f"aclassoc-{s.id[7:]}",
                    "NetworkAclId": acl_id,
                    "SubnetId": s.id,
                }
                for s in v.subnets
                if s.acl == acl_id
            ],
            "Entries": entries,
            "IsDefault": kind == "default",
            "NetworkAclId": acl_id,
            "OwnerId": v.account,
            "Tags": [] if kind == "default" else _tags(f"vpc-{v.index:03d}-{kind}-nacl"),
            "VpcId": v.id,
        }


def _eni_core(e: _Eni) -> dict[str, Any]:
    """The fields describe-network-interfaces and describe-instances share."""
    s = e.subnet
    v = s.vpc
    association = (
        {
            "IpOwnerId": "amazon",
            "PublicDnsName": _dns(v.region, e.public_ip, True),
            "PublicIp": e.public_ip,
        }
        if e.public_ip
        else None
    )
    privates = []
    for i, ip in enumerate(e.private_ips):
        entry: dict[str, Any] = {"Primary": i == 0, "PrivateDnsName": _dns(v.region, ip, False), "PrivateIpAddress": ip}
        if i == 0 and association:
            entry["Association"] = association
        privates.append(entry)
    out: dict[str, Any] = {
        "Description": {
            "instance": "",
            "elb": f"ELB app/alb-{v.index:03d}/{e.id[4:20]}",
            "lambda": f"AWS Lambda VPC ENI-fn-{e.n % 97}-{e.id[4:12]}",
            "endpoint": f"VPC Endpoint Interface vpce-{e.id[4:21]}",
            "nat": f"Interface for NAT Gateway {v.nat}",
        }[e.kind],
        "Groups": [{"GroupId": g.id, "GroupName": g.name} for g in e.groups],
        "InterfaceType": INTERFACE_TYPES.get(e.kind, "interface"),
        "Ipv6Addresses": [{"IsPrimaryIpv6": False, "Ipv6Address": a} for a in e.ipv6s],
        "MacAddress": "0e:" + ":".join(f"{(e.n * 2654435761 >> (8 * i)) & 255:02x}" for i in range(4, -1, -1)),
        "NetworkInterfaceId": e.id,
        "OwnerId": v.account,
        "PrivateDnsName": _dns(v.region, e.private_ips[0], False),
        "PrivateIpAddress": e.private_ips[0],
        "PrivateIpAddresses": privates,
        "SourceDestCheck": e.kind != "nat",
        "Status": "in-use",
        "SubnetId": s.id,
        "VpcId": v.id,
    }
    if association:
        out["Association"] = association
    return out


def _eni_json(e: _Eni) -> dict[str, Any]:
    out = _eni_core(e)
    attachment: dict[str, Any] = {
        "AttachTime": _time(e.n),
        "AttachmentId": f"eni-attach-{e.id[4:]}",
        "DeleteOnTermination": e.kind == "instance" and e.device_index == 0,
        "DeviceIndex": e.device_index if e.kind == "instance" else 1,
        "NetworkCardIndex": 0,
        "Status": "attached",
    }
    if e.kind == "instance":
        attachment["InstanceId"] = e.instance_id
        attachment["InstanceOwnerId"] = e.subnet.vpc.account
    else:
        attachment["InstanceOwnerId"] = {
            "elb": "amazon-elb",
            "lambda": "amazon-aws",
            "endpoint": "amazon-aws",
            "nat": "amazon-aws",
        }[e.kind]
    out.update(
        Attachment=attachment,
        AvailabilityZone=e.subnet.az,
        RequesterManaged=e.kind != "instance",
        TagSet=[],
    )
    if e.kind != "instance":
        out["RequesterId"] = {
            "elb": "amazon-elb",
            "lambda": "AROAEXAMPLELAMBDA:fn",
            "endpoint": "727180483921",
            "nat": "AROAEXAMPLENAT:nat",
        }[e.kind]
    return out


def _instance_json(inst: _Instance) -> dict[str, Any]:
    primary = inst.enis[0]
    s = primary.subnet
    v = s.vpc
    enis = []
    for e in inst.enis:
        core = _eni_core(e)
        core["Attachment"] = {
            "AttachTime": _time(inst.n),
            "AttachmentId": f"eni-attach-{e.id[4:]}",
            "DeleteOnTermination": e.device_index == 0,
            "DeviceIndex": e.device_index,
            "NetworkCardIndex": 0,
            "Status": "attached",
        }
        enis.append(core)
    out: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "Architecture": "arm64" if inst.instance_type.startswith("c6g") else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": _time(inst.n),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": f"vol-{inst.id[2:]}",
                },
            }
        ],
        "BootMode": "uefi-preferred",
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "ClientToken": f"terraform-{inst.id[2:14]}",
        "CpuOptions": {"CoreCount": 1 + inst.n % 4, "ThreadsPerCore": 2},
        "CurrentInstanceBootMode": "legacy-bios",
        "EbsOptimized": True,
        "EnaSupport": True,
        "EnclaveOptions": {"Enabled": False},
        "HibernationOptions": {"Configured": False},
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{v.account}:instance-profile/{_role_name(inst.n)}-profile",
            "Id": f"AIPA{inst.id[2:18].upper()}",
        },
        "ImageId": f"ami-{inst.id[2:19]}",
        "InstanceId": inst.id,
        "InstanceType": inst.instance_type,
        "KeyName": "ops",
        "LaunchTime": _time(inst.n),
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "MetadataOptions": {
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "HttpPutResponseHopLimit": 2,
            "HttpTokens": "required",
            "InstanceMetadataTags": "disabled",
            "State": "applied",
        },
        "Monitoring": {"State": "disabled"},
        "NetworkInterfaces": enis,
        "Placement": {"AvailabilityZone": s.az, "GroupName": "", "Tenancy": "default"},
        "PlatformDetails": "Linux/UNIX",
        "PrivateDnsName": _dns(v.region, primary.private_ips[0], False),
        "PrivateDnsNameOptions": {
            "EnableResourceNameDnsAAAARecord": False,
            "EnableResourceNameDnsARecord": False,
            "HostnameType": "ip-name",
        },
        "PrivateIpAddress": primary.private_ips[0],
        "ProductCodes": [],
        "PublicDnsName": _dns(v.region, primary.public_ip, True) if primary.public_ip else "",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupId": g.id, "GroupName": g.name} for g in primary.groups],
        "SourceDestCheck": True,
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": s.id,
        "Tags": _tags(f"{_role_name(inst.n)}-{inst.n:05d}", team=("payments", "search", "platform")[inst.n % 3]),
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": _time(inst.n),
        "VirtualizationType": "hvm",
        "VpcId": v.id,
    }
    if primary.public_ip:
        out["PublicIpAddress"] = primary.public_ip
    return out


def _prefix_list_json(pl: _PrefixList) -> dict[str, Any]:
    owner = "aws" if pl.owner == "AWS" else pl.owner
    out: dict[str, Any] = {
        "AddressFamily": pl.family,
        "OwnerId": pl.owner,
        "PrefixListArn": f"arn:aws:ec2:{pl.region}:{owner}:prefix-list/{pl.id}",
        "PrefixListId": pl.id,
        "PrefixListName": pl.name,
        "State": "create-complete",
        "Tags": [],
        "Version": 3 if pl.owner != "AWS" else 41,
    }
    if pl.max_entries is not None:
        out["MaxEntries"] = pl.max_entries
    return out


class _Writer:
    """Streams `{"Key": [item, ...]}` files in the AWS CLI's layout, one item at a time."""

    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0
        self.nacl_entries = 0

    def count_nacl(self, acl: dict[str, Any]) -> dict[str, Any]:
        self.nacl_entries += len(acl["Entries"])
        return acl

    def write(self, path: Path, key: str, items: Iterable[dict[str, Any]], head: dict[str, Any] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            f.write("{\n")
            if head:
                for hk, hv in head.items():
                    text = json.dumps(hv, indent=4, sort_keys=True).replace("\n", "\n    ")
                    f.write(f'    "{hk}": {text},\n')
            f.write(f'    "{key}": [')
            first = True
            chunk: list[str] = []
            for item in items:
                text = json.dumps(item, indent=4, sort_keys=True).replace("\n", "\n        ")
                chunk.append(("\n        " if first else ",\n        ") + text)
                first = False
                if len(chunk) >= 256:
                    f.write("".join(chunk))
                    chunk.clear()
            f.write("".join(chunk))
            f.write("\n    ]\n}\n" if not first else "]\n}\n")
            self.bytes += f.tell()
        self.files += 1


def _write(estate: _Estate, out: Path) -> _Writer:
    p = estate.params
    rng = random.Random(p.seed * 7919 + 17)  # NACL filler: independent of the estate's own stream
    writer = _Writer()
    single = len(estate.accounts) == 1
    for account in estate.accounts:
        for region in estate.regions:
            folder = out / region if single else out / "accounts" / account / region
            vpcs = [v for v in estate.vpcs if v.account == account and v.region == region]
            vpc_ids = {v.id for v in vpcs}
            enis = [e for e in estate.enis if e.subnet.vpc.id in vpc_ids]
            instances = [i for i in estate.instances if i.enis[0].subnet.vpc.id in vpc_ids]
            writer.write(folder / "Vpcs.json", "Vpcs", (_vpc_json(v) for v in vpcs))
            writer.write(folder / "Subnets.json", "Subnets", (_subnet_json(s) for v in vpcs for s in v.subnets))
            writer.write(folder / "RouteTables.json", "RouteTables", (t for v in vpcs for t in _route_tables_json(v)))
            writer.write(
                folder / "InternetGateways.json",
                "InternetGateways",
                (
                    {
                        "Attachments": [{"State": "available", "VpcId": v.id}],
                        "InternetGatewayId": v.igw,
                        "OwnerId": v.account,
                        "Tags": _tags(f"vpc-{v.index:03d}-igw"),
                    }
                    for v in vpcs
                    if v.igw
                ),
            )
            writer.write(
                folder / "EgressOnlyInternetGateways.json",
                "EgressOnlyInternetGateways",
                (
                    {
                        "Attachments": [{"State": "attached", "VpcId": v.id}],
                        "EgressOnlyInternetGatewayId": v.eigw,
                        "Tags": [],
                    }
                    for v in vpcs
                    if v.eigw
                ),
            )
            writer.write(
                folder / "NatGateways.json",
                "NatGateways",
                (
                    {
                        "ConnectivityType": "public",
                        "CreateTime": _time(v.index),
                        "NatGatewayAddresses": [
                            {
                                "AllocationId": f"eipalloc-{v.nat[4:]}",
                                "AssociationId": f"eipassoc-{v.nat[4:]}",
                                "IsPrimary": True,
                                "NetworkInterfaceId": v.nat_eni.id,
                                "PrivateIp": v.nat_eni.private_ips[0],
                                "PublicIp": v.nat_eni.public_ip,
                                "Status": "succeeded",
                            }
                        ],
                        "NatGatewayId": v.nat,
                        "State": "available",
                        "SubnetId": v.nat_eni.subnet.id,
                        "Tags": _tags(f"vpc-{v.index:03d}-nat"),
                        "VpcId": v.id,
                    }
                    for v in vpcs
                    if v.nat and v.nat_eni is not None
                ),
            )
            writer.write(
                folder / "VpcPeeringConnections.json",
                "VpcPeeringConnections",
                (
                    _peering_json(pcx)
                    for pcx in estate.peerings
                    if pcx.requester.id in vpc_ids or pcx.accepter.id in vpc_ids
                ),
            )
            writer.write(
                folder / "SecurityGroups.json", "SecurityGroups", (_group_json(g) for v in vpcs for g in v.groups)
            )
            writer.write(folder / "NetworkInterfaces.json", "NetworkInterfaces", (_eni_json(e) for e in enis))
            writer.write(
                folder / "Reservations.json",
                "Reservations",
                (
                    {
                        "Groups": [],
                        "Instances": [_instance_json(inst)],
                        "OwnerId": account,
                        "ReservationId": f"r-{inst.id[2:]}",
                    }
                    for inst in instances
                ),
            )
            lists = estate.prefix_lists[(account, region)] + estate.aws_lists[region]
            writer.write(folder / "PrefixLists.json", "PrefixLists", (_prefix_list_json(pl) for pl in lists))
            for pl in lists:
                if pl.entries:
                    writer.write(
                        folder / f"PrefixListEntries-{pl.id}.json",
                        "Entries",
                        (
                            {"Cidr": c, "Description": ""} if pl.owner == "AWS" else {"Cidr": c, "Description": "ok"}
                            for c in pl.entries
                        ),
                        head={"RequestParameters": {"PrefixListId": pl.id}},
                    )
            writer.write(
                folder / "NetworkAcls.json",
                "NetworkAcls",
                (writer.count_nacl(acl) for v in vpcs for acl in _nacls_json(rng, v, p.nacl_entries)),
            )
    return writer


# -- counts -----------------------------------------------------------------------------------
def _counts(estate: _Estate, writer: _Writer, seconds: float) -> dict[str, Any]:
    groups = [g for v in estate.vpcs for g in v.groups]
    ingress = sum(len(g.ingress) for g in groups)
    egress = sum(len(g.egress) for g in groups)
    return {
        "accounts": len(estate.accounts),
        "regions": len(estate.regions),
        "vpcs": len(estate.vpcs),
        "subnets": sum(len(v.subnets) for v in estate.vpcs),
        "public_subnets": sum(s.public for v in estate.vpcs for s in v.subnets),
        "peerings": len(estate.peerings),
        "active_peerings": sum(p.active for p in estate.peerings),
        "security_groups": len(groups),
        "rules": ingress + egress,
        "ingress_rules": ingress,
        "egress_rules": egress,
        "interfaces": len(estate.enis),
        "public_interfaces": sum(e.public_ip is not None for e in estate.enis),
        "ipv6_interfaces": sum(bool(e.ipv6s) for e in estate.enis),
        "instances": len(estate.instances),
        "nat_gateways": sum(bool(v.nat) for v in estate.vpcs),
        "network_acls": sum(1 + len(v.custom_acls) for v in estate.vpcs),
        "custom_network_acls": sum(len(v.custom_acls) for v in estate.vpcs),
        "nacl_entries": writer.nacl_entries,
        "prefix_lists": len({pl.id for lists in estate.prefix_lists.values() for pl in lists})
        + len({pl.id for lists in estate.aws_lists.values() for pl in lists}),
        "files": writer.files,
        "bytes": writer.bytes,
        "seconds": round(seconds, 2),
    }


def generate(out_dir: str | Path, size: str | None = None, **params: Any) -> dict[str, Any]:
    """Write an estate into `out_dir` (replacing an estate generated there before); return its counts."""
    p = params_for(size, **params)
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST).is_file():
            raise FileExistsError(f"{out} is not empty and holds no generated estate; refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    estate = _build(p)
    writer = _write(estate, out)
    counts = _counts(estate, writer, time.perf_counter() - started)
    manifest = {"generator": VERSION, "size": size, "params": dataclasses.asdict(p), "counts": counts}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", required=True, help="directory to write (replaced if it holds a generated estate)")
    parser.add_argument("--size", choices=sorted(PRESETS), help="a preset; other options override it")
    for f in dataclasses.fields(Params):
        if f.name in ("rule_mix", "protocol_mix"):
            parser.add_argument(
                f"--{f.name.replace('_', '-')}",
                type=json.loads,
                help=f"JSON object of weights (default {json.dumps(getattr(Params(), f.name))})",
            )
            continue
        kind = type(getattr(Params(), f.name))
        parser.add_argument(
            f"--{f.name.replace('_', '-')}",
            type=kind,
            default=None,
            help=f"default {getattr(Params(), f.name)} (or the preset's)",
        )
    args = parser.parse_args(argv)
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(Params)}
    try:
        counts = generate(args.out, size=args.size, **overrides)
    except (ValueError, FileExistsError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(counts, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
