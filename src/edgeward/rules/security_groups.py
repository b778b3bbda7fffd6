"""EW1xx: security groups, judged on what the internet can actually reach and on exact rule spaces."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from edgeward.algebra.addresses import NONE, Addresses, union_addresses
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import ALL_PORTS, TCP, UDP, Box, TrafficSpace, describe_ports
from edgeward.analysis.flows import Endpoint, EndpointKind, Traffic, resolve_endpoint
from edgeward.model.network import NetworkInterface, PeerKind, SecurityGroup, SecurityGroupRule
from edgeward.rules.base import Finding, Rule, Severity, resource_label
from edgeward.rules.common import (
    direction,
    example_source,
    group_finding,
    group_text,
    rule_evidence,
    rule_key,
    rule_line,
    sources_text,
)
from edgeward.rules.context import NEVER_MATCHING, AuditContext, peers_for_all_ports
from edgeward.rules.settings import port_label
from edgeward.semantics.security_groups import describe_rule, rule_protocols_and_ports

FAMILY = "security groups"
SG_RULES_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
SG_REFERENCE_DOC = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#security-group-referencing"
)
REACHABILITY_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html"
FSBP_EC2_13 = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13"
FSBP_EC2_19 = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19"
SSM_DOC = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html"


# -- shared ---------------------------------------------------------------------------------
def _members(ctx: AuditContext, group: SecurityGroup) -> list[NetworkInterface]:
    return [ctx.snapshot.interfaces[e] for e in ctx.snapshot.members_of_group.get(group.id, ())]


def _allowing_rules(
    ctx: AuditContext, eni: NetworkInterface, protocol: int, ports: IntervalSet, sources: Addresses
) -> list[tuple[SecurityGroup, SecurityGroupRule]]:
    """Inbound rules of the interface's groups that admit some of `sources` on some of `ports`."""
    out: list[tuple[SecurityGroup, SecurityGroupRule]] = []
    for group in ctx.snapshot.groups_of(eni):
        for rule in group.ingress:
            protocols, rule_ports = rule_protocols_and_ports(rule)
            if protocol in protocols and rule_ports.overlaps(ports) and ctx.rule_peers(rule).overlaps(sources):
                out.append((group, rule))
    return out


def _severity_for_sources(ctx: AuditContext, sources: Addresses) -> Severity:
    all_v4, all_v6 = ctx.internet_family_coverage(sources)
    return Severity.CRITICAL if all_v4 or all_v6 else Severity.HIGH


def _interface_finding(
    ctx: AuditContext,
    rule_id: str,
    eni: NetworkInterface,
    severity: Severity,
    title: str,
    message: str,
    evidence: dict[str, Any],
    lines: list[str],
    allowing: list[tuple[SecurityGroup, SecurityGroupRule]],
    remediation: str,
    key: str = "",
) -> Finding:
    label, ident, kind = ctx.interface_resource(eni)
    location = allowing[0][0].source if allowing else eni.source
    related = tuple(dict.fromkeys([eni.id, *eni.group_ids]))
    return Finding(
        rule_id=rule_id,
        severity=severity,
        resource=label,
        resource_id=ident,
        resource_type=kind,
        title=title,
        message=message,
        evidence=evidence,
        evidence_text=tuple(lines),
        location=location,
        key=key or eni.id,
        related=related,
        remediation=remediation,
        arn=ctx.interface_arn(eni),
        account=eni.account,
        region=eni.region,
    )


def _interface_header(ctx: AuditContext, eni: NetworkInterface) -> dict[str, Any]:
    return {
        "interface": eni.id,
        "instance": eni.instance_id,
        "vpc": eni.vpc_id,
        "subnet": eni.subnet_id,
        "security_groups": list(eni.group_ids),
        "public_addresses": list(eni.public_ipv4s + eni.ipv6s),
    }


# -- EW101 / EW102: sensitive ports reachable ------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Reached:
    """What one interface class answers on the sensitive ports (the same for every member)."""

    severity: Severity
    port_items: list[dict[str, Any]]
    lines: list[str]
    allowing: list[tuple[SecurityGroup, SecurityGroupRule]]
    services: str
    detail: str


