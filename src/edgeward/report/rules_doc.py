"""docs/rules.md, generated from the registry (scripts/generate_rules_doc.py, `edgeward rules --markdown`)."""

from __future__ import annotations

from collections.abc import Sequence

from edgeward.rules.base import Rule

HEADER = """# Audit rules

<!-- Generated from the rule registry by scripts/generate_rules_doc.py; do not edit by hand. -->

`edgeward audit SOURCE` runs every rule below. Ids: EW0xx configuration, EW1xx security groups,
EW2xx network ACLs, EW3xx CloudFront and origins, EW4xx IAM, EW5xx hygiene and quotas.
Severities are defaults: a finding may be lower (the rule says when), and the configuration can
override them, disable rules or suppress findings (docs/audit.md).
"""


def rules_markdown(rules: Sequence[Rule]) -> str:
    lines = [HEADER, "| id | severity | title |", "|---|---|---|"]
    lines += [f"| [{r.id}](#{r.id.lower()}) | {r.severity.value} | {r.title} |" for r in rules]
    for rule in rules:
        lines += [
            "",
            f"## {rule.id}",
            "",
            f"**{rule.title}** (`{rule.name}`, {rule.family}, default severity {rule.severity.value}"
            + ("" if rule.enabled_by_default else ", off by default")
            + ")",
            "",
            f"Why it matters: {rule.rationale}",
            "",
            f"Fix: {rule.remediation}",
        ]
        if rule.references:
            lines += ["", "References:", ""] + [f"- <{url}>" for url in rule.references]
    return "\n".join(lines) + "\n"
