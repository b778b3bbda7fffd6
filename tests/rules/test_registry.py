"""The registry: unique, well-formed rule metadata, and docs/rules.md generated from it."""

from __future__ import annotations

import re

from edgeward.report.rules_doc import rules_markdown
from edgeward.rules.registry import RULES, RULES_BY_ID
from tests.rules.support import REPO, run

FAMILY_PREFIX = {
    "configuration": "EW0",
    "security groups": "EW1",
    "network ACLs": "EW2",
    "CloudFront and origins": "EW3",
    "IAM": "EW4",
    "hygiene": "EW50",
    "quotas": "EW51",
}


def test_rule_ids_are_unique_sorted_and_match_their_family() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) == len(RULES_BY_ID)
    assert ids == sorted(ids)
    for rule in RULES:
        assert re.fullmatch(r"EW\d{3}", rule.id)
        assert rule.id.startswith(FAMILY_PREFIX[rule.family]), rule.id


def test_every_rule_carries_what_a_finding_needs() -> None:
    names = set()
    for rule in RULES:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule.name), rule.name
        names.add(rule.name)
        assert rule.title and not rule.title.endswith(".")
        assert len(rule.rationale) > 40 and rule.remediation
        for url in rule.references:
            assert url.startswith("https://"), url
        if rule.family != "configuration":
            assert rule.references, f"{rule.id} cites no reference"
    assert len(names) == len(RULES)


def test_committed_rules_doc_is_generated_from_the_registry() -> None:
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(RULES), "docs/rules.md is stale: run scripts/generate_rules_doc.py"


def test_rules_verb_lists_and_prints_the_doc() -> None:
    code, out, _ = run("rules")
    assert code == 0
    assert out.splitlines()[2].startswith("EW101  critical  Remote administration port")
    code, out, _ = run("rules", "--markdown")
    assert code == 0 and out == rules_markdown(RULES)
