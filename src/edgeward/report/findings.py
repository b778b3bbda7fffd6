"""The audit as data: the versioned JSON document every machine format starts from (docs/audit.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from edgeward import __version__
from edgeward.model.network import SourceRef
from edgeward.rules.audit import AuditResult
from edgeward.rules.base import Finding, Rule, Severity

SCHEMA_VERSION = "1.0"


def location_json(ref: SourceRef) -> dict[str, Any]:
    out: dict[str, Any] = {"file": ref.file or None, "line": ref.line, "place": ref.place or None}
    if ref.address:
        out["address"] = ref.address
    return out


def finding_json(finding: Finding, rules: dict[str, Rule]) -> dict[str, Any]:
    rule = rules.get(finding.rule_id)
    out: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "resource": finding.resource,
        "resource_id": finding.resource_id,
        "resource_type": finding.resource_type,
        "arn": finding.arn,
        "account": finding.account,
        "region": finding.region,
        "title": finding.title,
        "message": finding.message,
        "evidence": dict(finding.evidence),
        "evidence_text": list(finding.evidence_text),
        "remediation": finding.remediation or (rule.remediation if rule else ""),
        "why_it_matters": rule.rationale if rule else "",
        "references": list(rule.references) if rule else [],
        "location": location_json(finding.location),
        "related": list(finding.related),
        "fingerprint": finding.fingerprint(),
        "suppressed": finding.suppression.to_json() if finding.suppression else None,
    }
    return out


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": rule.severity.value,
        "family": rule.family,
        "rationale": rule.rationale,
        "remediation": rule.remediation,
        "references": list(rule.references),
        "tags": list(rule.tags),
        "enabled_by_default": rule.enabled_by_default,
    }


def audit_json(result: AuditResult, fail_on: Severity, generated_at: datetime | None = None) -> dict[str, Any]:
    """The `--output-format json` document, schema_version 1.x."""
    rules = {r.id: r for r in result.rules}
    when = (generated_at or datetime.now(UTC)).replace(microsecond=0)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "edgeward", "version": __version__},
        "input": result.input_path,
        "generated_at": when.isoformat().replace("+00:00", "Z"),
        "configuration": result.settings.source or None,
        "summary": {
            "findings": len(result.active),
            "suppressed": len(result.suppressed),
            "by_severity": result.counts(),
            "fail_on": fail_on.value,
            "at_or_above_fail_on": len(result.at_or_above(fail_on)),
        },
        "findings": [finding_json(f, rules) for f in result.findings],
        "rules": [rule_json(r) for r in result.rules],
        "notes": list(result.notes),
    }
