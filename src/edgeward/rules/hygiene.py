"""EW50x: hygiene: stale references, the default group, unused groups, descriptions, naming and tags."""

from __future__ import annotations

import re
from collections.abc import Iterator

from edgeward.model.network import PeerKind, SecurityGroup, SecurityGroupRule
from edgeward.rules.base import Finding, Rule, Severity
from edgeward.rules.common import group_finding, group_text, rule_evidence, rule_key, rule_line
from edgeward.rules.context import AuditContext
from edgeward.semantics.security_groups import describe_rule

FAMILY = "hygiene"
STALE_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#stale-security-group-rules"
DEFAULT_SG_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"
CIS_DEFAULT_SG = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2"
UNUSED_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-22"
TAG_DOC = "https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html"


# -- EW501: stale references ----------------------------------------------------------------
def _stale(ctx: AuditContext, group: SecurityGroup, rule: SecurityGroupRule) -> tuple[Severity, str] | None:
    """(severity, why) when a group reference matches nothing AWS will ever route to it as written."""
    if rule.peer_kind is not PeerKind.SECURITY_GROUP or rule.group is None:
        return None
    note = ctx.semantics.groups.peers(rule).note
    if not note:
        return None
    ref = rule.group
    foreign = ref.group_id not in ctx.snapshot.security_groups and ref.user_id and ref.user_id != group.account
    if foreign and not (ref.peering_status and ref.peering_status != "active"):
        return Severity.INFO, f"{note}; it belongs to account {ref.user_id}, which the snapshot does not cover"
    return Severity.LOW, note


