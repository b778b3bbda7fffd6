"""The shipped read-only policy: exactly the collector's calls, and no write action per our IAM engine."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from edgeward.iam.catalog import ActionInfo, load_catalog
from edgeward.iam.evaluation import PolicySet, Request, evaluate
from edgeward.iam.policy import parse_policy
from edgeward.iam.principal import Principal
from edgeward.sources import live
from edgeward.sources.live import (
    ASSUME_ROLE,
    LiveOptions,
    all_calls,
    collect,
    readonly_policy,
    scanned_account_actions,
)
from tests.sources.live_support import (
    Recorder,
    answering,
    build_edge_estate,
    build_estate,
    edge_answers,
    fake_aws_env,
    filling_moto_gaps,
)

REPO = Path(__file__).resolve().parents[2]
POLICY_FILE = REPO / "docs" / "edgeward-readonly-policy.json"
DOC = REPO / "docs" / "live.md"
READ_PREFIXES = ("Describe", "Get", "List")
WRITE_LEVELS = ("Write", "Permissions management", "Tagging")
# Operations whose IAM action is named otherwise (Service Authorization Reference).
ACTION_NAMES = {
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "GetAccountPublicAccessBlock",
}
SCANNER = Principal.from_arn("arn:aws:sts::123456789012:assumed-role/EdgewardReadOnly/edgeward")


def shipped_policy() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    return document


def is_write(info: ActionInfo) -> bool:
    """The catalog's access level where it has one (CloudFront); else the action's name.

    The pinned catalog has access levels for CloudFront only; for every other service (ec2, iam,
    sts, ...) an action counts as a write unless its name starts with Describe, Get or List.
    """
    if info.detailed and info.access_level is not None:
        return any(level in info.access_level for level in WRITE_LEVELS)
    return not info.name.startswith(READ_PREFIXES)


def test_shipped_policy_is_the_one_the_code_generates() -> None:
    assert shipped_policy() == readonly_policy(), "regenerate docs/edgeward-readonly-policy.json from readonly_policy()"


def test_every_call_is_a_read_only_operation_of_its_service() -> None:
    session = botocore.session.get_session()
    for call in (*all_calls(), ASSUME_ROLE):
        operations = session.get_service_model(call.service).operation_names
        assert call.operation in operations, call
        assert call.action.split(":")[1] == ACTION_NAMES.get((call.service, call.operation), call.operation)
    for call in all_calls():
        assert call.operation.startswith(READ_PREFIXES), call


def test_the_calls_a_scan_makes_are_exactly_the_policys_actions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Run a full scan (every region enabled, prefix lists present) and record every request sent."""
    fake_aws_env(monkeypatch, tmp_path)
    regions = {"Regions": [{"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"}]}
    with mock_aws():
        edge = build_edge_estate(build_estate())  # a resource behind every per-resource call
        base = answering("DescribeRegions", regions, base=filling_moto_gaps(live.make_client, edge_answers(edge)))
        recorder = Recorder(base=base)
        result = collect(LiveOptions(regions=("all",), quiet=True), client_factory=recorder)
    assert result.report.complete
    by_operation = {(c.service, c.operation): c.action for c in all_calls()}
    made = set()
    for service, operation, _ in recorder.calls:
        assert (service, operation) in by_operation, f"{service}.{operation} is not in the collector's call list"
        made.add(by_operation[(service, operation)])
    assert made == set(scanned_account_actions()) == set(shipped_policy()["Statement"][0]["Action"])


def test_every_action_exists_in_the_pinned_catalog() -> None:
    catalog = load_catalog()
    assert [a for a in scanned_account_actions() if catalog.action(a) is None] == []


def test_our_iam_engine_allows_exactly_the_listed_actions_and_nothing_else() -> None:
    catalog = load_catalog()
    policy = parse_policy(shipped_policy(), name="edgeward-readonly")
    policies = PolicySet(identity=(policy,))
    allowed = {
        info.full_name
        for service in catalog.services()
        for info in catalog.actions(service)
        if evaluate(Request(SCANNER, info.full_name, "*"), policies).allowed
    }
    assert {a.lower() for a in allowed} == {a.lower() for a in scanned_account_actions()}


def test_our_iam_engine_finds_no_write_action_allowed() -> None:
    catalog = load_catalog()
    policy = parse_policy(shipped_policy(), name="edgeward-readonly")
    policies = PolicySet(identity=(policy,))
    services = {a.split(":")[0] for a in scanned_account_actions()}
    writes = [info for service in sorted(services) for info in catalog.actions(service) if is_write(info)]
    assert len(writes) > 500  # not vacuous: the writes of every service the scan touches
    resources = ("*", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", "arn:aws:iam::123456789012:role/x")
    granted = [
        (info.full_name, resource)
        for info in writes
        for resource in resources
        if evaluate(Request(SCANNER, info.full_name, resource), policies).decision == "allowed"
    ]
    assert granted == []


def test_the_docs_list_every_action_and_the_exit_codes() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [a for a in scanned_account_actions() if f"`{a}`" not in text]
    assert missing == []
    assert "`sts:AssumeRole`" in text
    assert re.search(r"\|\s*3\s*\|", text), "docs/live.md must document exit code 3"
