"""Load a directory of AWS CLI / boto3 outputs.

Each `*.json` file is recognised by its top-level key (`SecurityGroups`, `NetworkAcls`,
`Reservations`, ...), never by its name. Layouts (those of shared/corpus/batfish-aws):

- `DIR/*.json` (one account, one region),
- `DIR/<region>/*.json`,
- `DIR/accounts/<account-id>/<region>/*.json`,

each optionally under an `aws_configs/` folder. A resource's account is its `OwnerId` when the output
gives one, else the account in the path; the region comes from the path.

Responses that do not name their subject carry the request parameters beside them in a small
envelope (see docs/aws_json.md), e.g. `{"RequestParameters": {"PrefixListId": "pl-1"}, "Entries": [...]}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from edgeward.errors import InputError
from edgeward.model.network import (
    NO_SOURCE,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    NetworkEstate,
    NetworkInterface,
    PeeringConnection,
    PrefixList,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
    VpnGateway,
)
from edgeward.sources import aws_json_parallel as parallel
from edgeward.sources import aws_transform as t
from edgeward.sources.aws_edge import EDGE_KEYS
from edgeward.sources.aws_transform import Context

REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
ACCOUNT_RE = re.compile(r"^\d{12}$")

# Keys of AWS outputs that carry nothing edgeward decides on; files with them load silently.
IGNORED_KEYS = frozenset(
    {
        "AvailabilityZones",
        "DhcpOptions",
        "Regions",
        "InstanceStatuses",
        "PlacementGroups",
        "ServiceNames",
        "ServiceDetails",
        "Tags",
        "MovingAddressStatuses",
        "Hosts",
        "ClassicLinkInstances",
        "Instances",  # describe-classic-link-instances
        "CustomerGateways",
        "VpcEndpoints",
        "DBInstances",
        "DomainStatusList",
        "TransitGateways",
        "TransitGatewayAttachments",
        "TransitGatewayRouteTables",
        "TransitGatewayVpcAttachments",
        "TransitGatewayPeeringAttachments",
        "NextToken",
        "ResponseMetadata",
        "RequestParameters",
    }
)


@dataclass
class Collected:
    """Everything read from one or more responses, before the snapshot is built."""

    vpcs: list[Vpc] = field(default_factory=list)
    subnets: list[Subnet] = field(default_factory=list)
    route_tables: list[RouteTable] = field(default_factory=list)
    internet_gateways: list[InternetGateway] = field(default_factory=list)
    nat_gateways: list[NatGateway] = field(default_factory=list)
    peering_connections: list[PeeringConnection] = field(default_factory=list)
    interfaces: list[NetworkInterface] = field(default_factory=list)
    reservation_interfaces: list[NetworkInterface] = field(default_factory=list)
    # interfaces inside Reservations, transformed only when NetworkInterfaces does not describe them
    pending_interfaces: list[t.PendingInterface] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    security_groups: list[SecurityGroup] = field(default_factory=list)
    prefix_lists: list[PrefixList] = field(default_factory=list)
    prefix_list_entries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    network_acls: list[NetworkAcl] = field(default_factory=list)
    vpn_gateways: list[VpnGateway] = field(default_factory=list)
    elastic_ips: dict[str, str] = field(default_factory=dict)
    vpn_tunnels: dict[str, tuple[int, int]] = field(default_factory=dict)
    # responses for other domains (edge, IAM), by top-level key, for their own transforms
    extra: dict[str, list[tuple[Context, dict[str, Any]]]] = field(default_factory=dict)

    def absorb(self, other: Collected) -> None:
        """Add what `other` collected after what this one holds, as if its files were read next."""
        for spec in fields(self):
            mine, theirs = getattr(self, spec.name), getattr(other, spec.name)
            if spec.name == "extra":
                for key, responses in theirs.items():
                    mine.setdefault(key, []).extend(responses)
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                mine.update(theirs)

    def only_interfaces_and_instances(self) -> bool:
        """Nothing collected but interfaces, instances and Reservations' own interfaces."""
        kept = {"interfaces", "instances", "pending_interfaces"}
        return all(spec.name in kept or not getattr(self, spec.name) for spec in fields(self))


Handler = Callable[[Collected, dict[str, Any], Context], None]


def _seq(doc: dict[str, Any], key: str, ctx: Context) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list):
        raise InputError(f"expected a list under {key!r}", file=ctx.file, place=key)
    return value


