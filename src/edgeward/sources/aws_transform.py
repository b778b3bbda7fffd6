"""Pure transforms from AWS API responses (boto3 / AWS CLI JSON) to model objects.

Used by the `aws_json` directory loader and by the live collector alike (get -> transform -> load).
Each function takes the list under one top-level response key and a `Context` saying where it came
from; malformed input raises `InputError` naming the file and the JSON path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from edgeward.algebra.addresses import AddressError, parse_cidr
from edgeward.errors import InputError
from edgeward.model.builders import positional_builder
from edgeward.model.network import (
    GroupReference,
    Instance,
    InternetGateway,
    NaclEntry,
    NatGateway,
    NetworkAcl,
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

PROTOCOL_BY_NAME = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "all": -1}


# positional constructors for the objects a large load makes by the hundred thousand
_RULE = positional_builder(SecurityGroupRule)
_GROUP_REFERENCE = positional_builder(GroupReference)
build_source_ref = positional_builder(SourceRef)
build_interface = positional_builder(NetworkInterface)
build_instance = positional_builder(Instance)


@dataclass(frozen=True, slots=True)
class Context:
    """Where a response came from: file, account and region (from the directory layout)."""

    file: str
    account: str = "unknown"
    region: str = "unknown"

    def ref(self, place: str) -> SourceRef:
        return build_source_ref(self.file, place, None, None)

    def error(self, place: str, message: str) -> InputError:
        return InputError(message, file=self.file, place=place)


def _is_map(value: object) -> TypeGuard[Mapping[str, Any]]:
    """`isinstance(value, Mapping)`, with json's dict first (the ABC check is slow on hot paths)."""
    return type(value) is dict or isinstance(value, Mapping)


def _obj(value: Any, ctx: Context, place: str) -> Mapping[str, Any]:
    if type(value) is dict:  # what json gives: skip the slower ABC check
        return value
    if not isinstance(value, Mapping):
        raise ctx.error(place, f"expected an object, found {type(value).__name__}")
    return value


