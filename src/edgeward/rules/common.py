"""Helpers the rule families share: describing rules, sources and reasons as evidence."""

from __future__ import annotations

from typing import Any

from edgeward.algebra.addresses import Addresses
from edgeward.analysis.reach import representative
from edgeward.model.network import SecurityGroup, SecurityGroupRule
from edgeward.rules.base import Finding, Severity, resource_label
from edgeward.rules.context import AuditContext
from edgeward.semantics.security_groups import describe_rule


def direction(rule: SecurityGroupRule) -> str:
    return "egress" if rule.egress else "ingress"


def rule_evidence(group: SecurityGroup, rule: SecurityGroupRule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "group": group.id,
        "group_name": group.name,
        "direction": direction(rule),
        "rule": describe_rule(rule),
    }
    if rule.rule_id:
        out["rule_id"] = rule.rule_id
    if rule.position:
        out["position"] = rule.position
    return out


def group_text(group: SecurityGroup) -> str:
    """`sg-123 (web)`, or the IaC address for Terraform and CloudFormation inputs."""
    label = group.source.address or group.id
    return label if group.name in (label, group.id) else f"{label} ({group.name})"


def rule_line(group: SecurityGroup, rule: SecurityGroupRule) -> str:
    where = f" [{rule.position}]" if rule.position else ""
    return f"{group_text(group)} {direction(rule)}: {describe_rule(rule)}{where}"


def rule_key(rule: SecurityGroupRule) -> str:
    """Identifies a rule by what it says, not where it sits in the input."""
    return f"{direction(rule)}|{rule.protocol}|{rule.from_port}|{rule.to_port}|{rule.peer_text()}"


def sources_text(ctx: AuditContext, sources: Addresses) -> str:
    """`any IPv4 internet address` when the set holds every address a real internet host can have."""
    all_v4, all_v6 = ctx.internet_family_coverage(sources)
    if all_v4 and all_v6:
        return "any internet address (IPv4 and IPv6)"
    if all_v4 and sources.v6.is_empty():
        return "any IPv4 internet address"
    if all_v6 and sources.v4.is_empty():
        return "any IPv6 internet address"
    return sources.describe(6)


def example_source(sources: Addresses) -> str | None:
    return representative(sources)


def group_finding(
    ctx: AuditContext,
    rule_id: str,
    severity: Severity,
    group: SecurityGroup,
    title: str,
    message: str,
    evidence: dict[str, Any],
    lines: list[str],
    key: str,
    remediation: str,
    related: tuple[str, ...] = (),
) -> Finding:
    """A finding about one security group, located where the group was read."""
    return Finding(
        rule_id=rule_id,
        severity=severity,
        resource=resource_label(group.id, group.source),
        resource_id=group.id,
        resource_type="security-group",
        title=title,
        message=message,
        evidence=evidence,
        evidence_text=tuple(lines),
        location=group.source,
        key=key,
        related=related,
        remediation=remediation,
        arn=ctx.group_arn(group),
        account=group.account,
        region=group.region,
    )
