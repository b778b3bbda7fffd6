"""SARIF 2.1.0 for GitHub code scanning and other SARIF readers.

- Every result has a physical location (GitHub rejects a whole upload otherwise): the IaC file and
  line when the input had them, else the input file the resource was read from, else the input path;
  plus a logical location with the ARN (or AWS id) of the resource.
- Severity: `level` (critical/high -> error, medium -> warning, low/info -> note) and the rule's
  `security-severity` (critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0) for GitHub's buckets.
- `partialFingerprints` from the rule, the AWS id and the finding's key: stable across runs.
- Suppressed findings carry `suppressions` (kind external, with the reason) instead of disappearing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgeward import __version__
from edgeward.model.network import SourceRef
from edgeward.rules.audit import AuditResult
from edgeward.rules.base import Finding, Rule, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
FINGERPRINT_KEY = "edgewardFinding/v1"


def artifact_uri(path: str, root: Path) -> tuple[str, bool]:
    """(uri, relative to %SRCROOT%): repository-relative POSIX paths where possible."""
    candidate = Path(path)
    try:
        resolved = candidate.resolve()
        return resolved.relative_to(root.resolve()).as_posix(), True
    except ValueError:
        return (candidate.resolve().as_uri(), False) if candidate.is_absolute() else (candidate.as_posix(), True)
    except OSError:  # pragma: no cover - unreadable paths keep their text
        return candidate.as_posix(), True


def _physical(ref: SourceRef, fallback: str, root: Path) -> dict[str, Any]:
    uri, relative = artifact_uri(ref.file or fallback or ".", root)
    location: dict[str, Any] = {"uri": uri}
    if relative:
        location["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, Any] = {"artifactLocation": location}
    if ref.file and ref.line is not None and ref.line >= 1:
        physical["region"] = {"startLine": ref.line}
    return physical


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    references = "\n".join(f"- {url}" for url in rule.references)
    markdown = f"**{rule.title}**\n\n{rule.rationale}\n\n**Fix:** {rule.remediation}"
    if references:
        markdown += f"\n\n**References:**\n{references}"
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\n\nFix: {rule.remediation}", "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", *[t for t in rule.tags if t != "security"]],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "very-high",
            "problem.severity": LEVEL[rule.severity],
        },
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def _result(finding: Finding, index: int, input_path: str, root: Path) -> dict[str, Any]:
    logical: dict[str, Any] = {
        "name": finding.resource,
        "fullyQualifiedName": finding.arn or finding.resource_id,
        "kind": "resource",
    }
    text = f"{finding.title}: {finding.message}"
    if finding.remediation:
        text += f" Fix: {finding.remediation}"
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [
            {"physicalLocation": _physical(finding.location, input_path, root), "logicalLocations": [logical]}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint()},
        "properties": {
            "severity": finding.severity.value,
            "resource": finding.resource,
            "resourceId": finding.resource_id,
            "resourceType": finding.resource_type,
            "evidence": list(finding.evidence_text),
        },
    }
    if finding.location.place:
        result["locations"][0]["physicalLocation"].setdefault("properties", {})["place"] = finding.location.place
    if finding.suppression is not None:
        s = finding.suppression
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": f"{s.reason} (expires {s.expires.isoformat()})"}
        ]
    return result


def audit_sarif(result: AuditResult, root: Path | None = None) -> dict[str, Any]:
    """The SARIF log for one audit; `root` is what relative artifact URIs are relative to (the CWD)."""
    base = root or Path.cwd()
    index = {rule.id: i for i, rule in enumerate(result.rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "edgeward",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule_descriptor(rule) for rule in result.rules],
                    }
                },
                "automationDetails": {"id": "edgeward/audit/"},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.resolve().as_uri() + "/"}},
                "results": [_result(f, index[f.rule_id], result.input_path, base) for f in result.findings],
            }
        ],
    }
