"""Readable scenario files under tests/scenarios/iam/: policies, requests, expected decisions.

Each file cites its AWS source page in `source:`. `by` lists statements that must be among the
deciding ones ("identity ReadReports": policy type and Sid; "permissions-boundary": any statement
of that type); `missing` lists the policy types an implicit deny reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from edgeward.analysis.access import can
from edgeward.iam.policy import PolicyKind, parse_policy

SCENARIOS = Path(__file__).parent.parent / "scenarios" / "iam"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _cases() -> list[Any]:
    out = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = yaml.safe_load(path.read_text())
        assert scenario.get("source", "").startswith("https://docs.aws.amazon.com/"), path
        for case in scenario["cases"]:
            out.append(pytest.param(scenario, case, id=f"{path.stem}: {case['name']}"))
    return out


def _policy(raw: dict[str, Any], kind: PolicyKind) -> Any:
    return parse_policy(raw["document"], name=raw["name"], kind=kind)


@pytest.mark.parametrize(("scenario", "case"), _cases())
def test_scenario(scenario: dict[str, Any], case: dict[str, Any]) -> None:
    policies = scenario.get("policies", {})
    decision = can(
        case["principal"],
        case["action"],
        case["resource"],
        identity_policies=[_policy(p, "identity") for p in policies.get("identity", [])],
        resource_policy=_policy(policies["resource"], "resource") if "resource" in policies else None,
        boundary=_policy(policies["boundary"], "boundary") if "boundary" in policies else None,
        session_policies=[_policy(p, "session") for p in policies.get("session", [])],
        scp_levels=[[_policy(p, "scp") for p in level] for level in policies.get("scp_levels", [])],
        rcps=[_policy(p, "rcp") for p in policies.get("rcps", [])],
        resource_account=case.get("resource_account"),
        context=case.get("context") or {},
        now=NOW,
    )
    assert decision.decision == case["expect"], decision
    for wanted in case.get("by", []):
        kind, _, sid = wanted.partition(" ")
        assert any(s.policy_type == kind and (not sid or s.sid == sid) for s in decision.statements), (wanted, decision)
    if "missing" in case:
        assert [m.policy_type for m in decision.missing_allow] == case["missing"], decision
