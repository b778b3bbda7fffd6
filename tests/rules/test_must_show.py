"""The issue's "must show": a Terraform plan where a rule-text linter is wrong and edgeward is right.

fixtures/terraform/main.tf explains the three groups; must_show.plan.json is its real
`terraform show -json` output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edgeward.report.sarif import audit_sarif
from edgeward.rules.audit import AuditResult, run_audit
from edgeward.rules.base import Finding, Severity
from tests.rules.support import FIXTURES

PLAN = FIXTURES / "terraform" / "must_show.plan.json"
EXPOSURE_RULES = {"EW101", "EW102", "EW103", "EW105", "EW107"}


@pytest.fixture(scope="module")
def result() -> AuditResult:
    terraform = pytest.importorskip("edgeward.sources.terraform", reason="the Terraform loader is not in this tree")
    snapshot = terraform.load_terraform(PLAN)
    return run_audit(snapshot, input_path=str(PLAN))


def of(result: AuditResult, resource: str) -> dict[str, Finding]:
    return {f.rule_id: f for f in result.findings if f.resource == resource}


def test_ssh_from_anywhere_without_a_public_path_is_low_and_says_why(result: AuditResult) -> None:
    findings = of(result, "aws_security_group.ssh_anywhere")
    assert set(findings) == {"EW104"}  # a rule-text linter: critical
    ssh = findings["EW104"]
    assert ssh.severity is Severity.LOW
    assert "aws_instance.app: the interface has no public IPv4 address" in ssh.message
    assert not [f for f in result.findings if f.rule_id == "EW101"]


def test_group_reference_and_prefix_list_are_resolved_not_flagged(result: AuditResult) -> None:
    assert set(of(result, "aws_security_group.db")) & (EXPOSURE_RULES | {"EW104", "EW106"}) == set()


def test_all_traffic_over_ipv6_next_to_an_ipv4_allow_list_is_reported(result: AuditResult) -> None:
    findings = of(result, "aws_security_group.web")
    bypass = findings["EW106"]  # a linter checking "22 from 0.0.0.0/0" passes this group
    assert bypass.evidence["ports"] == [[22, 22]]
    assert [r["rule"] for r in bypass.evidence["ipv4_rules"]] == [
        'tcp port 22 from 52.95.110.0/24 ("SSH from the office")'
    ]
    assert bypass.evidence["ipv6_rules"][0]["rule"].startswith("all traffic from ::/0")
    # the web server's public address is known only after apply: never called reachable or safe
    unknown = findings["EW104"]
    assert unknown.severity is Severity.MEDIUM
    assert "public_ip is not known until the change is applied" in unknown.message


def test_sarif_points_at_the_plan_and_names_the_terraform_address(result: AuditResult) -> None:
    doc: dict[str, Any] = audit_sarif(result, root=Path.cwd())
    names = set()
    for item in doc["runs"][0]["results"]:
        location = item["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("must_show.plan.json")
        names.add(location["logicalLocations"][0]["name"])
    assert {"aws_security_group.ssh_anywhere", "aws_security_group.web"} <= names
    json.dumps(doc)  # serialisable as is