def _h_prefix_list_entries(c: Collected, doc: dict[str, Any], ctx: Context) -> None:
    params = doc.get("RequestParameters")
    if not isinstance(params, dict) or not isinstance(params.get("PrefixListId"), str):
        raise InputError(
            'get-managed-prefix-list-entries output needs {"RequestParameters": {"PrefixListId": ...}} beside it',
            file=ctx.file,
            place="Entries",
        )
    c.prefix_list_entries[params["PrefixListId"]] = t.prefix_list_entries(_seq(doc, "Entries", ctx), ctx)


def _h_reservations(c: Collected, doc: dict[str, Any], ctx: Context) -> None:
    instances, pending = t.reservations_lean(_seq(doc, "Reservations", ctx), ctx)
    c.instances.extend(instances)
    c.pending_interfaces.extend(pending)


NETWORK_HANDLERS: dict[str, Handler] = {
    "Vpcs": lambda c, d, x: c.vpcs.extend(t.vpcs(_seq(d, "Vpcs", x), x)),
    "Subnets": lambda c, d, x: c.subnets.extend(t.subnets(_seq(d, "Subnets", x), x)),
    "RouteTables": lambda c, d, x: c.route_tables.extend(t.route_tables(_seq(d, "RouteTables", x), x)),
    "InternetGateways": lambda c, d, x: c.internet_gateways.extend(
        t.internet_gateways(_seq(d, "InternetGateways", x), x)
    ),
    "EgressOnlyInternetGateways": lambda c, d, x: c.internet_gateways.extend(
        t.internet_gateways(_seq(d, "EgressOnlyInternetGateways", x), x, egress_only=True)
    ),
    "NatGateways": lambda c, d, x: c.nat_gateways.extend(t.nat_gateways(_seq(d, "NatGateways", x), x)),
    "VpcPeeringConnections": lambda c, d, x: c.peering_connections.extend(
        t.peering_connections(_seq(d, "VpcPeeringConnections", x), x)
    ),
    "NetworkInterfaces": lambda c, d, x: c.interfaces.extend(t.network_interfaces(_seq(d, "NetworkInterfaces", x), x)),
    "Reservations": _h_reservations,
    "SecurityGroups": lambda c, d, x: c.security_groups.extend(t.security_groups(_seq(d, "SecurityGroups", x), x)),
    "PrefixLists": lambda c, d, x: c.prefix_lists.extend(t.prefix_lists(_seq(d, "PrefixLists", x), x)),
    "Entries": _h_prefix_list_entries,
    "NetworkAcls": lambda c, d, x: c.network_acls.extend(t.network_acls(_seq(d, "NetworkAcls", x), x)),
    "VpnGateways": lambda c, d, x: c.vpn_gateways.extend(t.vpn_gateways(_seq(d, "VpnGateways", x), x)),
    "Addresses": lambda c, d, x: c.elastic_ips.update(t.elastic_ips(_seq(d, "Addresses", x), x)),
    "VpnConnections": lambda c, d, x: c.vpn_tunnels.update(t.vpn_tunnels(_seq(d, "VpnConnections", x), x)),
}

# Keys owned by other domains (load balancers, CloudFront, WAF, S3, Lambda, IAM). The responses are
# kept in `Collected.extra` for their own transforms (sources/aws_edge.py, iam_authorization_details.py).
EXTRA_KEYS: set[str] = {
    *EDGE_KEYS,
    "UserDetailList",
    "RoleDetailList",
    "GroupDetailList",
    "Policies",
}


def dispatch(collected: Collected, document: Any, ctx: Context) -> None:
    """Route one response to its transform by top-level key."""
    if not isinstance(document, dict):
        raise InputError("not an AWS API response: expected a JSON object at the top", file=ctx.file)
    matched = False
    for key in document:
        handler = NETWORK_HANDLERS.get(key)
        if handler is not None:
            handler(collected, document, ctx)
            matched = True
        elif key in EXTRA_KEYS:
            collected.extra.setdefault(key, []).append((ctx, document))
            matched = True
        elif key in IGNORED_KEYS:
            matched = True
    if not matched:
        keys = ", ".join(sorted(document)) or "none"
        raise InputError(
            f"unrecognised AWS output (top-level keys: {keys}); expected the JSON of an AWS describe/list call",
            file=ctx.file,
        )


