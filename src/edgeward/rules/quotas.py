"""EW51x: quotas, counted the way AWS counts them (shared/facts/network.md section 1).

- Rules per security group: per direction and per address family. A CIDR or a group reference counts
  1; a customer-managed prefix list counts its MaxEntries (not its current entries); an AWS-managed
  prefix list counts its weight (the CloudFront origin-facing list: 55).
- Security groups per interface: 5 by default, adjustable up to 16; and (rules per group) x (groups
  per interface) may not exceed 1,000.
- Network ACL entries: 20 per direction and address family, the default `*` entry included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from edgeward.model.network import PeerKind, SecurityGroup, SecurityGroupRule
from edgeward.model.snapshot import Snapshot
from edgeward.rules.base import Finding, Rule, Severity, arn_for, resource_label
from edgeward.rules.common import direction, group_text
from edgeward.rules.context import AuditContext

FAMILY = "quotas"
QUOTAS_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
SG_SIZE_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#security-group-size"
WEIGHTS_DOC = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html"
    "#aws-managed-prefix-list-weights"
)

# AWS-managed prefix list weights by name; `<region>` lists match any Region.
AWS_MANAGED_WEIGHTS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^com\.amazonaws\.global\.(ipv6\.)?cloudfront\.origin-facing$"), 55),
    (re.compile(r"^com\.amazonaws\.global\.groundstation$"), 5),
    (re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.(ipv6\.)?vpc-lattice$"), 10),
    (re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.(ipv6\.)?s3$"), 1),
    (re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.(ipv6\.)?dynamodb$"), 1),
)


@dataclass(frozen=True, slots=True)
class RuleWeight:
    family: str  # IPv4 | IPv6
    weight: int
    why: str


def rule_weight(snapshot: Snapshot, rule: SecurityGroupRule) -> RuleWeight:
    """How much one rule counts toward its group's quota, and toward which address family."""
    if rule.peer_kind is PeerKind.CIDR:
        return RuleWeight("IPv6" if rule.cidr and ":" in rule.cidr else "IPv4", 1, "CIDR")
    if rule.peer_kind is PeerKind.SECURITY_GROUP:
        return RuleWeight("IPv4", 1, "group reference (1, whatever the group's size)")
    prefix_list = snapshot.prefix_lists.get(rule.prefix_list_id or "")
    if prefix_list is None:
        return RuleWeight("IPv4", 1, f"prefix list {rule.prefix_list_id} not in the snapshot (counted as 1)")
    family = "IPv6" if prefix_list.address_family.lower() == "ipv6" else "IPv4"
    if prefix_list.aws_managed:
        for pattern, weight in AWS_MANAGED_WEIGHTS:
            if pattern.match(prefix_list.name):
                return RuleWeight(family, weight, f"AWS-managed {prefix_list.name}, weight {weight}")
        count = max(len(prefix_list.cidrs), 1)
        return RuleWeight(family, count, f"AWS-managed {prefix_list.name}, weight unknown: counted by entries")
    if prefix_list.max_entries is not None:
        return RuleWeight(family, prefix_list.max_entries, f"customer-managed {prefix_list.id}, MaxEntries")
    count = max(len(prefix_list.cidrs), 1)
    return RuleWeight(family, count, f"customer-managed {prefix_list.id}, MaxEntries unknown: counted by entries")


def group_counts(snapshot: Snapshot, group: SecurityGroup) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """(direction, family) -> (weighted count, the heavy rules explained)."""
    out: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for rule in group.ingress + group.egress:
        w = rule_weight(snapshot, rule)
        key = (direction(rule), w.family)
        count, notes = out.get(key, (0, []))
        if w.weight > 1 or rule.peer_kind is PeerKind.PREFIX_LIST:
            notes = [*notes, f"{rule.peer_text()} counts {w.weight} ({w.why})"]
        out[key] = (count + w.weight, notes)
    return out


def _group_finding(
    ctx: AuditContext,
    rule_id: str,
    group: SecurityGroup,
    title: str,
    message: str,
    evidence: dict[str, object],
    lines: list[str],
    key: str,
    remediation: str,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.MEDIUM,
        resource=resource_label(group.id, group.source),
        resource_id=group.id,
        resource_type="security-group",
        title=title,
        message=message,
        evidence=evidence,
        evidence_text=tuple(lines),
        location=group.source,
        key=key,
        remediation=remediation,
        arn=ctx.group_arn(group),
        account=group.account,
        region=group.region,
    )