def _reached(
    ctx: AuditContext, eni: NetworkInterface, space: TrafficSpace, ports: Iterable[int], trusted: Addresses
) -> _Reached | None:
    wanted = IntervalSet([(p, p) for p in ports])
    if not space.peers_for_ports(TCP, wanted):
        return None
    items = [(port, space.peers_for(TCP, port) - trusted) for port in ports]
    items = [(port, sources) for port, sources in items if sources]
    if not items:
        return None
    port_items: list[dict[str, Any]] = []
    lines: list[str] = []
    allowing_all: list[tuple[SecurityGroup, SecurityGroupRule]] = []
    for port, sources in items:
        allowing = _allowing_rules(ctx, eni, TCP, IntervalSet.point(port), sources)
        allowing_all.extend(a for a in allowing if a not in allowing_all)
        port_items.append(
            {
                "port": port,
                "protocol": "tcp",
                "service": port_label(port),
                "sources": sources.to_cidrs(),
                "allowed_by": [rule_evidence(g, r) for g, r in allowing],
            }
        )
        lines.append(f"{port_label(port)} from {sources_text(ctx, sources)}")
        lines.extend(f"  allowed by {rule_line(g, r)}" for g, r in allowing)
    return _Reached(
        severity=max((_severity_for_sources(ctx, s) for _, s in items), key=lambda s: s.rank),
        port_items=port_items,
        lines=lines,
        allowing=allowing_all,
        services=", ".join(port_label(p) for p, _ in items),
        detail="; ".join(f"{port_label(p)} from {sources_text(ctx, s)}" for p, s in items[:4]),
    )


def _reachable_ports(
    ctx: AuditContext, rule_id: str, ports: Iterable[int], what: str, trusted: Addresses
) -> Iterator[Finding]:
    ports = tuple(ports)
    per_class: dict[str, _Reached | None] = {}
    for eni in ctx.snapshot.interfaces.values():
        space = ctx.exposure_space(eni)
        if space.is_empty():
            continue
        key = ctx.exposure_class(eni)
        if key not in per_class:
            per_class[key] = _reached(ctx, eni, space, ports, trusted)
        reached = per_class[key]
        if reached is None:
            continue
        label = ctx.interface_text(eni)
        lines = [f"{label} public addresses: {', '.join(eni.public_ipv4s + eni.ipv6s)}", *reached.lines]
        message = (
            f"{label} answers {reached.detail}: an internet gateway, a public address, the subnet's network ACL "
            "(both ways) and its security groups all let it through."
        )
        rules_text = "; ".join(rule_line(g, r) for g, r in reached.allowing[:3])
        remediation = f"Remove or narrow the rule(s) that admit it ({rules_text})" + (
            ", or list your administration networks in trusted_admin_cidrs." if rule_id == "EW101" else "."
        )
        evidence = {**_interface_header(ctx, eni), "ports": reached.port_items}
        yield _interface_finding(
            ctx,
            rule_id,
            eni,
            reached.severity,
            f"{what} reachable from the internet: {reached.services}",
            message,
            evidence,
            lines,
            reached.allowing,
            remediation,
        )


def check_admin_ports(ctx: AuditContext) -> Iterator[Finding]:
    yield from _reachable_ports(
        ctx, "EW101", ctx.settings.admin_ports, "Remote administration", ctx.settings.trusted_admin_cidrs
    )


def check_database_ports(ctx: AuditContext) -> Iterator[Finding]:
    yield from _reachable_ports(ctx, "EW102", ctx.settings.database_ports, "Database or cache", NONE)


