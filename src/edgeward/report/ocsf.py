"""OCSF 1.3.0 Detection Finding (class_uid 2004) events, one per finding, as a JSON array.

Required attributes of the class (OCSF 1.3.0): activity_id, category_uid, class_uid, finding_info
(uid, title), metadata (product, version), severity_id, time, type_uid; plus the cloud profile's
`cloud.provider`. Suppressed findings have status_id 3 (Suppressed), others 1 (New).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from edgeward import __version__
from edgeward.rules.audit import AuditResult
from edgeward.rules.base import Finding, Rule, Severity

OCSF_VERSION = "1.3.0"
CLASS_UID = 2004
CATEGORY_UID = 2
ACTIVITY_CREATE = 1
SEVERITY_ID = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
RESOURCE_TYPES = {
    "security-group": "AWS::EC2::SecurityGroup",
    "network-acl": "AWS::EC2::NetworkAcl",
    "network-interface": "AWS::EC2::NetworkInterface",
    "instance": "AWS::EC2::Instance",
    "suppression": "edgeward::Suppression",
}


def finding_event(finding: Finding, rule: Rule | None, when: datetime) -> dict[str, Any]:
    severity_id, severity = SEVERITY_ID[finding.severity]
    millis = int(when.timestamp() * 1000)
    suppressed = finding.suppression is not None
    resource: dict[str, Any] = {
        "uid": finding.arn or finding.resource_id,
        "name": finding.resource,
        "type": RESOURCE_TYPES.get(finding.resource_type, finding.resource_type),
        "data": {"evidence": dict(finding.evidence)},
    }
    if finding.region:
        resource["region"] = finding.region
    if finding.location.file:
        resource["data"]["location"] = {
            "file": finding.location.file,
            "line": finding.location.line,
            "place": finding.location.place or None,
        }
    cloud: dict[str, Any] = {"provider": "AWS"}
    if finding.region and finding.region != "unknown":
        cloud["region"] = finding.region
    if finding.account and finding.account != "unknown":
        cloud["account"] = {"uid": finding.account, "type": "AWS Account", "type_id": 10}
    event: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 3 if suppressed else 1,
        "status": "Suppressed" if suppressed else "New",
        "time": millis,
        "time_dt": when.isoformat().replace("+00:00", "Z"),
        "message": finding.message,
        "finding_info": {
            "uid": finding.fingerprint(),
            "title": finding.title,
            "desc": finding.message,
            "types": [rule.family if rule else "edgeward"],
            "analytic": {
                "uid": finding.rule_id,
                "name": rule.name if rule else finding.rule_id,
                "type_id": 1,
                "type": "Rule",
            },
            "created_time": millis,
        },
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "edgeward", "vendor_name": "edgeward", "version": __version__},
            "event_code": finding.rule_id,
            "profiles": ["cloud"],
        },
        "cloud": cloud,
        "resources": [resource],
        "remediation": {
            "desc": finding.remediation or (rule.remediation if rule else ""),
            "references": list(rule.references) if rule else [],
        },
        "risk_details": rule.rationale if rule else "",
        "unmapped": {"evidence_text": list(finding.evidence_text), "related": list(finding.related)},
    }
    if suppressed and finding.suppression is not None:
        event["status_detail"] = f"{finding.suppression.reason} (expires {finding.suppression.expires.isoformat()})"
    return event


def audit_ocsf(result: AuditResult, when: datetime | None = None) -> list[dict[str, Any]]:
    moment = (when or datetime.now(UTC)).replace(microsecond=0)
    rules = {r.id: r for r in result.rules}
    return [finding_event(f, rules.get(f.rule_id), moment) for f in result.findings]
