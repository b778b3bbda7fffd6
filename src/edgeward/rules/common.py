"""Helpers the rule families share: describing rules, sources and reasons as evidence."""

from __future__ import annotations

from typing import Any

from edgeward.algebra.addresses import Addresses
from edgeward.analysis.flows import describe_internet_sources
from edgeward.analysis.reach import representative
from edgeward.model.network import SecurityGroup, SecurityGroupRule
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


def rule_line(group: SecurityGroup, rule: SecurityGroupRule) -> str:
    where = f" [{rule.position}]" if rule.position else ""
    return f"{group.id} ({group.name}) {direction(rule)}: {describe_rule(rule)}{where}"


def rule_key(rule: SecurityGroupRule) -> str:
    """Identifies a rule by what it says, not where it sits in the input."""
    return f"{direction(rule)}|{rule.protocol}|{rule.from_port}|{rule.to_port}|{rule.peer_text()}"


def sources_text(ctx: AuditContext, sources: Addresses) -> str:
    return describe_internet_sources(ctx.snapshot, sources, 6)


def example_source(sources: Addresses) -> str | None:
    return representative(sources)
