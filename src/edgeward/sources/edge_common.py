"""Steps every source shares for the edge estate: CloudFront's dated origin-facing ranges, validation."""

from __future__ import annotations

from dataclasses import replace

from edgeward.model.edge import EdgeEstate, validate_edge
from edgeward.model.network import NetworkEstate
from edgeward.sources.cloudfront_ranges import ORIGIN_FACING_NAMES, dated_copy_date, origin_facing_cidrs


def finish_edge(edge: EdgeEstate, network: NetworkEstate, *, partial: bool = False) -> EdgeEstate:
    """Validate references against the network, and give the analysis CloudFront's origin-facing
    addresses for each family (IPv4, IPv6) the snapshot's prefix lists do not hold, from the dated copy.

    `partial` (a live scan with failed calls): a load balancer whose VPC, subnets or groups were not
    collected is left out with a note instead of failing the snapshot.
    """
    if partial:
        edge = _without_dangling(edge, network)
    validate_edge(
        edge,
        subnet_ids={s.id for s in network.subnets},
        group_ids={g.id for g in network.security_groups},
        vpc_ids={v.id for v in network.vpcs},
    )
    if not edge.distributions:
        return edge
    present = {
        ORIGIN_FACING_NAMES[pl.name] for pl in network.prefix_lists if pl.name in ORIGIN_FACING_NAMES and pl.cidrs
    }
    missing = [family for family in ("ip_prefix", "ipv6_prefix") if family not in present]
    if not missing:
        return edge
    cidrs = tuple(c for family in missing for c in origin_facing_cidrs(family))
    return replace(edge, origin_facing=cidrs, origin_facing_date=dated_copy_date())


def _without_dangling(edge: EdgeEstate, network: NetworkEstate) -> EdgeEstate:
    subnets = {s.id for s in network.subnets}
    groups = {g.id for g in network.security_groups}
    vpcs = {v.id for v in network.vpcs}
    kept = []
    notes = list(edge.notes)
    for lb in edge.load_balancers:
        if lb.vpc_id in vpcs and set(lb.subnet_ids) <= subnets and set(lb.security_group_ids) <= groups:
            kept.append(lb)
        else:
            notes.append(f"load balancer {lb.name} left out: its VPC, subnets or security groups were not collected")
    arns = {lb.arn for lb in kept}
    listeners = tuple(x for x in edge.listeners if x.load_balancer_arn in arns)
    return replace(edge, load_balancers=tuple(kept), listeners=listeners, notes=tuple(notes))
