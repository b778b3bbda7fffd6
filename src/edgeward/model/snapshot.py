"""The Snapshot: every resource by id, with the derived indexes built once, and validation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from edgeward.algebra.addresses import Addresses, parse_address, union_addresses
from edgeward.errors import ModelError
from edgeward.model.collection import CollectionReport
from edgeward.model.network import (
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
    SourceRef,
    Subnet,
    UnknownValue,
    Vpc,
    VpnGateway,
)

T = TypeVar("T")


def _by_id(items: Iterable[T], kind: str) -> dict[str, T]:
    out: dict[str, T] = {}
    for item in items:
        ident: str = item.id  # type: ignore[attr-defined]
        if ident in out:
            src: SourceRef = item.source  # type: ignore[attr-defined]
            raise ModelError(f"duplicate {kind} id {ident}", file=src.file or None, place=src.place or None)
        out[ident] = item
    return out


def _dangling(source: SourceRef, subject: str, relation: str, kind: str, ident: str) -> ModelError:
    """A reference to a resource the snapshot does not hold."""
    message = f"{subject} {relation} {kind} {ident}, which is not in the snapshot"
    return ModelError(message, file=source.file or None, place=source.place or None)


class Snapshot:
    """A frozen, validated, indexed estate. Build it with `Snapshot.build(...)`.

    `collection` is the report of a live scan (what failed to be collected); None for files.
    """

    def __init__(
        self, network: NetworkEstate, *, edge: Any = None, iam: Any = None, collection: CollectionReport | None = None
    ) -> None:
        self.network = network
        self.edge = edge
        self.iam = iam
        self.collection = collection
        self.vpcs: Mapping[str, Vpc] = _by_id(network.vpcs, "VPC")
        self.subnets: Mapping[str, Subnet] = _by_id(network.subnets, "subnet")
        self.route_tables: Mapping[str, RouteTable] = _by_id(network.route_tables, "route table")
        self.internet_gateways: Mapping[str, InternetGateway] = _by_id(network.internet_gateways, "internet gateway")
        self.nat_gateways: Mapping[str, NatGateway] = _by_id(network.nat_gateways, "NAT gateway")
        self.peering_connections: Mapping[str, PeeringConnection] = _by_id(
            network.peering_connections, "peering connection"
        )
        self.interfaces: Mapping[str, NetworkInterface] = _by_id(network.network_interfaces, "interface")
        self.instances: Mapping[str, Instance] = _by_id(network.instances, "instance")
        self.security_groups: Mapping[str, SecurityGroup] = _by_id(network.security_groups, "security group")
        self.prefix_lists: Mapping[str, PrefixList] = _by_id(network.prefix_lists, "prefix list")
        self.network_acls: Mapping[str, NetworkAcl] = _by_id(network.network_acls, "network ACL")
        self.vpn_gateways: Mapping[str, VpnGateway] = _by_id(network.vpn_gateways, "VPN gateway")
        self.notes: tuple[str, ...] = network.notes
        unknowns: dict[str, list[UnknownValue]] = defaultdict(list)
        for unknown in network.unknowns:
            unknowns[unknown.resource_id].append(unknown)
        self.unknowns_of: Mapping[str, tuple[UnknownValue, ...]] = {k: tuple(v) for k, v in unknowns.items()}
        self._validate()
        self._index()

    @classmethod
    def build(
        cls, network: NetworkEstate, *, edge: Any = None, iam: Any = None, collection: CollectionReport | None = None
    ) -> Snapshot:
        return cls(network, edge=edge, iam=iam, collection=collection)

    # -- validation -------------------------------------------------------------------------
    def _validate(self) -> None:
        for subnet in self.subnets.values():
            if subnet.vpc_id not in self.vpcs:
                raise _dangling(subnet.source, f"subnet {subnet.id}", "is in", "VPC", subnet.vpc_id)
        for eni in self.interfaces.values():
            if eni.subnet_id not in self.subnets:
                raise _dangling(eni.source, f"interface {eni.id}", "is in", "subnet", eni.subnet_id)
            for gid in eni.group_ids:
                if gid not in self.security_groups:
                    raise _dangling(eni.source, f"interface {eni.id}", "has", "security group", gid)
        for table in self.route_tables.values():
            if table.vpc_id not in self.vpcs:
                raise _dangling(table.source, f"route table {table.id}", "is in", "VPC", table.vpc_id)
            for subnet_id in table.subnet_ids:
                if subnet_id not in self.subnets:
                    raise _dangling(table.source, f"route table {table.id}", "is associated with", "subnet", subnet_id)
        for acl in self.network_acls.values():
            for subnet_id in acl.subnet_ids:
                if subnet_id not in self.subnets:
                    raise _dangling(acl.source, f"network ACL {acl.id}", "is associated with", "subnet", subnet_id)
        for group in self.security_groups.values():
            for rule in group.ingress + group.egress:
                if rule.prefix_list_id and rule.prefix_list_id not in self.prefix_lists:
                    # kept: the rule matches nothing we can prove; reported by audit and traces
                    continue
        for nat in self.nat_gateways.values():
            if nat.subnet_id not in self.subnets:
                raise _dangling(nat.source, f"NAT gateway {nat.id}", "is in", "subnet", nat.subnet_id)
        for instance in self.instances.values():
            for eni_id in instance.interface_ids:
                if eni_id not in self.interfaces:
                    raise _dangling(instance.source, f"instance {instance.id}", "has", "interface", eni_id)

    # -- indexes ----------------------------------------------------------------------------
    def _index(self) -> None:
        members: dict[str, list[str]] = defaultdict(list)
        by_subnet: dict[str, list[str]] = defaultdict(list)
        owner_of_ip: dict[str, str] = {}
        owner_of_public_ip: dict[str, str] = {}
        for eni in self.interfaces.values():
            by_subnet[eni.subnet_id].append(eni.id)
            for gid in eni.group_ids:
                members[gid].append(eni.id)
            for ip in eni.private_ipv4s + eni.ipv6s:
                owner_of_ip.setdefault(ip, eni.id)
            for ip in eni.public_ipv4s:
                owner_of_public_ip.setdefault(ip, eni.id)
        self.members_of_group: Mapping[str, tuple[str, ...]] = {k: tuple(v) for k, v in members.items()}
        self.interfaces_of_subnet: Mapping[str, tuple[str, ...]] = {k: tuple(v) for k, v in by_subnet.items()}
        self.interface_by_private_ip: Mapping[str, str] = owner_of_ip
        self.interface_by_public_ip: Mapping[str, str] = owner_of_public_ip

        acl_of_subnet: dict[str, str] = {}
        default_acl_of_vpc: dict[str, str] = {}
        for acl in self.network_acls.values():
            for subnet_id in acl.subnet_ids:
                acl_of_subnet[subnet_id] = acl.id
            if acl.is_default:
                default_acl_of_vpc[acl.vpc_id] = acl.id
        for subnet in self.subnets.values():
            if subnet.id not in acl_of_subnet and subnet.vpc_id in default_acl_of_vpc:
                acl_of_subnet[subnet.id] = default_acl_of_vpc[subnet.vpc_id]
        self.acl_of_subnet: Mapping[str, str] = acl_of_subnet

        table_of_subnet: dict[str, str] = {}
        main_table_of_vpc: dict[str, str] = {}
        for table in self.route_tables.values():
            for subnet_id in table.subnet_ids:
                table_of_subnet[subnet_id] = table.id
            if table.is_main:
                main_table_of_vpc[table.vpc_id] = table.id
        self.explicit_table_of_subnet: Mapping[str, str] = dict(table_of_subnet)
        for subnet in self.subnets.values():
            if subnet.id not in table_of_subnet and subnet.vpc_id in main_table_of_vpc:
                table_of_subnet[subnet.id] = main_table_of_vpc[subnet.vpc_id]
        self.route_table_of_subnet: Mapping[str, str] = table_of_subnet

        igws: dict[str, list[str]] = defaultdict(list)
        for igw in self.internet_gateways.values():
            for vpc_id in igw.vpc_ids:
                igws[vpc_id].append(igw.id)
        self.internet_gateways_of_vpc: Mapping[str, tuple[str, ...]] = {k: tuple(v) for k, v in igws.items()}

        primary: dict[str, str] = {}
        for instance in self.instances.values():
            if instance.interface_ids:
                primary[instance.id] = instance.interface_ids[0]
        for eni in self.interfaces.values():
            if eni.instance_id and eni.instance_id not in primary and eni.device_index in (0, None):
                primary[eni.instance_id] = eni.id
        self.primary_interface_of_instance: Mapping[str, str] = primary

        nat_by_ip: dict[str, str] = {}
        for nat in self.nat_gateways.values():
            for ip in nat.public_ips:
                nat_by_ip[ip] = nat.id
        self.nat_gateway_by_public_ip: Mapping[str, str] = nat_by_ip

    # -- derived address sets ---------------------------------------------------------------
    @cached_property
    def vpc_addresses(self) -> Addresses:
        """Every address inside a VPC CIDR (IPv4 and IPv6) of the estate."""
        return union_addresses(Addresses.from_cidrs(v.cidrs_v4 + v.cidrs_v6) for v in self.vpcs.values())

    @cached_property
    def internet_addresses(self) -> Addresses:
        """Internet hosts: every address outside every VPC of the estate."""
        return self.vpc_addresses.complement()

    @cached_property
    def _vpc_ranges(self) -> tuple[tuple[Addresses, Vpc], ...]:
        """Each VPC with its address set, in snapshot order (built once, not per question)."""
        return tuple((Addresses.from_cidrs(v.cidrs_v4 + v.cidrs_v6), v) for v in self.vpcs.values())

    def vpc_of_address(self, address: str) -> Vpc | None:
        """The first VPC (in snapshot order) whose CIDRs hold the address."""
        version, value = parse_address(address)
        for ranges, vpc in self._vpc_ranges:
            if value in (ranges.v4 if version == 4 else ranges.v6):
                return vpc
        return None

    def groups_of(self, eni: NetworkInterface) -> tuple[SecurityGroup, ...]:
        return tuple(self.security_groups[g] for g in eni.group_ids)

    def describe_interface(self, eni: NetworkInterface) -> str:
        label = eni.id
        if eni.instance_id:
            label += f" ({eni.instance_id}"
            instance = self.instances.get(eni.instance_id)
            if instance and instance.name:
                label += f" {instance.name}"
            label += ")"
        elif eni.name:
            label += f" ({eni.name})"
        elif eni.description:
            label += f" ({eni.description})"
        return label
