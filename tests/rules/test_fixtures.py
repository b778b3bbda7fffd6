"""Every rule against its fixture: resources named `*_fail` are reported by the rule, `*_pass` are not.

The verdict is in the resource's name (Checkov's convention), so a reviewer reads a fixture and knows
what edgeward must say. Only the rule under test runs; a sidecar `<fixture>.toml` holds its settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from edgeward.config import load_config
from edgeward.rules.registry import RULES, RULES_BY_ID
from edgeward.sources import load_snapshot
from tests.rules.support import FIXTURES, native_available

FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if re.match(r"ew\d{3}_.*\.(ya?ml|json)$", p.name))


def _rule_of(path: Path) -> str:
    match = re.match(r"ew(\d{3})_", path.name)
    assert match, path
    return f"EW{match.group(1)}"


def _resource_ids(snapshot: Any) -> set[str]:
    """Ids and ARNs of everything a finding can be about."""
    ids = (
        set(snapshot.instances) | set(snapshot.security_groups) | set(snapshot.network_acls) | set(snapshot.interfaces)
    )
    ids |= {d.id for d in getattr(snapshot.edge, "distributions", ())}
    if snapshot.iam is not None:
        ids |= {p.arn for p in snapshot.iam.managed_policies}
        ids |= {p.arn for p in (*snapshot.iam.users, *snapshot.iam.roles, *snapshot.iam.groups)}
    return ids


def _named(snapshot_ids: set[str], suffix: str) -> set[str]:
    return {i for i in snapshot_ids if i.endswith(suffix)}


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_verdicts(path: Path) -> None:
    if path.suffix in (".yaml", ".yml") and not native_available():
        pytest.skip("the native YAML loader is not in this tree yet")
    rule = RULES_BY_ID[_rule_of(path)]
    sidecar = path.with_suffix(".toml")
    settings = load_config(sidecar if sidecar.exists() else None, start=FIXTURES, known_rules=frozenset(RULES_BY_ID))
    snapshot = load_snapshot(path)
    ids = _resource_ids(snapshot)
    fails, passes = _named(ids, "_fail"), _named(ids, "_pass")
    assert fails and passes, f"{path.name} needs at least one *_fail and one *_pass resource"

    findings = rule.check(snapshot, settings.settings)
    flagged = {f.resource_id for f in findings}
    assert fails - flagged == set(), f"{rule.id} missed {sorted(fails - flagged)}"
    assert flagged - fails == set(), f"{rule.id} reported resources not named *_fail: {sorted(flagged - fails)}"
    for finding in findings:
        assert finding.rule_id == rule.id
        assert finding.title and finding.message and finding.evidence and finding.evidence_text
        assert finding.location.file or finding.location.place, "every finding points back into the input"


def test_every_checking_rule_has_a_fixture() -> None:
    covered = {_rule_of(p) for p in FIXTURE_FILES}
    checking = {r.id for r in RULES if r.family != "configuration"}
    assert checking - covered == set()