def check_rules_per_group(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.settings.quotas.rules_per_group
    for group in ctx.snapshot.security_groups.values():
        for (way, family), (count, notes) in sorted(group_counts(ctx.snapshot, group).items()):
            if count <= limit:
                continue
            yield _group_finding(
                ctx,
                "EW511",
                group,
                f"{count} {family} {way} rules in {group.name} exceed the quota of {limit}",
                f"{group_text(group)} counts {count} {family} {way} rules against a quota of {limit} per "
                "direction and family; AWS rejects further rules (and a plan that adds them fails to apply)."
                + (f" Prefix lists weigh in: {'; '.join(notes[:3])}." if notes else ""),
                {"direction": way, "family": family, "count": count, "quota": limit, "weights": notes},
                [f"{way} {family}: {count} > {limit}", *notes],
                f"{way}|{family}",
                "Merge rules (wider but still intended ranges, one prefix list for many CIDRs), split the group, "
                "or ask AWS for a higher quota and set quotas.rules_per_group.",
            )


def check_groups_per_interface(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.settings.quotas.groups_per_interface
    for eni in ctx.snapshot.interfaces.values():
        if len(eni.group_ids) <= limit:
            continue
        label, ident, kind = ctx.interface_resource(eni)
        yield Finding(
            rule_id="EW512",
            severity=Severity.MEDIUM,
            resource=label,
            resource_id=ident,
            resource_type=kind,
            title=f"{len(eni.group_ids)} security groups on {eni.id} exceed the quota of {limit}",
            message=f"{ctx.interface_text(eni)} carries {len(eni.group_ids)} security groups; the quota "
            f"is {limit} (adjustable up to 16).",
            evidence={"interface": eni.id, "security_groups": list(eni.group_ids), "quota": limit},
            evidence_text=(", ".join(eni.group_ids),),
            location=eni.source,
            key=eni.id,
            related=eni.group_ids,
            remediation="Merge groups, or raise the quota with AWS and set quotas.groups_per_interface.",
            arn=ctx.interface_arn(eni),
            account=eni.account,
            region=eni.region,
        )


def check_rules_times_groups(ctx: AuditContext) -> Iterator[Finding]:
    cap = ctx.settings.quotas.rules_times_groups
    seen: set[tuple[str, ...]] = set()
    by_groups: dict[tuple[str, ...], list[str]] = {}
    for each in ctx.snapshot.interfaces.values():
        by_groups.setdefault(each.group_ids, []).append(each.id)
    for eni in ctx.snapshot.interfaces.values():
        if eni.group_ids in seen or not eni.group_ids:
            continue
        seen.add(eni.group_ids)
        largest = 0
        where = ""
        for group in ctx.snapshot.groups_of(eni):
            for (way, family), (count, _notes) in group_counts(ctx.snapshot, group).items():
                if count > largest:
                    largest, where = count, f"{group.id} {way} {family}"
        product = largest * len(eni.group_ids)
        if product <= cap:
            continue
        members = list(by_groups[eni.group_ids])
        label, ident, kind = ctx.interface_resource(eni)
        yield Finding(
            rule_id="EW513",
            severity=Severity.MEDIUM,
            resource=label,
            resource_id=ident,
            resource_type=kind,
            title=f"{len(eni.group_ids)} groups x {largest} rules = {product} exceeds {cap}",
            message=f"{eni.id} needs a rules-per-group quota of at least {largest} ({where}) and a groups-per-"
            f"interface quota of at least {len(eni.group_ids)}; AWS caps their product at {cap}, so no quota "
            "setting allows this combination.",
            evidence={
                "interfaces": members,
                "security_groups": list(eni.group_ids),
                "largest_rule_count": largest,
                "largest_in": where,
                "product": product,
                "cap": cap,
            },
            evidence_text=(f"{len(eni.group_ids)} x {largest} = {product} > {cap}", f"largest: {where}"),
            location=eni.source,
            key=",".join(eni.group_ids),
            related=tuple(members) + eni.group_ids,
            remediation="Use fewer groups on the interface or fewer rules in the largest group.",
            arn=ctx.interface_arn(eni),
            account=eni.account,
            region=eni.region,
        )


def check_nacl_entries(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.settings.quotas.nacl_entries
    for acl in ctx.snapshot.network_acls.values():
        vpc = ctx.snapshot.vpcs.get(acl.vpc_id)
        for egress in (False, True):
            for family in ("IPv4", "IPv6"):
                entries = [e for e in acl.entries if e.egress == egress and (":" in e.cidr) == (family == "IPv6")]
                custom = [e for e in entries if e.rule_number < 32767]
                has_star = any(e.rule_number >= 32767 for e in entries)
                if family == "IPv6" and not entries and not (vpc and vpc.cidrs_v6):
                    continue
                count = len(custom) + 1  # the `*` entry counts, whether or not the input lists it
                if count <= limit:
                    continue
                way = "egress" if egress else "ingress"
                yield Finding(
                    rule_id="EW514",
                    severity=Severity.MEDIUM,
                    resource=resource_label(acl.id, acl.source),
                    resource_id=acl.id,
                    resource_type="network-acl",
                    title=f"{count} {family} {way} entries in {acl.id} exceed the quota of {limit}",
                    message=f"{acl.id} has {len(custom)} {family} {way} entries plus the default `*` entry: {count} "
                    f"against a quota of {limit} per direction and family (adjustable up to 40).",
                    evidence={
                        "direction": way,
                        "family": family,
                        "entries": len(custom),
                        "count": count,
                        "quota": limit,
                        "star_entry_in_input": has_star,
                    },
                    evidence_text=(f"{way} {family}: {len(custom)} + * = {count} > {limit}",),
                    location=acl.source,
                    key=f"{way}|{family}",
                    remediation="Merge entries into wider ranges, move filtering to security groups, or raise the "
                    "quota and set quotas.nacl_entries.",
                    arn=arn_for("network-acl", acl.id, acl.account, acl.region),
                    account=acl.account,
                    region=acl.region,
                )


RULES: tuple[Rule, ...] = (
    Rule(
        id="EW511",
        name="RulesPerGroupQuota",
        title="Security group exceeds the rules-per-group quota",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "60 inbound and 60 outbound rules per group, counted separately for IPv4 and IPv6 (quotas."
            "rules_per_group). A customer-managed prefix list counts its MaxEntries, an AWS-managed list its "
            "weight: the CloudFront origin-facing list alone counts 55, leaving room for 5 more rules. A group "
            "reference counts 1 and is counted with IPv4."
        ),
        remediation="Merge rules, split the group, or raise the quota and configure it.",
        references=(SG_SIZE_DOC, WEIGHTS_DOC, QUOTAS_DOC),
        run=check_rules_per_group,
        tags=("quota",),
    ),
    Rule(
        id="EW512",
        name="GroupsPerInterfaceQuota",
        title="Interface exceeds the groups-per-interface quota",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "5 security groups per network interface by default, adjustable up to 16 (quotas.groups_per_interface)."
        ),
        remediation="Merge groups, or raise the quota and configure it.",
        references=(QUOTAS_DOC,),
        run=check_groups_per_interface,
        tags=("quota",),
    ),
    Rule(
        id="EW513",
        name="RulesTimesGroupsQuota",
        title="Rules per group x groups per interface exceeds 1,000",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "AWS caps the product of the rules-per-group and groups-per-interface quotas at 1,000: an interface "
            "whose largest group needs N rules and which carries G groups needs N x G <= 1,000."
        ),
        remediation="Fewer groups on the interface, or fewer rules in its largest group.",
        references=(QUOTAS_DOC,),
        run=check_rules_times_groups,
        tags=("quota",),
    ),
    Rule(
        id="EW514",
        name="NaclEntriesQuota",
        title="Network ACL exceeds the entries quota",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "20 entries per direction and address family, the default `*` deny included (quotas.nacl_entries; "
            "adjustable up to 40)."
        ),
        remediation="Merge entries, filter in security groups instead, or raise the quota and configure it.",
        references=(QUOTAS_DOC,),
        run=check_nacl_entries,
        tags=("quota",),
    ),
)
