"""Which unknown values (from a Terraform plan or a CloudFormation template) an answer depends on.

An IaC input can leave values unknown until it is applied (an instance's address, an AWS-assigned
IPv6 block, a rule whose CIDR is computed). Loaders model the resource without the value and record
an `UnknownValue` naming it. An answer is `unknown`, never a guess, when any resource it depends on
carries one. The dependencies are over-approximated on purpose: the interfaces at both ends, their
subnets, VPCs, route tables, NACLs and security groups, the groups and prefix lists those groups'
rules name (with the members of the referenced groups, whose addresses the rules match), and the
gateways, NAT gateways and peerings the route tables lead to, with the NAT gateways' own subnets.
"""

from __future__ import annotations

from collections.abc import Iterable

from edgeward.model.network import NetworkInterface, PeerKind, UnknownKind, UnknownValue
from edgeward.model.snapshot import Snapshot


def interface_dependencies(snapshot: Snapshot, eni: NetworkInterface) -> set[str]:
    """Ids of every resource whose configuration can change an answer about this interface."""
    ids: set[str] = {eni.id, eni.vpc_id}
    if eni.instance_id:
        ids.add(eni.instance_id)
    subnets = [eni.subnet_id]
    for group_id in eni.group_ids:
        ids.add(group_id)
        group = snapshot.security_groups.get(group_id)
        if group is None:
            continue
        for rule in group.ingress + group.egress:
            if rule.peer_kind is PeerKind.SECURITY_GROUP and rule.group is not None:
                ids.add(rule.group.group_id)
                ids.update(snapshot.members_of_group.get(rule.group.group_id, ()))
            elif rule.peer_kind is PeerKind.PREFIX_LIST and rule.prefix_list_id:
                ids.add(rule.prefix_list_id)
    ids.update(snapshot.internet_gateways_of_vpc.get(eni.vpc_id, ()))
    seen: set[str] = set()
    while subnets:
        subnet_id = subnets.pop()
        if subnet_id in seen:
            continue
        seen.add(subnet_id)
        ids.add(subnet_id)
        acl = snapshot.acl_of_subnet.get(subnet_id)
        if acl:
            ids.add(acl)
        table_id = snapshot.route_table_of_subnet.get(subnet_id)
        table = snapshot.route_tables.get(table_id) if table_id else None
        if table is None:
            continue
        ids.add(table.id)
        for route in table.routes:
            ids.add(route.target_id)
            if route.destination_prefix_list_id:
                ids.add(route.destination_prefix_list_id)
            nat = snapshot.nat_gateways.get(route.target_id)
            if nat is not None:
                subnets.append(nat.subnet_id)
    return ids


def unknowns_for(snapshot: Snapshot, resource_ids: Iterable[str]) -> tuple[UnknownValue, ...]:
    """The unknown values carried by these resources, in a stable order, without repeats."""
    if not snapshot.unknowns_of:
        return ()
    found: dict[tuple[str, str], UnknownValue] = {}
    for ident in sorted(set(resource_ids)):
        for unknown in snapshot.unknowns_of.get(ident, ()):
            found.setdefault((unknown.resource_id, unknown.attribute), unknown)
    return tuple(found.values())


def unknown_addresses(snapshot: Snapshot, vpc_id: str | None = None) -> tuple[UnknownValue, ...]:
    """Unknown interface addresses (in one VPC, or anywhere): an address a user names may be one of them."""
    out: list[UnknownValue] = []
    for ident, values in snapshot.unknowns_of.items():
        eni = snapshot.interfaces.get(ident)
        if eni is None or (vpc_id is not None and eni.vpc_id != vpc_id):
            continue
        out.extend(v for v in values if v.kind is UnknownKind.ADDRESS)
    return tuple(out)