def check_stale_references(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        for rule in group.ingress + group.egress:
            stale = _stale(ctx, group, rule)
            if stale is None:
                continue
            severity, why = stale
            assert rule.group is not None
            verdict = "cannot be verified" if severity is Severity.INFO else "is stale"
            yield group_finding(
                ctx,
                "EW501",
                severity,
                group,
                f"Group reference {verdict}: {rule.group.group_id}",
                f"{group_text(group)} rule {describe_rule(rule)} {verdict}: {why}. AWS keeps stale rules and "
                "they start matching again if the group or peering comes back.",
                {"rule": rule_evidence(group, rule), "reason": why},
                [rule_line(group, rule), why],
                rule_key(rule),
                f"Remove {describe_rule(rule)} (aws ec2 describe-stale-security-groups lists them), or restore the "
                "peering it needs.",
            )


# -- EW502 / EW503: the default security group ----------------------------------------------
def check_default_group_rules(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        if not group.is_default or not (group.ingress or group.egress):
            continue
        rules = group.ingress + group.egress
        yield group_finding(
            ctx,
            "EW502",
            Severity.MEDIUM,
            group,
            f"Default security group of {group.vpc_id} has rules",
            f"{group_text(group)}, the default group of {group.vpc_id}, has {len(group.ingress)} inbound and "
            f"{len(group.egress)} outbound rule(s). Anything launched without a group gets it, and by default its "
            "members reach each other on every port.",
            {"rules": [rule_evidence(group, r) for r in rules], "vpc": group.vpc_id},
            [rule_line(group, r) for r in rules],
            group.id,
            "Remove every inbound and outbound rule from the default group and give resources their own groups.",
        )


def check_default_group_in_use(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        members = ctx.snapshot.members_of_group.get(group.id, ())
        if not group.is_default or not members:
            continue
        yield group_finding(
            ctx,
            "EW503",
            Severity.MEDIUM,
            group,
            f"Default security group of {group.vpc_id} is in use",
            f"{len(members)} network interface(s) carry {group.id}, the default group of {group.vpc_id}: "
            f"{', '.join(members[:6])}{' ...' if len(members) > 6 else ''}. Its rules are shared by everything "
            "that was launched without a group, so a change for one affects all.",
            {"interfaces": list(members), "vpc": group.vpc_id},
            [ctx.interface_text(ctx.snapshot.interfaces[m]) for m in members],
            group.id,
            "Give each workload its own security group and remove the default group from its interfaces.",
            tuple(members),
        )


# -- EW504: unused groups -------------------------------------------------------------------
def check_unused_groups(ctx: AuditContext) -> Iterator[Finding]:
    referenced: dict[str, list[str]] = {}
    for group in ctx.snapshot.security_groups.values():
        for rule in group.ingress + group.egress:
            if rule.group is not None and rule.group.group_id != group.id:
                referenced.setdefault(rule.group.group_id, []).append(group.id)
    # load balancers carry groups too, also when the snapshot has no interfaces for their nodes
    by_load_balancer: dict[str, list[str]] = {}
    for lb in getattr(ctx.snapshot.edge, "load_balancers", ()) or ():
        for group_id in lb.security_group_ids:
            by_load_balancer.setdefault(group_id, []).append(lb.name)
    for group in ctx.snapshot.security_groups.values():
        if group.is_default or ctx.snapshot.members_of_group.get(group.id) or group.id in by_load_balancer:
            continue
        by = sorted(set(referenced.get(group.id, [])))
        note = f" It is referenced by {', '.join(by)}, whose rules therefore match nobody through it." if by else ""
        yield group_finding(
            ctx,
            "EW504",
            Severity.LOW,
            group,
            f"Unused security group {group.name}",
            f"No network interface or load balancer in the snapshot carries {group_text(group)}.{note} Unused groups "
            "accumulate permissive rules that are attached to a new resource by mistake.",
            {"referenced_by": by},
            [f"{group_text(group)}: no member interface"] + [f"referenced by {g}" for g in by],
            group.id,
            f"Delete {group.id} if nothing will use it (aws ec2 delete-security-group --group-id {group.id}).",
            tuple(by),
        )


# -- EW505: descriptions --------------------------------------------------------------------
GENERIC_DESCRIPTIONS = frozenset({"", "managed by terraform", "launch-wizard", "default"})


def _allow_all_out(rule: SecurityGroupRule) -> bool:
    """AWS's default outbound rule (all traffic to 0.0.0.0/0 or ::/0) explains itself."""
    return rule.egress and rule.protocol == -1 and rule.cidr in ("0.0.0.0/0", "::/0")


def check_descriptions(ctx: AuditContext) -> Iterator[Finding]:
    for group in ctx.snapshot.security_groups.values():
        if group.is_default:
            continue
        missing_group = (
            group.description.strip().lower() in GENERIC_DESCRIPTIONS
            or group.description.lower().startswith("launch-wizard")
        )
        undocumented = [r for r in group.ingress + group.egress if not r.description.strip() and not _allow_all_out(r)]
        if not missing_group and not undocumented:
            continue
        lines = []
        if missing_group:
            lines.append(f"group description: {group.description or '(empty)'!s}")
        lines += [f"no description: {rule_line(group, r)}" for r in undocumented]
        parts = []
        if missing_group:
            parts.append("the group has no meaningful description")
        if undocumented:
            parts.append(f"{len(undocumented)} of {len(group.ingress) + len(group.egress)} rules have no description")
        yield group_finding(
            ctx,
            "EW505",
            Severity.INFO,
            group,
            f"Missing descriptions in {group.name}",
            f"{group_text(group)}: {' and '.join(parts)}. Reviewers cannot tell why a rule exists or "
            "whether it can go.",
            {
                "group_description": group.description,
                "rules_without_description": [rule_evidence(group, r) for r in undocumented],
            },
            lines,
            group.id,
            "Describe the group's purpose and each rule's reason (who the peer is, which service).",
        )


# -- EW506: naming and tags -----------------------------------------------------------------
def check_tag_policy(ctx: AuditContext) -> Iterator[Finding]:
    policy = ctx.settings.tag_policy
    if not policy.configured:
        return
    pattern = re.compile(policy.name_pattern) if policy.name_pattern is not None else None
    for group in ctx.snapshot.security_groups.values():
        if group.is_default:
            continue
        tags = dict(group.tags)
        missing = [t for t in policy.required_tags if not tags.get(t, "").strip()]
        bad_name = pattern is not None and pattern.fullmatch(group.name) is None
        if not missing and not bad_name:
            continue
        problems = []
        if missing:
            problems.append(f"missing tag(s) {', '.join(missing)}")
        if bad_name:
            problems.append(f"name {group.name!r} does not match {policy.name_pattern!r}")
        yield group_finding(
            ctx,
            "EW506",
            Severity.LOW,
            group,
            f"Security group {group.name} breaks the naming/tag policy",
            f"{group_text(group)}: {'; '.join(problems)}.",
            {"missing_tags": missing, "name": group.name, "name_pattern": policy.name_pattern if bad_name else None},
            problems,
            group.id,
            "Tag and name the group as the policy in the edgeward configuration asks.",
        )


RULES: tuple[Rule, ...] = (
    Rule(
        id="EW501",
        name="StaleGroupReference",
        title="Stale security group reference",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "A rule naming a deleted group, a group across a deleted or inactive peering, or a group in a VPC "
            "that is not peered matches nothing, but AWS keeps it and it matches again when the group or peering "
            "comes back. A reference to another account's group that the snapshot does not hold is reported as "
            "info: it cannot be verified."
        ),
        remediation="Remove stale rules (aws ec2 describe-stale-security-groups lists them).",
        references=(STALE_DOC,),
        run=check_stale_references,
        tags=("hygiene", "network"),
    ),
    Rule(
        id="EW502",
        name="DefaultGroupHasRules",
        title="Default security group has rules",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale=(
            "Resources launched without a group get the VPC's default group, whose default rules let members "
            "reach each other on every port and reach anything outbound. CIS AWS Foundations and AWS FSBP EC2.2 "
            "ask for no rules at all."
        ),
        remediation="Remove every rule from the default group.",
        references=(DEFAULT_SG_DOC, CIS_DEFAULT_SG),
        run=check_default_group_rules,
        tags=("security", "network", "cis"),
    ),
    Rule(
        id="EW503",
        name="DefaultGroupInUse",
        title="Default security group in use",
        severity=Severity.MEDIUM,
        family=FAMILY,
        rationale="Interfaces carrying the default group share its rules with everything launched without a group.",
        remediation="Give each workload its own group and detach the default group.",
        references=(DEFAULT_SG_DOC,),
        run=check_default_group_in_use,
        tags=("security", "network"),
    ),
    Rule(
        id="EW504",
        name="UnusedSecurityGroup",
        title="Security group not attached to any interface",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "Unused groups pile up permissive rules and get attached to new resources by mistake; references to "
            "them match nobody. Default groups are not reported (they cannot be deleted)."
        ),
        remediation="Delete groups nothing uses.",
        references=(UNUSED_DOC,),
        run=check_unused_groups,
        tags=("hygiene",),
    ),
    Rule(
        id="EW505",
        name="MissingDescriptions",
        title="Security group or rules without a description",
        severity=Severity.INFO,
        family=FAMILY,
        rationale="A rule nobody can explain is a rule nobody dares to remove.",
        remediation="Describe each group's purpose and each rule's peer and service.",
        references=("https://docs.aws.amazon.com/vpc/latest/userguide/creating-security-group-rules.html",),
        run=check_descriptions,
        tags=("hygiene",),
    ),
    Rule(
        id="EW506",
        name="TagPolicy",
        title="Security group breaks the naming or tag policy",
        severity=Severity.LOW,
        family=FAMILY,
        rationale=(
            "Owner and purpose tags make findings actionable. The policy comes from the configuration "
            "(tag_policy.required_tags, tag_policy.name_pattern); without one the rule finds nothing."
        ),
        remediation="Name and tag groups as the policy asks.",
        references=(TAG_DOC,),
        run=check_tag_policy,
        tags=("hygiene", "policy"),
    ),
)
