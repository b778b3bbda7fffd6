"""The five output formats as their readers see them, and the exit codes CI gates on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import SHARED
from tests.rules.support import FIXTURES, REPO, needs_native, run

SARIF_SCHEMA = SHARED / "data" / "sarif-schema-2.1.0.json"
AWS_FIXTURE = str(FIXTURES / "ew501_stale_references_aws.json")
SEVERITIES = {"critical", "high", "medium", "low", "info"}


def audit_json(*args: str) -> tuple[int, Any]:
    code, out, err = run("audit", *args)
    assert code in (0, 1), err
    return code, json.loads(out)


# -- exit codes -----------------------------------------------------------------------------
@needs_native
@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("critical", 1), ("high", 1), ("medium", 1), ("info", 1)],
)
def test_exit_1_when_a_finding_reaches_fail_on(fail_on: str, expected: int) -> None:
    code, _, _ = run("audit", str(FIXTURES / "ew101_admin_ports.yaml"), "--fail-on", fail_on, "--output-format", "json")
    assert code == expected


def test_exit_0_when_nothing_reaches_fail_on() -> None:
    # the stale reference is low, the foreign one info: nothing at or above medium
    code, _, _ = run("audit", AWS_FIXTURE, "--fail-on", "medium", "--output-format", "json")
    assert code == 0
    code, _, _ = run("audit", AWS_FIXTURE, "--fail-on", "low", "--output-format", "json")
    assert code == 1


def test_exit_zero_flag_and_default_fail_on_high() -> None:
    assert run("audit", AWS_FIXTURE)[0] == 0  # only a low finding: below the default (high)
    assert run("audit", AWS_FIXTURE, "--fail-on", "low", "--exit-zero")[0] == 0


def test_input_and_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    code, out, err = run("audit", str(tmp_path / "missing.json"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "no such file or directory" in err
    code, _, err = run("audit", AWS_FIXTURE, "--output-format", "pdf")
    assert code == 2 and err.count("\n") == 1


# -- JSON -----------------------------------------------------------------------------------
@needs_native
def test_json_document_is_versioned_and_findings_have_the_documented_fields() -> None:
    code, doc = audit_json(str(FIXTURES / "ew101_admin_ports.yaml"), "--output-format", "json")
    assert code == 1
    assert doc["schema_version"] == "1.0"
    assert doc["tool"]["name"] == "edgeward"
    assert doc["summary"]["fail_on"] == "high"
    assert doc["summary"]["at_or_above_fail_on"] >= 1
    assert doc["findings"], doc
    for finding in doc["findings"]:
        assert {"rule_id", "severity", "resource", "title", "evidence", "message", "remediation"} <= set(finding)
        assert finding["severity"] in SEVERITIES
        assert finding["location"]["file"].endswith("ew101_admin_ports.yaml")
        assert len(finding["fingerprint"]) == 32
    ssh = next(f for f in doc["findings"] if f["resource"] == "i-ssh-world_fail" and f["rule_id"] == "EW101")
    assert ssh["severity"] == "critical"
    assert ssh["arn"] == "arn:aws:ec2:eu-west-1:111122223333:instance/i-ssh-world_fail"
    assert ssh["evidence"]["ports"][0]["port"] == 22
    assert ssh["why_it_matters"].startswith("SSH, RDP")


@needs_native
@pytest.mark.parametrize(
    ("fixture", "suppress"),
    [
        ("ew101_admin_ports.yaml", "EW505"),
        ("ew301_origin_bypassable.yaml", "EW301"),
        ("ew511_rules_per_group.yaml", "EW511"),
    ],
)
def test_json_output_matches_the_published_schema(fixture: str, suppress: str, tmp_path: Path) -> None:
    schema = json.loads((REPO / "docs" / "audit-findings.schema.json").read_text(encoding="utf-8"))
    config = tmp_path / "edgeward.toml"
    config.write_text(f'[[audit.suppressions]]\nrule = "{suppress}"\nreason = "later"\nexpires = 2099-01-01\n')
    _, doc = audit_json(str(FIXTURES / fixture), "--output-format", "json", "--config", str(config))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    assert any(f["suppressed"] for f in doc["findings"])  # the suppressed shape is checked too


def test_fingerprints_are_stable_across_runs() -> None:
    _, first = audit_json(AWS_FIXTURE, "--output-format", "json")
    _, second = audit_json(AWS_FIXTURE, "--output-format", "json")
    assert [f["fingerprint"] for f in first["findings"]] == [f["fingerprint"] for f in second["findings"]]


# -- SARIF ----------------------------------------------------------------------------------
def sarif_of(*args: str) -> dict[str, Any]:
    code, out, err = run("audit", *args, "--output-format", "sarif")
    assert code in (0, 1), err
    doc: dict[str, Any] = json.loads(out)
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return doc


@needs_native
def test_sarif_is_valid_and_points_at_the_iac_line() -> None:
    doc = sarif_of(str(FIXTURES / "ew101_admin_ports.yaml"))
    run_ = doc["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert rules["EW101"]["properties"]["security-severity"] == "9.5"
    assert rules["EW101"]["help"]["markdown"]
    assert run_["results"]
    for result in run_["results"]:
        location = result["locations"][0]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "tests/rules/fixtures/ew101_admin_ports.yaml"
        assert physical["region"]["startLine"] >= 1
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("arn:aws:ec2:eu-west-1:")
        assert list(result["partialFingerprints"]) == ["edgewardFinding/v1"]
        assert run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    ssh = next(r for r in run_["results"] if r["locations"][0]["logicalLocations"][0]["name"] == "i-ssh-world_fail")
    assert ssh["level"] == "error"


def test_sarif_without_lines_still_locates_every_result() -> None:
    doc = sarif_of(AWS_FIXTURE)
    results = doc["runs"][0]["results"]
    assert results
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "tests/rules/fixtures/ew501_stale_references_aws.json"
        assert "region" not in physical
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]


@needs_native
def test_sarif_marks_suppressed_results(tmp_path: Path) -> None:
    config = tmp_path / "edgeward.toml"
    config.write_text('[[audit.suppressions]]\nrule = "EW101"\nreason = "lab"\nexpires = 2099-01-01\n')
    doc = sarif_of(str(FIXTURES / "ew101_admin_ports.yaml"), "--config", str(config))
    suppressed = [r for r in doc["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed and all(r["ruleId"] == "EW101" for r in suppressed)
    assert suppressed[0]["suppressions"][0]["justification"].startswith("lab")


# -- OCSF -----------------------------------------------------------------------------------
REQUIRED_OCSF = {
    "activity_id",
    "category_uid",
    "class_uid",
    "finding_info",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
}


@needs_native
def test_ocsf_detection_findings_carry_the_required_attributes() -> None:
    code, out, _ = run("audit", str(FIXTURES / "ew101_admin_ports.yaml"), "--output-format", "ocsf")
    assert code == 1
    events = json.loads(out)
    assert isinstance(events, list) and events
    for event in events:
        assert set(event) >= REQUIRED_OCSF
        assert event["class_uid"] == 2004 and event["category_uid"] == 2 and event["type_uid"] == 200401
        assert event["finding_info"]["uid"] and event["finding_info"]["title"]
        assert event["metadata"]["version"] == "1.3.0"
        assert event["metadata"]["product"]["name"] == "edgeward"
        assert event["cloud"]["provider"] == "AWS"
        assert event["severity_id"] in (1, 2, 3, 4, 5)
    ssh = next(e for e in events if e["resources"][0]["name"] == "i-ssh-world_fail")
    assert (ssh["severity_id"], ssh["severity"]) == (5, "Critical")
    assert ssh["resources"][0]["uid"] == "arn:aws:ec2:eu-west-1:111122223333:instance/i-ssh-world_fail"


# -- text and -o ----------------------------------------------------------------------------
def test_plain_text_when_piped_names_resource_rule_evidence_and_fix() -> None:
    code, out, _ = run("audit", AWS_FIXTURE)
    assert code == 0
    assert "\x1b[" not in out  # no colour codes when not a terminal
    assert "LOW      EW501 sg-0stale_fail: Group reference is stale: sg-0deleted" in out
    assert "fix: Remove tcp port 5432 from members of 111122223333/sg-0deleted" in out
    assert out.rstrip().splitlines()[-1] == "4 finding(s): 3 low, 1 info. 0 at or above --fail-on high."


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    code, out, _ = run("audit", AWS_FIXTURE, "--output-format", "sarif", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir()] == ["out.sarif"]  # no temporary file left behind


def test_output_file_untouched_on_input_error(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous\n")
    code, _, _ = run("audit", str(tmp_path / "nope"), "--output-format", "json", "-o", str(target))
    assert code == 2
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_into_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = run("audit", AWS_FIXTURE, "-o", str(tmp_path / "no" / "such" / "x.json"))
    assert code == 2
    assert "the folder does not exist" in err


# -- secrets --------------------------------------------------------------------------------
SECRET = "s3cr3t-value-for-tests-only"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "ocsf", "html"])
def test_origin_secret_never_appears_only_its_fingerprint(fmt: str) -> None:
    from edgeward.secrets import fingerprint

    code, out, _ = run("audit", str(FIXTURES / "ew401_origin_secret_readers.json"), "--output-format", fmt)
    assert code == 1  # EW401 is high
    assert SECRET not in out
    assert fingerprint(SECRET) in out


def test_sarif_for_cloudformation_points_at_the_resource_line() -> None:
    pytest.importorskip("edgeward.sources.cloudformation", reason="the CloudFormation loader is not in this tree")
    doc = sarif_of(str(FIXTURES / "cloudformation" / "ssh_open.yaml"))
    ssh = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "EW104")
    location = ssh["locations"][0]
    assert (
        location["physicalLocation"]["artifactLocation"]["uri"] == "tests/rules/fixtures/cloudformation/ssh_open.yaml"
    )
    assert location["physicalLocation"]["region"]["startLine"] == 14  # `SshGroup:` in the template
    assert location["logicalLocations"][0]["name"] == "SshGroup"
    assert ssh["level"] == "note"  # low: no public path, whatever the rule text says


@needs_native
def test_rich_table_for_a_terminal_says_the_same_as_plain_text() -> None:
    from edgeward.report.audit_text import render_plain, render_rich
    from edgeward.rules.audit import run_audit
    from edgeward.rules.base import Severity
    from tests.rules.support import load

    result = run_audit(load("ew101_admin_ports.yaml"))
    rich_text = render_rich(result, Severity.HIGH)
    assert "\x1b[" in rich_text  # coloured for a terminal
    assert "edgeward audit" in rich_text and "EW101" in rich_text and "i-ssh-world_fail" in rich_text
    summary = render_plain(result, Severity.HIGH).splitlines()[-1]
    assert summary in re.sub(r"\x1b\[[0-9;]*m", "", rich_text)
