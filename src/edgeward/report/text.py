"""Plain-text renderings that read like an explanation pasted into a ticket."""

from __future__ import annotations

from collections.abc import Sequence

from edgeward.analysis.exposure import InterfaceExposure, UnknownExposure
from edgeward.analysis.flows import ReachResult, describe_internet_sources
from edgeward.model.snapshot import Snapshot

MARK = {"allow": "ALLOW", "deny": "DENY ", "pass": "  -  "}


def render_reach(result: ReachResult, snapshot: Snapshot) -> str:
    lines = [
        f"{result.verdict.value.upper()}: {result.traffic.describe()} from {result.source} to {result.destination}",
        f"  {result.summary}",
    ]
    if result.source_address or result.destination_address:
        lines.append(
            f"  packet: {result.source_address or '?'} -> {result.destination_address or '?'} "
            f"({result.traffic.describe()})"
        )
    for direction, title in (("forward", "Forward path"), ("return", "Return path")):
        hops = [h for h in result.hops if h.direction == direction]
        if not hops:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for i, hop in enumerate(hops, 1):
            lines.append(f"  {i}. [{MARK.get(hop.decision, hop.decision)}] {hop.component} {hop.resource}")
            lines.append(f"       {hop.text}")
            for rule in hop.rules[1:4]:
                lines.append(f"       also: {rule}")
    if result.ephemeral_ports is not None and result.ephemeral_ports:
        lines.append("")
        lines.append(f"Client ephemeral ports that work both ways: {result.ephemeral_ports.describe()}")
    if result.internet_sources is not None and result.internet_sources:
        lines.append("")
        lines.append(
            f"Internet sources that get through: {describe_internet_sources(snapshot, result.internet_sources, 12)}"
        )
    if result.internet_destinations is not None and result.internet_destinations:
        lines.append("")
        lines.append(
            f"Internet destinations reached: {describe_internet_sources(snapshot, result.internet_destinations, 12)}"
        )
    if result.notes:
        lines.append("")
        lines.extend(f"Note: {note}" for note in result.notes)
    return "\n".join(lines)


def render_exposure(items: list[InterfaceExposure], snapshot: Snapshot, unknown: Sequence[UnknownExposure] = ()) -> str:
    if not items and not unknown:
        return "Nothing in this estate is reachable from the internet."
    lines = (
        [f"{len(items)} interface(s) reachable from the internet:"]
        if items
        else ["Nothing is known to be reachable from the internet."]
    )
    for item in items:
        lines.append("")
        lines.append(f"{item.label}  public: {', '.join(item.public_addresses)}")
        lines.append(
            f"  subnet {item.interface.subnet_id}, security groups {', '.join(item.interface.group_ids) or 'none'}"
        )
        for service in item.services:
            lines.append(
                f"  - {service.protocol_text()} {service.port_text()} "
                f"from {describe_internet_sources(snapshot, service.sources, 8)}"
            )
    if unknown:
        lines.append("")
        lines.append(f"{len(unknown)} interface(s) whose exposure depends on values not known until apply:")
        for entry in unknown:
            lines.append(f"  {entry.label}: {'; '.join(u.describe() for u in entry.unknowns[:3])}")
    if snapshot.notes:
        lines.append("")
        lines.extend(f"Note: {note}" for note in snapshot.notes)
    return "\n".join(lines)
