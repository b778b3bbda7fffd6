"""EW2xx: network ACLs, computed exactly on traffic spaces in AWS's evaluation order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from edgeward.algebra.addresses import Addresses, union_addresses
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import ALL_PORTS, EPHEMERAL_PORTS, TCP, UDP, TrafficSpace
from edgeward.model.network import NaclEntry, NetworkAcl, NetworkInterface
from edgeward.rules.base import Finding, Rule, Severity, arn_for, resource_label
from edgeward.rules.context import AuditContext
from edgeward.semantics.network_acls import describe_entry, entry_box

FAMILY = "network ACLs"
NACL_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
NACL_RULES_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html"
EPHEMERAL_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html#nacl-ephemeral-ports"

# Client port ranges of common systems (shared/facts/network.md section 4).
CLIENT_RANGES: tuple[tuple[str, IntervalSet], ...] = (
    ("Linux (32768-60999)", IntervalSet.span(32768, 60999)),
    ("Windows Server 2008+ (49152-65535)", IntervalSet.span(49152, 65535)),
    ("ELB, NAT gateway and Lambda (1024-65535)", IntervalSet.span(1024, 65535)),
)


def _entry_evidence(entry: NaclEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_number": entry.rule_number,
        "direction": "egress" if entry.egress else "ingress",
        "action": "allow" if entry.allow else "deny",
        "entry": describe_entry(entry),
    }
    if entry.position:
        out["position"] = entry.position
    return out


def _acl_finding(
    ctx: AuditContext,
    rule_id: str,
    severity: Severity,
    acl: NetworkAcl,
    title: str,
    message: str,
    evidence: dict[str, Any],
    lines: list[str],
    key: str,
    remediation: str,
    related: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        resource=resource_label(acl.id, acl.source),
        resource_id=acl.id,
        resource_type="network-acl",
        title=title,
        message=message,
        evidence=evidence,
        evidence_text=tuple(lines),
        location=acl.source,
        key=key,
        related=related,
        remediation=remediation,
        arn=arn_for("network-acl", acl.id, acl.account, acl.region),
        account=acl.account,
        region=acl.region,
    )


# -- EW201: shadowed entries ----------------------------------------------------------------
def check_shadowed(ctx: AuditContext) -> Iterator[Finding]:
    """An entry every packet of which an earlier entry (lower number) already decides."""
    for acl in ctx.snapshot.network_acls.values():
        for egress in (False, True):
            earlier: list[NaclEntry] = []
            for entry in acl.ordered(egress):
                if entry.rule_number >= 32767:
                    break
                box = TrafficSpace([entry_box(entry)])
                overlapping = [e for e in earlier if not (box & TrafficSpace([entry_box(e)])).is_empty()]
                earlier.append(entry)
                if not overlapping:
                    continue
                if not (box - TrafficSpace(entry_box(e) for e in overlapping)).is_empty():
                    continue
                contradicts = [e for e in overlapping if e.allow != entry.allow]
                severity = Severity.MEDIUM if contradicts else Severity.LOW
                way = "outbound" if egress else "inbound"
                effect = (
                    "its intent is contradicted: earlier entries with the opposite action decide every packet it covers"
                    if contradicts
                    else "it is redundant: earlier entries with the same action already decide every packet it covers"
                )
                yield _acl_finding(
                    ctx,
                    "EW201",
                    severity,
                    acl,
                    f"{way.capitalize()} entry {entry.number_text()} is shadowed by earlier entries",
                    f"{acl.id} {way} {describe_entry(entry)} never applies; {effect}: "
                    + "; ".join(describe_entry(e) for e in overlapping[:4])
                    + ".",
                    {
                        "entry": _entry_evidence(entry),
                        "shadowed_by": [_entry_evidence(e) for e in overlapping],
                        "contradicting": bool(contradicts),
                    },
                    [describe_entry(entry)] + [f"  decided first by {describe_entry(e)}" for e in overlapping],
                    f"{'egress' if egress else 'ingress'}|{entry.rule_number}",
                    "Remove the entry, or renumber it below the entries that shadow it if it states the intent.",
                )


# -- EW202: return traffic blocked ---------------------------------------------------------
def _outside_subnet(ctx: AuditContext, eni: NetworkInterface) -> Addresses:
    subnet = ctx.snapshot.subnets[eni.subnet_id]
    inside = Addresses.from_cidrs(((subnet.cidr_v4,) if subnet.cidr_v4 else ()) + subnet.cidrs_v6)
    link_local = Addresses.from_cidrs(("169.254.0.0/16", "fe80::/10"))
    return (inside | link_local).complement()


def _blocked_replies(
    forward: TrafficSpace, reply_space: TrafficSpace
) -> list[tuple[int, IntervalSet, Addresses, Addresses, IntervalSet]]:
    """(protocol, service ports, peers with no reply at all, peers with some reply ports blocked, ports that work)."""
    out: list[tuple[int, IntervalSet, Addresses, Addresses, IntervalSet]] = []
    for protocol in (TCP, UDP):
        for box in forward.boxes:
            if protocol not in box.protocols:
                continue
            wanted = TrafficSpace.of(IntervalSet.point(protocol), EPHEMERAL_PORTS, box.peers)
            missing = wanted - reply_space
            if missing.is_empty():
                continue
            some = reply_space.peers_for_ports(protocol, EPHEMERAL_PORTS) & box.peers
            none = box.peers - some
            partial = union_addresses(b.peers for b in missing.boxes) - none
            working = reply_space.ports_for(protocol, partial) & EPHEMERAL_PORTS if partial else IntervalSet()
            out.append((protocol, box.ports, none, partial, working))
    return out


def check_return_traffic(ctx: AuditContext) -> Iterator[Finding]:
    """Flows the groups and the NACL let through one way whose replies the NACL drops the other way."""
    acls = ctx.semantics.acls
    groups = ctx.semantics.groups
    seen: set[tuple[str, str, tuple[str, ...], bool]] = set()
    classes: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for each in ctx.snapshot.interfaces.values():
        classes.setdefault((each.subnet_id, each.group_ids), []).append(each.id)
    for eni in ctx.snapshot.interfaces.values():
        acl = acls.acl_of_subnet(eni.subnet_id)
        if acl is None:
            continue
        for initiated_inbound in (True, False):
            key = (acl.id, eni.subnet_id, eni.group_ids, initiated_inbound)
            if key in seen:
                continue
            seen.add(key)
            outside = _outside_subnet(ctx, eni)
            sg = groups.interface_space(eni, egress=not initiated_inbound)
            forward = (
                sg
                & acls.allowed_space(acl, egress=not initiated_inbound)
                & TrafficSpace.of(IntervalSet.span(TCP, TCP) | IntervalSet.span(UDP, UDP), ALL_PORTS, outside)
            )
            if forward.is_empty():
                continue
            reply_space = acls.allowed_space(acl, egress=initiated_inbound)
            problems = _blocked_replies(forward, reply_space)
            if not problems:
                continue
            members = list(classes[(eni.subnet_id, eni.group_ids)])
            blocked_all = any(not none.is_empty() for _, _, none, _, _ in problems)
            severity = Severity.MEDIUM if blocked_all else Severity.LOW
            lines: list[str] = []
            items: list[dict[str, Any]] = []
            for protocol, ports, none, partial, working in problems:
                proto = "tcp" if protocol == TCP else "udp"
                port_text = "all ports" if ports == ALL_PORTS else f"port(s) {ports.describe()}"
                if none:
                    lines.append(
                        f"{proto} {port_text} with {none.describe(4)}: replies on every ephemeral port are dropped"
                    )
                if partial:
                    broken = [name for name, rng in CLIENT_RANGES if not working.contains_set(rng)]
                    lines.append(
                        f"{proto} {port_text} with {partial.describe(4)}: replies pass only on ports "
                        f"{working.describe()}; clients using {', '.join(broken) or 'other ranges'} get no reply"
                    )
                items.append(
                    {
                        "protocol": proto,
                        "ports": [[lo, hi] for lo, hi in ports],
                        "peers_without_reply": none.to_cidrs(),
                        "peers_with_some_reply_ports": partial.to_cidrs(),
                        "reply_ports_that_pass": [[lo, hi] for lo, hi in working],
                    }
                )
            who = "connections into" if initiated_inbound else "connections from"
            reply_way = "outbound" if initiated_inbound else "inbound"
            yield _acl_finding(
                ctx,
                "EW202",
                severity,
                acl,
                f"{reply_way.capitalize()} rules drop replies to {who} subnet {eni.subnet_id}",
                f"The security groups ({', '.join(eni.group_ids) or 'none'}) and {acl.id} allow {who} "
                f"{', '.join(members)}, but {acl.id} is stateless and its {reply_way} entries drop the replies to "
                "the client's ephemeral port: " + "; ".join(lines[:3]) + ".",
                {
                    "subnet": eni.subnet_id,
                    "interfaces": members,
                    "security_groups": list(eni.group_ids),
                    "initiated": "inbound" if initiated_inbound else "outbound",
                    "flows": items,
                },
                lines,
                f"{eni.subnet_id}|{','.join(eni.group_ids)}|{'in' if initiated_inbound else 'out'}",
                f"Add an {reply_way} ALLOW entry for tcp/udp 1024-65535 to the peers (with DENY entries before it "
                "for what must stay closed), or narrow the groups to the flows you intend.",
                tuple(members) + eni.group_ids,
            )


RULES: tuple[Rule, ...] = (
    Rule(
        id="EW201",
        name="NaclEntryShadowed",
        title="Network ACL entry shadowed by earlier entries",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "AWS evaluates entries from the lowest rule number and the first match decides. An entry whose every "
            "packet (protocol, ports or ICMP type/code, addresses) is matched by entries before it never applies: "
            "computed exactly by subtracting the earlier entries' traffic spaces. Medium when an earlier entry "
            "has the opposite action (a DENY that never denies, an ALLOW that never allows), low when redundant."
        ),
        remediation="Remove the entry, or renumber it so that it comes before the entries that shadow it.",
        references=(NACL_RULES_DOC, NACL_DOC),
        run=check_shadowed,
        tags=("network", "hygiene"),
    ),
    Rule(
        id="EW202",
        name="NaclBlocksReturnTraffic",
        title="Network ACL drops the replies of flows the security groups allow",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "Security groups are stateful, network ACLs are not: a reply goes to the client's ephemeral port and "
            "needs its own ALLOW entry. For every interface class (subnet and groups), edgeward takes the TCP/UDP "
            "flows that cross the subnet boundary and that both the groups and the NACL allow one way, and checks "
            "the replies on 1024-65535 the other way. Medium when some peers get no reply at all (the flow is "
            "broken), low when only some client port ranges are dropped (Linux 32768-60999, Windows 49152-65535, "
            "ELB/NAT/Lambda 1024-65535)."
        ),
        remediation="Allow tcp/udp 1024-65535 for the replies, with DENY entries before it for what must stay closed.",
        references=(EPHEMERAL_DOC, NACL_DOC),
        run=check_return_traffic,
        tags=("network", "availability"),
    ),
)