# -- EW103: every port reachable ------------------------------------------------------------
def check_all_ports(ctx: AuditContext) -> Iterator[Finding]:
    for eni in ctx.snapshot.interfaces.values():
        space = ctx.exposure_space(eni)
        if space.is_empty():
            continue
        per_protocol = [(p, peers_for_all_ports(space, p, ALL_PORTS)) for p in (TCP, UDP)]
        per_protocol = [(p, s) for p, s in per_protocol if s]
        if not per_protocol:
            continue
        sources = union_addresses(s for _, s in per_protocol)
        allowing: list[tuple[SecurityGroup, SecurityGroupRule]] = []
        for proto, proto_sources in per_protocol:
            for pair in _allowing_rules(ctx, eni, proto, ALL_PORTS, proto_sources):
                _protocols, rule_ports = rule_protocols_and_ports(pair[1])
                if rule_ports == ALL_PORTS and pair not in allowing:
                    allowing.append(pair)
        all_traffic = any(r.protocol == -1 for _, r in allowing)
        names = " and ".join("every TCP port" if p == TCP else "every UDP port" for p, _ in per_protocol)
        what = "all traffic (protocol -1)" if all_traffic else names
        label = ctx.interface_text(eni)
        lines = [f"{label}: {names} from {sources_text(ctx, s)}" for _, s in per_protocol[:1]]
        lines += [f"  allowed by {rule_line(g, r)}" for g, r in allowing]
        evidence = {
            **_interface_header(ctx, eni),
            "protocols": ["tcp" if p == TCP else "udp" for p, _ in per_protocol],
            "all_traffic": all_traffic,
            "sources": sources.to_cidrs(),
            "allowed_by": [rule_evidence(g, r) for g, r in allowing],
        }
        yield _interface_finding(
            ctx,
            "EW103",
            eni,
            _severity_for_sources(ctx, sources),
            f"{what[0].upper()}{what[1:]} reachable from the internet",
            f"{label} answers {names} from {sources_text(ctx, sources)}: every service it runs, including ones "
            "nobody meant to publish, is on the internet.",
            evidence,
            lines,
            allowing,
            "Replace the rule(s) with rules for the ports the service needs: "
            + "; ".join(rule_line(g, r) for g, r in allowing[:3]),
        )


# -- EW104: open to the world in a group, with no public path --------------------------------
UNDECIDED = "not decidable before apply: "


def _sensitive_ports(ctx: AuditContext, rule: SecurityGroupRule) -> tuple[list[int], bool]:
    """(admin/database ports the rule covers, whether it covers every TCP port)."""
    protocols, ports = rule_protocols_and_ports(rule)
    if TCP not in protocols:
        return [], False
    wanted = [p for p in (*ctx.settings.admin_ports, *ctx.settings.database_ports) if p in ports]
    return wanted, ports == ALL_PORTS


def _why_unreachable(ctx: AuditContext, eni: NetworkInterface, peers: Addresses, port: int) -> str:
    unknowns = ctx.exposure_unknowns(eni)
    if unknowns:
        return UNDECIDED + "; ".join(u.describe() for u in unknowns[:3])
    source = example_source(peers & ctx.internet)
    if source is None:
        return "no internet address matches the rule"
    target = Endpoint(EndpointKind.INTERFACE, eni.id, eni)
    client = resolve_endpoint(ctx.snapshot, source, "--from")
    result = ctx.reachability.reach_endpoints(client, target, Traffic(TCP, port=port))
    hop = result.blocking_hop
    return hop.text if hop is not None else result.summary