def _walk(root: Path) -> Iterator[tuple[Path, str | None, str | None]]:
    """Yield (file, account, region) for every JSON file under root, per the known layouts."""
    base = root / "aws_configs" if (root / "aws_configs").is_dir() else root
    for path in sorted(base.rglob("*.json")):
        if not path.is_file():
            continue
        parts = path.relative_to(base).parts[:-1]
        account: str | None = None
        region: str | None = None
        for i, part in enumerate(parts):
            if part == "accounts" and i + 1 < len(parts) and ACCOUNT_RE.match(parts[i + 1]):
                account = parts[i + 1]
            elif ACCOUNT_RE.match(part):
                account = part
            elif REGION_RE.match(part):
                region = part
        yield path, account, region


def read_json(path: Path) -> Any:
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


def _context(path: Path, account: str | None, region: str | None) -> Context:
    return Context(file=str(path), account=account or "unknown", region=region or "unknown")


def read_file(file: tuple[Path, str | None, str | None]) -> Collected:
    """One file's responses, in a Collected of their own."""
    collected = Collected()
    dispatch(collected, read_json(file[0]), _context(*file))
    return collected


def collect_directory(root: Path) -> Collected:
    """Every file under `root`, in path order. A large directory is read on two cores
    (sources/aws_json_parallel.py) with exactly the same result."""
    files = list(_walk(root))
    if not files:
        raise InputError("no AWS JSON files found (expected *.json outputs of AWS describe calls)", file=str(root))
    collected = Collected()
    share = parallel.worker_share(files)
    if share is None:
        for path, account, region in files:
            dispatch(collected, read_json(path), _context(path, account, region))
    else:
        parallel.collect_in_parallel(files, share, read_file, collected.absorb)
    return collected


def network_estate(collected: Collected) -> NetworkEstate:
    """Merge what was collected: interfaces from Reservations fill gaps, EIPs attach, entries fill lists."""
    interfaces = {eni.id: eni for eni in collected.interfaces}
    for eni in collected.reservation_interfaces:
        interfaces.setdefault(eni.id, eni)
    for pending in collected.pending_interfaces:
        if pending.id not in interfaces:
            interfaces[pending.id] = pending.transform()
    merged: list[NetworkInterface] = []
    for eni in interfaces.values():
        extra = tuple(
            collected.elastic_ips[ip]
            for ip in eni.private_ipv4s
            if ip in collected.elastic_ips and collected.elastic_ips[ip] not in eni.public_ipv4s
        )
        if extra:
            eni = replace(eni, public_ipv4s=eni.public_ipv4s + extra)
        merged.append(eni)

    lists = {pl.id: pl for pl in collected.prefix_lists}
    for list_id, cidrs in collected.prefix_list_entries.items():
        if list_id in lists:
            lists[list_id] = replace(lists[list_id], cidrs=cidrs)
        else:
            lists[list_id] = PrefixList(id=list_id, name=list_id, cidrs=cidrs, owner="unknown")

    return NetworkEstate(
        vpcs=_once(collected.vpcs),
        subnets=_once(collected.subnets),
        route_tables=_once(collected.route_tables),
        internet_gateways=_once(collected.internet_gateways),
        nat_gateways=_once(collected.nat_gateways),
        peering_connections=_dedupe(collected.peering_connections),
        network_interfaces=tuple(merged),
        instances=tuple(collected.instances),
        security_groups=_once(collected.security_groups),
        prefix_lists=_once(list(lists.values())),
        network_acls=_once(collected.network_acls),
        vpn_gateways=tuple(
            replace(v, tunnels_up=collected.vpn_tunnels[v.id][0], tunnels_total=collected.vpn_tunnels[v.id][1])
            if v.id in collected.vpn_tunnels
            else v
            for v in collected.vpn_gateways
        ),
    )


def _dedupe(connections: list[PeeringConnection]) -> tuple[PeeringConnection, ...]:
    """A peering appears in both accounts' outputs; keep one (the first seen)."""
    seen: dict[str, PeeringConnection] = {}
    for pcx in connections:
        seen.setdefault(pcx.id, pcx)
    return tuple(seen.values())


R = TypeVar("R", Vpc, Subnet, RouteTable, NetworkAcl, SecurityGroup, InternetGateway, NatGateway, PrefixList)


def _once(items: list[R]) -> tuple[R, ...]:
    """Drop exact repeats of one resource read twice: a shared VPC's subnets appear in the owner's
    and in each participant's outputs. Repeats that differ are kept, so the snapshot reports them."""
    first: dict[str, R] = {}
    out: list[R] = []
    for item in items:
        seen = first.get(item.id)
        if seen is not None and replace(seen, source=NO_SOURCE) == replace(item, source=NO_SOURCE):
            continue
        first.setdefault(item.id, item)
        out.append(item)
    return tuple(out)
