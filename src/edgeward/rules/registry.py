"""The explicit list of audit rules, in id order. A new family is one import and one line here."""

from __future__ import annotations

from edgeward.rules import hygiene, iam, network_acls, origins, quotas, security_groups
from edgeward.rules.audit import META_RULES
from edgeward.rules.base import Rule

RULES: tuple[Rule, ...] = (
    *META_RULES,
    *security_groups.RULES,
    *network_acls.RULES,
    *origins.RULES,
    *iam.RULES,
    *hygiene.RULES,
    *quotas.RULES,
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rule_by_id(rule_id: str) -> Rule | None:
    return RULES_BY_ID.get(rule_id)