def _list(value: Any, ctx: Context, place: str) -> Sequence[Any]:
    if type(value) is list:
        return value
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


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _opt_int(obj: Mapping[str, Any], key: str, ctx: Context, place: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ctx.error(f"{place}.{key}", f"not an integer: {value!r}") from None


def _cidr(value: Any, ctx: Context, place: str) -> str:
    if not isinstance(value, str):
        raise ctx.error(place, "missing CIDR")
    try:
        parse_cidr(value)
    except AddressError as exc:
        raise ctx.error(place, str(exc)) from None
    return value


def _tags(obj: Mapping[str, Any], key: str = "Tags") -> tuple[tuple[str, str], ...]:
    raw = obj.get(key) or obj.get("TagSet") or []
    out: list[tuple[str, str]] = []
    if isinstance(raw, list):
        for tag in raw:
            if _is_map(tag) and isinstance(tag.get("Key"), str):
                out.append((tag["Key"], str(tag.get("Value", ""))))
    return tuple(out)


def _account(obj: Mapping[str, Any], ctx: Context, key: str = "OwnerId") -> str:
    return _opt_str(obj, key) or ctx.account


def protocol_number(value: Any, ctx: Context, place: str) -> int:
    """`tcp`/`6` -> 6; `-1`/`all` -> -1; anything else 0-255 as given."""
    text = str(value).strip().lower()
    if text in PROTOCOL_BY_NAME:
        return PROTOCOL_BY_NAME[text]
    try:
        number = int(text)
    except ValueError:
        raise ctx.error(place, f"unknown protocol {value!r}") from None
    if number == -1 or 0 <= number <= 255:
        return number
    raise ctx.error(place, f"protocol number out of range: {value!r}")


# -- VPCs and subnets -------------------------------------------------------------------------
def vpcs(items: Sequence[Any], ctx: Context) -> list[Vpc]:
    out = []
    for i, raw in enumerate(items):
        place = f"Vpcs[{i}]"
        item = _obj(raw, ctx, place)
        v4: list[str] = []
        for j, assoc in enumerate(_list(item.get("CidrBlockAssociationSet"), ctx, f"{place}.CidrBlockAssociationSet")):
            state = (assoc.get("CidrBlockState") or {}).get("State", "associated")
            if state in ("associated", "associating"):
                v4.append(_cidr(assoc.get("CidrBlock"), ctx, f"{place}.CidrBlockAssociationSet[{j}].CidrBlock"))
        if not v4 and item.get("CidrBlock"):
            v4.append(_cidr(item.get("CidrBlock"), ctx, f"{place}.CidrBlock"))
        v6: list[str] = []
        for j, assoc in enumerate(
            _list(item.get("Ipv6CidrBlockAssociationSet"), ctx, f"{place}.Ipv6CidrBlockAssociationSet")
        ):
            state = (assoc.get("Ipv6CidrBlockState") or {}).get("State", "associated")
            if state in ("associated", "associating") and assoc.get("Ipv6CidrBlock"):
                v6.append(_cidr(assoc["Ipv6CidrBlock"], ctx, f"{place}.Ipv6CidrBlockAssociationSet[{j}]"))
        out.append(
            Vpc(
                id=_str(item, "VpcId", ctx, place),
                account=_account(item, ctx),
                region=ctx.region,
                cidrs_v4=tuple(v4),
                cidrs_v6=tuple(v6),
                is_default=bool(item.get("IsDefault", False)),
                tags=_tags(item),
                source=ctx.ref(place),
            )
        )
    return out


def subnets(items: Sequence[Any], ctx: Context) -> list[Subnet]:
    out = []
    for i, raw in enumerate(items):
        place = f"Subnets[{i}]"
        item = _obj(raw, ctx, place)
        v6 = [
            _cidr(a.get("Ipv6CidrBlock"), ctx, f"{place}.Ipv6CidrBlockAssociationSet[{j}]")
            for j, a in enumerate(_list(item.get("Ipv6CidrBlockAssociationSet"), ctx, place))
            if (a.get("Ipv6CidrBlockState") or {}).get("State", "associated") in ("associated", "associating")
        ]
        cidr = item.get("CidrBlock")
        out.append(
            Subnet(
                id=_str(item, "SubnetId", ctx, place),
                vpc_id=_str(item, "VpcId", ctx, place),
                account=_account(item, ctx),
                region=ctx.region,
                cidr_v4=_cidr(cidr, ctx, f"{place}.CidrBlock") if cidr else None,
                cidrs_v6=tuple(v6),
                availability_zone=str(item.get("AvailabilityZone", "")),
                map_public_ip_on_launch=bool(item.get("MapPublicIpOnLaunch", False)),
                tags=_tags(item),
                source=ctx.ref(place),
            )
        )
    return out


# -- routing ----------------------------------------------------------------------------------
_TARGET_KEYS: tuple[tuple[str, RouteTarget | None], ...] = (
    ("NatGatewayId", RouteTarget.NAT_GATEWAY),
    ("VpcPeeringConnectionId", RouteTarget.PEERING),
    ("TransitGatewayId", RouteTarget.TRANSIT_GATEWAY),
    ("EgressOnlyInternetGatewayId", RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY),
    ("CarrierGatewayId", RouteTarget.CARRIER_GATEWAY),
    ("LocalGatewayId", RouteTarget.LOCAL_GATEWAY),
    ("CoreNetworkArn", RouteTarget.CORE_NETWORK),
    ("InstanceId", RouteTarget.INSTANCE),
    ("NetworkInterfaceId", RouteTarget.NETWORK_INTERFACE),
    ("GatewayId", None),  # igw-, vgw-, vpce-, local: decided by the id
)


def _gateway_kind(target_id: str) -> RouteTarget:
    if target_id == "local":
        return RouteTarget.LOCAL
    if target_id.startswith("igw-"):
        return RouteTarget.INTERNET_GATEWAY
    if target_id.startswith("vgw-"):
        return RouteTarget.VIRTUAL_PRIVATE_GATEWAY
    if target_id.startswith("vpce-"):
        return RouteTarget.VPC_ENDPOINT
    if target_id.startswith("eigw-"):
        return RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY
    return RouteTarget.OTHER


def route(item: Mapping[str, Any], ctx: Context, place: str, index: int = 0) -> Route:
    destination = item.get("DestinationCidrBlock") or item.get("DestinationIpv6CidrBlock")
    prefix_list = _opt_str(item, "DestinationPrefixListId")
    if destination is not None:
        destination = _cidr(destination, ctx, f"{place}.DestinationCidrBlock")
    elif prefix_list is None:
        raise ctx.error(place, "route has no destination (DestinationCidrBlock, Ipv6 or prefix list)")
    target = RouteTarget.OTHER
    target_id = ""
    for key, kind in _TARGET_KEYS:
        value = _opt_str(item, key)
        if value:
            target_id = value
            target = kind if kind is not None else _gateway_kind(value)
            # an instance route also reports its interface; the instance is the more useful name
            break
    return Route(
        destination=destination,
        target=target,
        target_id=target_id or "unknown",
        destination_prefix_list_id=prefix_list,
        blackhole=str(item.get("State", "active")) == "blackhole",
        origin=str(item.get("Origin", "")),
        index=index,
    )


def route_tables(items: Sequence[Any], ctx: Context) -> list[RouteTable]:
    out = []
    for i, raw in enumerate(items):
        place = f"RouteTables[{i}]"
        item = _obj(raw, ctx, place)
        routes = tuple(
            route(_obj(r, ctx, f"{place}.Routes[{j}]"), ctx, f"{place}.Routes[{j}]", j)
            for j, r in enumerate(_list(item.get("Routes"), ctx, f"{place}.Routes"))
        )
        subnet_ids: list[str] = []
        is_main = False
        for j, assoc in enumerate(_list(item.get("Associations"), ctx, f"{place}.Associations")):
            a = _obj(assoc, ctx, f"{place}.Associations[{j}]")
            state = (a.get("AssociationState") or {}).get("State", "associated")
            if state not in ("associated", "associating"):
                continue
            if a.get("Main"):
                is_main = True
            if a.get("SubnetId"):
                subnet_ids.append(str(a["SubnetId"]))
        out.append(
            RouteTable(
                id=_str(item, "RouteTableId", ctx, place),
                vpc_id=_str(item, "VpcId", ctx, place),
                account=_account(item, ctx),
                region=ctx.region,
                routes=routes,
                subnet_ids=tuple(subnet_ids),
                is_main=is_main,
                tags=_tags(item),
                source=ctx.ref(place),
            )
        )
    return out


def internet_gateways(items: Sequence[Any], ctx: Context, *, egress_only: bool = False) -> list[InternetGateway]:
    key = "EgressOnlyInternetGateways" if egress_only else "InternetGateways"
    id_key = "EgressOnlyInternetGatewayId" if egress_only else "InternetGatewayId"
    out = []
    for i, raw in enumerate(items):
        place = f"{key}[{i}]"
        item = _obj(raw, ctx, place)
        vpc_ids = tuple(
            str(a["VpcId"])
            for a in _list(item.get("Attachments"), ctx, f"{place}.Attachments")
            if _is_map(a) and a.get("VpcId") and a.get("State", "available") in ("available", "attached")
        )
        out.append(
            InternetGateway(
                id=_str(item, id_key, ctx, place),
                vpc_ids=vpc_ids,
                account=_account(item, ctx),
                region=ctx.region,
                egress_only=egress_only,
                source=ctx.ref(place),
            )
        )
    return out


def nat_gateways(items: Sequence[Any], ctx: Context) -> list[NatGateway]:
    out = []
    for i, raw in enumerate(items):
        place = f"NatGateways[{i}]"
        item = _obj(raw, ctx, place)
        addresses = [a for a in _list(item.get("NatGatewayAddresses"), ctx, place) if _is_map(a)]
        out.append(
            NatGateway(
                id=_str(item, "NatGatewayId", ctx, place),
                vpc_id=_str(item, "VpcId", ctx, place),
                subnet_id=_str(item, "SubnetId", ctx, place),
                account=ctx.account,
                region=ctx.region,
                private_ips=tuple(str(a["PrivateIp"]) for a in addresses if a.get("PrivateIp")),
                public_ips=tuple(str(a["PublicIp"]) for a in addresses if a.get("PublicIp")),
                state=str(item.get("State", "available")),
                connectivity=str(item.get("ConnectivityType", "public")),
                source=ctx.ref(place),
            )
        )
    return out


def peering_connections(items: Sequence[Any], ctx: Context) -> list[PeeringConnection]:
    out = []
    for i, raw in enumerate(items):
        place = f"VpcPeeringConnections[{i}]"
        item = _obj(raw, ctx, place)

        def side(key: str, item: Mapping[str, Any] = item, place: str = place) -> PeeringSide:
            info = _obj(item.get(key), ctx, f"{place}.{key}")
            cidrs = [c["CidrBlock"] for c in info.get("CidrBlockSet") or [] if c.get("CidrBlock")]
            cidrs += [c["Ipv6CidrBlock"] for c in info.get("Ipv6CidrBlockSet") or [] if c.get("Ipv6CidrBlock")]
            if not cidrs and info.get("CidrBlock"):
                cidrs.append(info["CidrBlock"])
            return PeeringSide(
                vpc_id=_str(info, "VpcId", ctx, f"{place}.{key}"),
                account=str(info.get("OwnerId", ctx.account)),
                region=str(info.get("Region", ctx.region)),
                cidrs=tuple(cidrs),
            )

        status = item.get("Status")
        out.append(
            PeeringConnection(
                id=_str(item, "VpcPeeringConnectionId", ctx, place),
                requester=side("RequesterVpcInfo"),
                accepter=side("AccepterVpcInfo"),
                status=str(status.get("Code", "unknown")) if _is_map(status) else "unknown",
                source=ctx.ref(place),
            )
        )
    return out


def vpn_gateways(items: Sequence[Any], ctx: Context) -> list[VpnGateway]:
    out = []
    for i, raw in enumerate(items):
        place = f"VpnGateways[{i}]"
        item = _obj(raw, ctx, place)
        vpc_ids = tuple(
            str(a["VpcId"])
            for a in _list(item.get("VpcAttachments"), ctx, place)
            if _is_map(a) and a.get("State") == "attached"
        )
        out.append(
            VpnGateway(
                id=_str(item, "VpnGatewayId", ctx, place),
                vpc_ids=vpc_ids,
                account=ctx.account,
                region=ctx.region,
                source=ctx.ref(place),
            )
        )
    return out


def vpn_tunnels(items: Sequence[Any], ctx: Context) -> dict[str, tuple[int, int]]:
    """describe-vpn-connections: VPN gateway id -> (tunnels UP, tunnels in all) over available connections."""
    out: dict[str, tuple[int, int]] = {}
    for i, raw in enumerate(items):
        item = _obj(raw, ctx, f"VpnConnections[{i}]")
        vgw = _opt_str(item, "VpnGatewayId")
        if vgw is None or item.get("State") not in (None, "available"):
            continue
        telemetry = [
            t
            for t in _list(item.get("VgwTelemetry"), ctx, f"VpnConnections[{i}].VgwTelemetry")
            if _is_map(t)
        ]
        up = sum(1 for t in telemetry if str(t.get("Status", "")).upper() == "UP")
        prev_up, prev_total = out.get(vgw, (0, 0))
        out[vgw] = (prev_up + up, prev_total + len(telemetry))
    return out


# -- interfaces and instances -----------------------------------------------------------------
def _interface(item: Mapping[str, Any], ctx: Context, place: str, instance_id: str | None) -> NetworkInterface:
    privates: list[str] = []
    publics: list[str] = []
    entries = _list(item.get("PrivateIpAddresses"), ctx, f"{place}.PrivateIpAddresses")
    for entry in sorted((e for e in entries if _is_map(e)), key=lambda e: not e.get("Primary", False)):
        if entry.get("PrivateIpAddress"):
            privates.append(str(entry["PrivateIpAddress"]))
        assoc = entry.get("Association")
        if _is_map(assoc) and assoc.get("PublicIp"):
            publics.append(str(assoc["PublicIp"]))
    if not privates and item.get("PrivateIpAddress"):
        privates.append(str(item["PrivateIpAddress"]))
    assoc = item.get("Association")
    if _is_map(assoc) and assoc.get("PublicIp") and str(assoc["PublicIp"]) not in publics:
        publics.insert(0, str(assoc["PublicIp"]))
    ipv6s = tuple(
        str(a["Ipv6Address"])
        for a in _list(item.get("Ipv6Addresses"), ctx, f"{place}.Ipv6Addresses")
        if _is_map(a) and a.get("Ipv6Address")
    )
    attachment = item.get("Attachment") if _is_map(item.get("Attachment")) else {}
    assert _is_map(attachment)
    groups = tuple(
        _str(_obj(g, ctx, f"{place}.Groups[{j}]"), "GroupId", ctx, f"{place}.Groups[{j}]")
        for j, g in enumerate(_list(item.get("Groups"), ctx, f"{place}.Groups"))
    )
    device_index = attachment.get("DeviceIndex")
    return build_interface(  # every field, in order (NetworkInterface)
        _str(item, "NetworkInterfaceId", ctx, place),
        _str(item, "VpcId", ctx, place),
        _str(item, "SubnetId", ctx, place),
        _account(item, ctx),
        ctx.region,
        tuple(privates),
        ipv6s,
        tuple(publics),
        groups,
        instance_id or _opt_str(attachment, "InstanceId"),
        int(device_index) if isinstance(device_index, int) else None,
        str(item.get("InterfaceType", "interface")),
        str(item.get("Description", "")),
        bool(item.get("RequesterManaged", False)),
        str(item.get("Status", "in-use")),
        _tags(item, "TagSet") or _tags(item),
        ctx.ref(place),
    )


def network_interfaces(items: Sequence[Any], ctx: Context) -> list[NetworkInterface]:
    return [
        _interface(_obj(raw, ctx, f"NetworkInterfaces[{i}]"), ctx, f"NetworkInterfaces[{i}]", None)
        for i, raw in enumerate(items)
    ]


@dataclass(frozen=True, slots=True)
class PendingInterface:
    """An interface described inside Reservations, transformed only if NetworkInterfaces lacks it."""

    id: str
    item: Mapping[str, Any]
    ctx: Context
    place: str
    instance_id: str

    def transform(self) -> NetworkInterface:
        return _interface(self.item, self.ctx, self.place, self.instance_id)


def reservations(items: Sequence[Any], ctx: Context) -> tuple[list[Instance], list[NetworkInterface]]:
    """Instances, and the interfaces described inside them (used when NetworkInterfaces is absent)."""
    instances, pending = reservations_lean(items, ctx)
    return instances, [p.transform() for p in pending]


def reservations_lean(items: Sequence[Any], ctx: Context) -> tuple[list[Instance], list[PendingInterface]]:
    """Instances, and their interfaces left untransformed: a full describe-instances output repeats
    every interface of describe-network-interfaces, so transforming them twice is wasted work."""
    instances: list[Instance] = []
    interfaces: list[PendingInterface] = []
    for i, raw in enumerate(items):
        reservation = _obj(raw, ctx, f"Reservations[{i}]")
        owner = _opt_str(reservation, "OwnerId") or ctx.account
        for j, raw_inst in enumerate(_list(reservation.get("Instances"), ctx, f"Reservations[{i}].Instances")):
            place = f"Reservations[{i}].Instances[{j}]"
            inst = _obj(raw_inst, ctx, place)
            instance_id = _str(inst, "InstanceId", ctx, place)
            state = inst.get("State")
            enis: list[tuple[int, PendingInterface]] = []
            for k, raw_eni in enumerate(_list(inst.get("NetworkInterfaces"), ctx, f"{place}.NetworkInterfaces")):
                eni_place = f"{place}.NetworkInterfaces[{k}]"
                eni_obj = _obj(raw_eni, ctx, eni_place)
                if "OwnerId" not in eni_obj:
                    eni_obj = {**eni_obj, "OwnerId": owner}
                attachment = eni_obj.get("Attachment")
                device_index = attachment.get("DeviceIndex") if _is_map(attachment) else None
                order = int(device_index) if isinstance(device_index, int) else 99
                eni_id = _str(eni_obj, "NetworkInterfaceId", ctx, eni_place)
                enis.append((order, PendingInterface(eni_id, eni_obj, ctx, eni_place, instance_id)))
            enis.sort(key=lambda e: e[0])
            interfaces.extend(e for _, e in enis)
            instances.append(
                build_instance(  # every field, in order (Instance)
                    instance_id,
                    owner,
                    ctx.region,
                    tuple(e.id for _, e in enis),
                    str(state.get("Name", "running")) if _is_map(state) else "running",
                    _tags(inst),
                    ctx.ref(place),
                )
            )
    return instances, interfaces


# -- security groups and prefix lists ---------------------------------------------------------
def _permission_rules(
    perm: Mapping[str, Any], group_id: str, egress: bool, ctx: Context, place: str
) -> list[SecurityGroupRule]:
    protocol = protocol_number(perm.get("IpProtocol", "-1"), ctx, f"{place}.IpProtocol")
    from_port = _opt_int(perm, "FromPort", ctx, place)
    to_port = _opt_int(perm, "ToPort", ctx, place)
    rules: list[SecurityGroupRule] = []
    # Positional construction: the hot loop of a large load (one rule per CIDR, list or group).
    rule = _RULE
    CIDR, LISTED, GROUP = PeerKind.CIDR, PeerKind.PREFIX_LIST, PeerKind.SECURITY_GROUP
    for key, cidr_key in (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")):
        for j, r in enumerate(_list(perm.get(key), ctx, f"{place}.{key}")):
            where = f"{place}.{key}[{j}]"
            cidr = _cidr(_obj(r, ctx, where).get(cidr_key), ctx, f"{where}.{cidr_key}")
            description = str(r.get("Description", ""))
            rules.append(
                rule(group_id, egress, protocol, from_port, to_port, CIDR, cidr, None, None, description, None, where)
            )
    for j, r in enumerate(_list(perm.get("PrefixListIds"), ctx, f"{place}.PrefixListIds")):
        where = f"{place}.PrefixListIds[{j}]"
        pl = _str(_obj(r, ctx, where), "PrefixListId", ctx, where)
        description = str(r.get("Description", ""))
        rules.append(
            rule(group_id, egress, protocol, from_port, to_port, LISTED, None, None, pl, description, None, where)
        )
    for j, r in enumerate(_list(perm.get("UserIdGroupPairs"), ctx, f"{place}.UserIdGroupPairs")):
        where = f"{place}.UserIdGroupPairs[{j}]"
        pair = _obj(r, ctx, where)
        ref = _GROUP_REFERENCE(
            _str(pair, "GroupId", ctx, where),
            _opt_str(pair, "UserId"),
            _opt_str(pair, "VpcId"),
            _opt_str(pair, "VpcPeeringConnectionId"),
            _opt_str(pair, "PeeringStatus"),
        )
        description = str(pair.get("Description", ""))
        rules.append(
            rule(group_id, egress, protocol, from_port, to_port, GROUP, None, ref, None, description, None, where)
        )
    return rules


def security_groups(items: Sequence[Any], ctx: Context) -> list[SecurityGroup]:
    out = []
    for i, raw in enumerate(items):
        place = f"SecurityGroups[{i}]"
        item = _obj(raw, ctx, place)
        group_id = _str(item, "GroupId", ctx, place)
        ingress: list[SecurityGroupRule] = []
        egress: list[SecurityGroupRule] = []
        for key, bucket, is_egress in (
            ("IpPermissions", ingress, False),
            ("IpPermissionsEgress", egress, True),
        ):
            for j, perm in enumerate(_list(item.get(key), ctx, f"{place}.{key}")):
                where = f"{place}.{key}[{j}]"
                bucket.extend(_permission_rules(_obj(perm, ctx, where), group_id, is_egress, ctx, where))
        out.append(
            SecurityGroup(
                id=group_id,
                name=str(item.get("GroupName", group_id)),
                vpc_id=_str(item, "VpcId", ctx, place),
                account=_account(item, ctx),
                region=ctx.region,
                ingress=tuple(ingress),
                egress=tuple(egress),
                description=str(item.get("Description", "")),
                tags=_tags(item),
                source=ctx.ref(place),
            )
        )
    return out


def prefix_lists(items: Sequence[Any], ctx: Context) -> list[PrefixList]:
    """Both shapes under `PrefixLists`: old describe-prefix-lists (with `Cidrs`) and
    describe-managed-prefix-lists (metadata only; entries come from an `Entries` envelope)."""
    out = []
    for i, raw in enumerate(items):
        place = f"PrefixLists[{i}]"
        item = _obj(raw, ctx, place)
        name = str(item.get("PrefixListName", ""))
        owner = str(item.get("OwnerId", "AWS"))
        cidrs = tuple(_cidr(c, ctx, f"{place}.Cidrs[{j}]") for j, c in enumerate(_list(item.get("Cidrs"), ctx, place)))
        out.append(
            PrefixList(
                id=_str(item, "PrefixListId", ctx, place),
                name=name,
                cidrs=cidrs,
                max_entries=_opt_int(item, "MaxEntries", ctx, place),
                owner=owner,
                address_family=str(item.get("AddressFamily", "IPv4")),
                source=ctx.ref(place),
            )
        )
    return out


def prefix_list_entries(items: Sequence[Any], ctx: Context, place: str = "Entries") -> tuple[str, ...]:
    """The `Entries` of get-managed-prefix-list-entries."""
    return tuple(
        _cidr(_obj(e, ctx, f"{place}[{j}]").get("Cidr"), ctx, f"{place}[{j}].Cidr") for j, e in enumerate(items)
    )


# -- network ACLs -----------------------------------------------------------------------------
def _nacl_entry(item: Mapping[str, Any], ctx: Context, place: str) -> NaclEntry:
    cidr_raw = item.get("CidrBlock") or item.get("Ipv6CidrBlock")
    cidr = _cidr(cidr_raw, ctx, f"{place}.CidrBlock")
    number = _opt_int(item, "RuleNumber", ctx, place)
    if number is None or not 1 <= number <= 32768:
        raise ctx.error(f"{place}.RuleNumber", f"rule number must be 1-32766 (or 32767/32768 for *), got {number}")
    action = str(item.get("RuleAction", "")).lower()
    if action not in ("allow", "deny"):
        raise ctx.error(f"{place}.RuleAction", f"must be allow or deny, got {action!r}")
    ports = item.get("PortRange") if _is_map(item.get("PortRange")) else None
    icmp = item.get("IcmpTypeCode") if _is_map(item.get("IcmpTypeCode")) else None
    return NaclEntry(
        rule_number=number,
        egress=bool(item.get("Egress", False)),
        allow=action == "allow",
        protocol=protocol_number(item.get("Protocol", "-1"), ctx, f"{place}.Protocol"),
        cidr=cidr,
        port_from=_opt_int(ports, "From", ctx, f"{place}.PortRange") if ports else None,
        port_to=_opt_int(ports, "To", ctx, f"{place}.PortRange") if ports else None,
        icmp_type=_opt_int(icmp, "Type", ctx, f"{place}.IcmpTypeCode") if icmp else None,
        icmp_code=_opt_int(icmp, "Code", ctx, f"{place}.IcmpTypeCode") if icmp else None,
        position=place,
    )


def network_acls(items: Sequence[Any], ctx: Context) -> list[NetworkAcl]:
    out = []
    for i, raw in enumerate(items):
        place = f"NetworkAcls[{i}]"
        item = _obj(raw, ctx, place)
        entries = tuple(
            _nacl_entry(_obj(e, ctx, f"{place}.Entries[{j}]"), ctx, f"{place}.Entries[{j}]")
            for j, e in enumerate(_list(item.get("Entries"), ctx, f"{place}.Entries"))
        )
        subnet_ids = tuple(
            str(a["SubnetId"])
            for a in _list(item.get("Associations"), ctx, f"{place}.Associations")
            if _is_map(a) and a.get("SubnetId")
        )
        out.append(
            NetworkAcl(
                id=_str(item, "NetworkAclId", ctx, place),
                vpc_id=_str(item, "VpcId", ctx, place),
                account=_account(item, ctx),
                region=ctx.region,
                entries=entries,
                subnet_ids=subnet_ids,
                is_default=bool(item.get("IsDefault", False)),
                tags=_tags(item),
                source=ctx.ref(place),
            )
        )
    return out


def elastic_ips(items: Sequence[Any], ctx: Context) -> dict[str, str]:
    """describe-addresses: private IP -> Elastic IP, for interfaces whose own output lacks it."""
    out: dict[str, str] = {}
    for i, raw in enumerate(items):
        item = _obj(raw, ctx, f"Addresses[{i}]")
        if item.get("PrivateIpAddress") and item.get("PublicIp"):
            out[str(item["PrivateIpAddress"])] = str(item["PublicIp"])
    return out