def check_open_unreachable(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        members = _members(ctx, group)
        for rule in group.ingress:
            peers = ctx.rule_peers(rule)
            all_v4, all_v6 = ctx.internet_family_coverage(peers)
            if not (all_v4 or all_v6):
                continue
            ports, every_port = _sensitive_ports(ctx, rule)
            if not ports and not every_port:
                continue
            probe_ports = ports or [ALL_PORTS.min()]
            check_ports = IntervalSet([(p, p) for p in probe_ports]) if not every_port else ALL_PORTS
            reachable = [
                eni for eni in members if ctx.exposure_space(eni).peers_for_ports(TCP, check_ports).overlaps(peers)
            ]
            if reachable:
                continue  # EW101/EW102/EW103 report the interfaces the internet reaches
            probe = probe_ports[0] if not every_port else (ports[0] if ports else 22)
            reasons: dict[str, list[str]] = {}
            names = {eni.id: ctx.interface_text(eni) for eni in members}
            for eni in members:
                text = _why_unreachable(ctx, eni, peers, probe).replace(eni.id, "the interface")
                reasons.setdefault(text, []).append(eni.id)
            what = "every TCP port" if every_port else ", ".join(port_label(p) for p in ports)
            undecided = any(text.startswith(UNDECIDED) for text in reasons)
            state = "reachability unknown until applied" if undecided else "not reachable now"
            lines = [rule_line(group, rule)]
            if not members:
                why = "no network interface in the snapshot carries this group"
                lines.append(f"not reachable: {why}")
            else:
                why = "; ".join(
                    f"{', '.join(names[e] for e in enis[:3])}{' and others' if len(enis) > 3 else ''}: {text}"
                    for text, enis in list(reasons.items())[:3]
                )
                lines.extend(
                    f"not reachable on {', '.join(names[e] for e in enis)}: {text}" for text, enis in reasons.items()
                )
            yield Finding(
                rule_id="EW104",
                severity=Severity.MEDIUM if undecided else Severity.LOW,
                resource=resource_label(group.id, group.source),
                resource_id=group.id,
                resource_type="security-group",
                title=f"Open to the internet in the group, {state}: {what}",
                message=(
                    f"{group_text(group)} admits {describe_rule(rule)}, which covers {what}, but no "
                    f"interface is provably reachable through it ({why}). One public IP, route or NACL change "
                    "away from exposure."
                ),
                evidence={
                    "rule": rule_evidence(group, rule),
                    "ports": ports,
                    "every_port": every_port,
                    "members": [e.id for e in members],
                    "why_not_reachable": [{"reason": t, "interfaces": enis} for t, enis in reasons.items()]
                    or [{"reason": "no network interface carries this group", "interfaces": []}],
                },
                evidence_text=tuple(lines),
                location=group.source,
                key=rule_key(rule),
                related=tuple(e.id for e in members),
                remediation=f"Narrow {describe_rule(rule)} to the sources that need it; do not rely on the "
                "missing public path.",
                arn=ctx.group_arn(group),
                account=group.account,
                region=group.region,
            )


# -- EW105: wide port ranges open to internet addresses --------------------------------------
def _reachable_members(
    ctx: AuditContext, group: SecurityGroup, protocol: int, ports: IntervalSet, peers: Addresses
) -> list[str]:
    return [
        eni.id
        for eni in _members(ctx, group)
        if ctx.exposure_space(eni).peers_for_ports(protocol, ports).overlaps(peers)
    ]


def check_wide_port_ranges(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.settings.wide_port_range
    for group in ctx.snapshot.security_groups.values():
        for rule in group.ingress:
            if rule.protocol not in (TCP, UDP):
                continue
            _protocols, ports = rule_protocols_and_ports(rule)
            if ports == ALL_PORTS or ports.size() <= limit:
                continue
            public = public_part(ctx, ctx.rule_peers(rule))
            if not public:
                continue
            reachable = _reachable_members(ctx, group, rule.protocol, ports, public)
            state = (
                f"reachable from the internet on {', '.join(reachable)}"
                if reachable
                else "not reachable from the internet today"
            )
            yield group_finding(
                ctx,
                "EW105",
                Severity.MEDIUM,
                group,
                f"Wide port range open to internet addresses: {describe_ports(rule.protocol, ports)}",
                f"{group_text(group)} admits {describe_rule(rule)}: {ports.size()} ports (more than "
                f"{limit}) from internet addresses ({sources_text(ctx, public)}); {state}.",
                {
                    "rule": rule_evidence(group, rule),
                    "port_count": ports.size(),
                    "limit": limit,
                    "internet_sources": public.to_cidrs(),
                    "reachable_on": reachable,
                },
                [rule_line(group, rule), state],
                rule_key(rule),
                "Open only the ports the service listens on.",
                tuple(reachable),
            )


# -- EW106: IPv4 restricted, IPv6 open ------------------------------------------------------
def _ipv6_bypass_ports(ctx: AuditContext, space: TrafficSpace, protocol: int) -> IntervalSet:
    internet = ctx.internet
    relevant = [b for b in space.boxes if protocol in b.protocols]
    cuts = sorted({edge for b in relevant for lo, hi in b.ports for edge in (lo, hi + 1)})
    spans: list[tuple[int, int]] = []
    for lo, nxt in itertools.pairwise(cuts):
        peers = union_addresses(b.peers for b in relevant if lo in b.ports)
        if peers.v6.contains_set(internet.v6) and not peers.v4.is_empty() and not peers.v4.contains_set(internet.v4):
            spans.append((lo, nxt - 1))
    return IntervalSet(spans)


def check_ipv6_bypass(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        space = ctx.semantics.groups.group_space(group, egress=False)
        for protocol in (TCP, UDP):
            ports = _ipv6_bypass_ports(ctx, space, protocol)
            if not ports:
                continue
            v4_rules: list[SecurityGroupRule] = []
            v6_rules: list[SecurityGroupRule] = []
            for rule in group.ingress:
                protocols, rule_ports = rule_protocols_and_ports(rule)
                if protocol not in protocols or not rule_ports.overlaps(ports):
                    continue
                peers = ctx.rule_peers(rule)
                if peers.v6.contains_set(ctx.internet.v6) and peers.v6:
                    v6_rules.append(rule)
                elif peers.v4:
                    v4_rules.append(rule)
            v6_internet = Addresses(NONE.v4, ctx.internet.v6)
            reachable = _reachable_members(ctx, group, protocol, ports, v6_internet)
            severity = Severity.HIGH if reachable else Severity.MEDIUM
            port_text = describe_ports(protocol, ports)
            proto = "tcp" if protocol == TCP else "udp"
            state = f"reachable over IPv6 on {', '.join(reachable)}" if reachable else "not reachable over IPv6 today"
            lines = [f"IPv4 restricted by {rule_line(group, r)}" for r in v4_rules]
            lines += [f"IPv6 open by {rule_line(group, r)}" for r in v6_rules]
            lines.append(state)
            yield group_finding(
                ctx,
                "EW106",
                severity,
                group,
                f"IPv4 restricted but IPv6 open to the internet: {proto} {port_text}",
                f"{group_text(group)} limits IPv4 on {proto} {port_text} to "
                f"{union_addresses(ctx.rule_peers(r) for r in v4_rules).describe(4)} but admits every IPv6 "
                f"internet address on the same ports; {state}. Whoever has IPv6 skips the IPv4 allow-list.",
                {
                    "protocol": proto,
                    "ports": [[lo, hi] for lo, hi in ports],
                    "ipv4_rules": [rule_evidence(group, r) for r in v4_rules],
                    "ipv6_rules": [rule_evidence(group, r) for r in v6_rules],
                    "reachable_over_ipv6_on": reachable,
                },
                lines,
                f"{proto}|{ports.describe()}",
                "Give the IPv6 rule the same restriction as IPv4 (the IPv6 ranges of the same clients), "
                "or remove it: " + "; ".join(describe_rule(r) for r in v6_rules[:3]),
                tuple(reachable),
            )


# -- EW107: large public CIDRs
# Private and shared address space (RFC 1918, RFC 6598, RFC 4193): never "public", even outside the VPCs.
PRIVATE = Addresses.from_cidrs(("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))


def public_part(ctx: AuditContext, peers: Addresses) -> Addresses:
    """Internet addresses of `peers` that are not private or shared address space."""
    return (peers & ctx.real_internet) - PRIVATE


def _prefix_length(cidr: str) -> int:
    text = cidr.strip()
    if "/" in text:
        return int(text.rsplit("/", 1)[1])
    return 128 if ":" in text else 32


def check_large_cidrs(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        for rule in group.ingress:
            if rule.peer_kind is not PeerKind.CIDR or rule.cidr is None:
                continue
            length = _prefix_length(rule.cidr)
            v6 = ":" in rule.cidr
            limit = ctx.settings.large_cidr_v6 if v6 else ctx.settings.large_cidr_v4
            if length == 0 or length > limit:
                continue
            public = public_part(ctx, ctx.rule_peers(rule))
            if not public:
                continue
            protocols, ports = rule_protocols_and_ports(rule)
            reachable = _reachable_members(ctx, group, TCP if TCP in protocols else protocols.min(), ports, public)
            state = f"reachable on {', '.join(reachable)}" if reachable else "not reachable from the internet today"
            yield group_finding(
                ctx,
                "EW107",
                Severity.MEDIUM,
                group,
                f"Large public CIDR as a source: {rule.cidr}",
                f"{group_text(group)} admits {describe_rule(rule)}: /{length} holds "
                f"{public.size():,} internet addresses, far more than any one organisation's clients; {state}.",
                {
                    "rule": rule_evidence(group, rule),
                    "prefix_length": length,
                    "limit": limit,
                    "internet_addresses": public.size(),
                    "reachable_on": reachable,
                },
                [rule_line(group, rule), state],
                rule_key(rule),
                f"Replace {rule.cidr} with the specific ranges of the clients that need access.",
                tuple(reachable),
            )


# -- EW108: peers no packet can come from ---------------------------------------------------
def check_never_matching(ctx: AuditContext) -> Iterator[Finding]:
    classes = [(name, Addresses.from_cidrs(cidrs), why, egress_too) for name, cidrs, why, egress_too in NEVER_MATCHING]
    for group in ctx.snapshot.security_groups.values():
        for rule in group.ingress + group.egress:
            if rule.peer_kind is PeerKind.SECURITY_GROUP:
                continue
            if rule.peer_kind is PeerKind.PREFIX_LIST and rule.prefix_list_id not in ctx.snapshot.prefix_lists:
                continue
            peers = ctx.rule_peers(rule)
            if not peers:
                continue
            applicable = [c for c in classes if not rule.egress or c[3]]
            if not union_addresses(c[1] for c in applicable).contains_set(peers):
                continue
            hit = [c for c in applicable if c[1].overlaps(peers)]
            names = ", ".join(c[0] for c in hit)
            why = "; ".join(c[2] for c in hit)
            side = "destination" if rule.egress else "source"
            yield group_finding(
                ctx,
                "EW108",
                Severity.LOW,
                group,
                f"Rule can never match: {side} {rule.peer_text()} is {names}",
                f"{group_text(group)} {direction(rule)} rule {describe_rule(rule)} can never match: {why}.",
                {"rule": rule_evidence(group, rule), "address_classes": [c[0] for c in hit]},
                [rule_line(group, rule), why],
                rule_key(rule),
                "Remove the rule, or replace the placeholder with the real addresses it was meant for.",
            )


# -- EW109: rules covered by other rules of the same group ----------------------------------
Spans = tuple[tuple[tuple[int, int], ...], ...]


def _spans(box: Box) -> Spans:
    """The intervals of a box's dimensions, for overlap tests that allocate nothing."""
    return (box.protocols.intervals, box.ports.intervals, box.peers.v4.intervals, box.peers.v6.intervals)


def _overlap(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> bool:
    return any(a_lo <= b_hi and b_lo <= a_hi for a_lo, a_hi in a for b_lo, b_hi in b)


def _boxes_overlap(a: Spans, b: Spans) -> bool:
    return _overlap(a[0], b[0]) and _overlap(a[1], b[1]) and (_overlap(a[2], b[2]) or _overlap(a[3], b[3]))


def check_subsumed(ctx: AuditContext) -> Iterator[Finding]:
    """A rule whose every packet another rule of the group already admits, whoever the members are.

    A group reference stands for every address of its group's VPC when it is being covered, and is
    covered only by CIDRs, prefix lists or a reference to the same group: exact for any membership.
    Rules are checked from last to first against the rules not already reported, so removing every
    reported rule leaves the group admitting exactly what it admits now.
    """
    for group in ctx.snapshot.security_groups.values():
        for egress in (False, True):
            rules = list(group.egress if egress else group.ingress)
            potentials = [ctx.potential_peers(r) for r in rules]
            boxes: list[Box | None] = []
            for rule, peers in zip(rules, potentials, strict=True):
                protocols, ports = rule_protocols_and_ports(rule)
                boxes.append(None if peers is None else Box(protocols, ports, peers))
            spans = [_spans(b) if b is not None else None for b in boxes]
            redundant: set[int] = set()
            for i in range(len(rules) - 1, -1, -1):
                rule, box, span = rules[i], boxes[i], spans[i]
                if box is None or box.is_empty():
                    continue
                cover: list[int] = []
                for j, other in enumerate(rules):
                    other_box = boxes[j]
                    if j == i or j in redundant or other_box is None:
                        continue
                    if other.peer_kind is PeerKind.SECURITY_GROUP:
                        same = (
                            rule.peer_kind is PeerKind.SECURITY_GROUP
                            and rule.group is not None
                            and other.group is not None
                            and rule.group.group_id == other.group.group_id
                        )
                        if not same:
                            continue
                    other_span = spans[j]
                    if span is not None and other_span is not None and _boxes_overlap(span, other_span):
                        cover.append(j)
                if not cover:
                    continue
                covering = TrafficSpace(b for j in cover if (b := boxes[j]) is not None)
                if not (TrafficSpace([box]) - covering).is_empty():
                    continue
                redundant.add(i)
                by = [rules[j] for j in cover]
                yield group_finding(
                    ctx,
                    "EW109",
                    Severity.LOW,
                    group,
                    f"Redundant {direction(rule)} rule: {describe_rule(rule)}",
                    f"{group_text(group)} {direction(rule)} rule {describe_rule(rule)} admits nothing beyond "
                    "what "
                    + (
                        "this rule of the same group already admits: "
                        if len(by) == 1
                        else "these rules of the same group already admit: "
                    )
                    + "; ".join(describe_rule(r) for r in by[:4])
                    + ". It still counts toward the rules-per-group quota.",
                    {"rule": rule_evidence(group, rule), "covered_by": [rule_evidence(group, r) for r in by]},
                    [rule_line(group, rule)] + [f"  covered by {rule_line(group, r)}" for r in by],
                    rule_key(rule),
                    f"Remove {describe_rule(rule)} from {group.id}.",
                )


RULES: tuple[Rule, ...] = (
    Rule(
        id="EW101",
        name="AdminPortReachableFromInternet",
        title="Remote administration port reachable from the internet",
        severity=Severity.CRITICAL,
        family=FAMILY,
        rationale=(
            "SSH, RDP, Telnet, VNC and WinRM reachable from the internet are brute-forced and exploited within "
            "minutes. edgeward reports an interface only when the internet really reaches it: an internet gateway, "
            "a public address, a route back, the network ACL both ways (ephemeral ports) and a security group rule "
            "must all allow it. Critical when every IPv4 or IPv6 internet address can connect, high when a subset "
            "can. Sources listed in trusted_admin_cidrs do not count."
        ),
        remediation=(
            "Use SSM Session Manager or a VPN instead of an open port; otherwise restrict the rule to your "
            "administration networks and list them in trusted_admin_cidrs."
        ),
        references=(FSBP_EC2_13, SSM_DOC, SG_RULES_DOC),
        run=check_admin_ports,
        tags=("security", "network", "internet-exposed"),
    ),
    Rule(
        id="EW102",
        name="DatabasePortReachableFromInternet",
        title="Database or cache port reachable from the internet",
        severity=Severity.CRITICAL,
        family=FAMILY,
        rationale=(
            "Databases, caches and search engines (MySQL, PostgreSQL, SQL Server, Oracle, MongoDB, Redis, "
            "Elasticsearch, Memcached, CouchDB, Cassandra, etcd, ...) are routinely scanned for and many have "
            "no authentication by default. Judged on actual reachability, as for EW101."
        ),
        remediation="Keep data stores in private subnets and admit only the application's security group.",
        references=(FSBP_EC2_19, SG_REFERENCE_DOC),
        run=check_database_ports,
        tags=("security", "network", "internet-exposed"),
    ),
    Rule(
        id="EW103",
        name="AllPortsReachableFromInternet",
        title="Every port (or all traffic) reachable from the internet",
        severity=Severity.CRITICAL,
        family=FAMILY,
        rationale=(
            "A rule for all protocols (-1) or every TCP/UDP port publishes every service the host runs, "
            "including debug ports and agents nobody meant to expose. Judged on actual reachability."
        ),
        remediation="Replace the rule with rules for the ports the service needs.",
        references=(FSBP_EC2_19, SG_RULES_DOC),
        run=check_all_ports,
        tags=("security", "network", "internet-exposed"),
    ),
    Rule(
        id="EW104",
        name="OpenRuleWithoutPublicPath",
        title="Sensitive port open to the whole internet in a group, but not reachable now",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "A rule admitting 0.0.0.0/0 or ::/0 on an administration or database port (or every port) that no "
            "interface can be reached through today: no public address, no internet gateway route, or a network "
            "ACL blocks it. Rule-text linters call this critical; it is latent, one public IP or route away from "
            "exposure. The finding says, per interface, what blocks the path."
        ),
        remediation="Narrow the rule to the sources that need it instead of relying on the missing public path.",
        references=(SG_RULES_DOC, REACHABILITY_DOC),
        run=check_open_unreachable,
        tags=("security", "network"),
    ),
    Rule(
        id="EW105",
        name="WidePortRangeFromInternet",
        title="Wide port range open to internet addresses",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "A TCP/UDP rule spanning more ports than wide_port_range (default 256) from public addresses "
            "exposes services nobody reviewed. Every-port rules are EW103/EW104."
        ),
        remediation="Open only the ports the service listens on.",
        references=(SG_RULES_DOC,),
        run=check_wide_port_ranges,
        tags=("security", "network"),
    ),
    Rule(
        id="EW106",
        name="Ipv6BypassesIpv4Restriction",
        title="IPv4 restricted but IPv6 open to the internet on the same ports",
        severity=Severity.HIGH,
        family=FAMILY,
        rationale=(
            "A group that limits IPv4 to an allow-list but admits ::/0 on the same ports lets every IPv6 client "
            "skip the allow-list. Tools that ignore IPv6 (Batfish, CloudMapper, Cartography) miss it. High when "
            "an interface is reachable over IPv6 today, medium otherwise."
        ),
        remediation="Apply the same restriction to IPv6 (your clients' IPv6 ranges) or remove the IPv6 rule.",
        references=(SG_RULES_DOC,),
        run=check_ipv6_bypass,
        tags=("security", "network", "ipv6"),
    ),
    Rule(
        id="EW107",
        name="LargePublicCidr",
        title="Large public CIDR as a source",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "A public source range of /16 or wider for IPv4 (large_cidr_v4) or /32 or wider for IPv6 "
            "(large_cidr_v6), other than /0, is an allow-list in name only. Private ranges are not reported."
        ),
        remediation="Replace the range with the specific ranges of the clients that need access.",
        references=(SG_RULES_DOC,),
        run=check_large_cidrs,
        tags=("security", "network"),
    ),
    Rule(
        id="EW108",
        name="RuleCanNeverMatch",
        title="Rule whose peer no packet can come from",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "Loopback, link-local, multicast (as a source), 'this network', reserved and documentation ranges "
            "are never the address of a real peer, so the rule admits nobody; it usually is a typo or a "
            "placeholder copied from an example, and it still counts toward the quota."
        ),
        remediation="Remove the rule, or replace the placeholder with the intended addresses.",
        references=("https://www.rfc-editor.org/rfc/rfc6890", "https://www.rfc-editor.org/rfc/rfc5737"),
        run=check_never_matching,
        tags=("hygiene", "network"),
    ),
    Rule(
        id="EW109",
        name="RuleSubsumedBySameGroup",
        title="Rule covered by other rules of the same group",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "Computed exactly on rule spaces (protocol -1, port ranges, ICMP type/code, prefix list entries): "
            "removing the rule changes nothing the group admits. A group reference is covered only by a range "
            "holding its whole VPC or a reference to the same group, so the verdict holds whoever the members "
            "are. Redundant rules hide intent and use up the rules-per-group quota."
        ),
        remediation="Remove the redundant rule.",
        references=(SG_RULES_DOC,),
        run=check_subsumed,
        tags=("hygiene", "network"),
    ),
)
