"""Make a partially collected estate buildable: leave out what refers to resources never collected.

A live scan whose `DescribeSecurityGroups` was denied still has interfaces naming their groups.
A snapshot refuses dangling references (they are input errors in a file), but here the gap is
already reported as a failed call, so the resources that depend on it are left out, each with a
note saying why, and the verbs answer about the rest. Only used when some call failed: a complete
scan with a dangling reference is an error, as it is for a file.
"""

from __future__ import annotations

from dataclasses import replace

from edgeward.model.network import NetworkEstate


def without_dangling(network: NetworkEstate) -> NetworkEstate:
    """The estate minus resources whose references cannot be resolved, with a note for each."""
    notes: list[str] = []
    while True:
        vpcs = {v.id for v in network.vpcs}
        groups = {g.id for g in network.security_groups}
        subnets = tuple(s for s in network.subnets if s.vpc_id in vpcs)
        notes += [
            f"subnet {s.id} left out: its VPC {s.vpc_id} was not collected" for s in network.subnets if s not in subnets
        ]
        subnet_ids = {s.id for s in subnets}

        interfaces = []
        for eni in network.network_interfaces:
            missing = [eni.subnet_id] if eni.subnet_id not in subnet_ids else []
            missing += [g for g in eni.group_ids if g not in groups]
            if missing:
                notes.append(f"interface {eni.id} left out: {', '.join(missing)} not collected")
            else:
                interfaces.append(eni)
        eni_ids = {e.id for e in interfaces}

        tables = []
        for table in network.route_tables:
            if table.vpc_id not in vpcs:
                notes.append(f"route table {table.id} left out: its VPC {table.vpc_id} was not collected")
                continue
            kept = tuple(s for s in table.subnet_ids if s in subnet_ids)
            if kept != table.subnet_ids:
                notes.append(f"route table {table.id}: associations with subnets not collected left out")
                table = replace(table, subnet_ids=kept)
            tables.append(table)

        acls = []
        for acl in network.network_acls:
            kept = tuple(s for s in acl.subnet_ids if s in subnet_ids)
            if kept != acl.subnet_ids:
                notes.append(f"network ACL {acl.id}: associations with subnets not collected left out")
                acl = replace(acl, subnet_ids=kept)
            acls.append(acl)

        nats = tuple(n for n in network.nat_gateways if n.subnet_id in subnet_ids)
        notes += [
            f"NAT gateway {n.id} left out: its subnet {n.subnet_id} was not collected"
            for n in network.nat_gateways
            if n not in nats
        ]

        instances = []
        for instance in network.instances:
            kept = tuple(e for e in instance.interface_ids if e in eni_ids)
            if kept != instance.interface_ids:
                gone = ", ".join(sorted(set(instance.interface_ids) - set(kept)))
                notes.append(f"instance {instance.id}: interfaces left out ({gone})")
                instance = replace(instance, interface_ids=kept)
            instances.append(instance)

        pruned = replace(
            network,
            subnets=subnets,
            network_interfaces=tuple(interfaces),
            route_tables=tuple(tables),
            network_acls=tuple(acls),
            nat_gateways=nats,
            instances=tuple(instances),
        )
        if pruned == network:
            return replace(network, notes=network.notes + tuple(notes))
        network = pruned
