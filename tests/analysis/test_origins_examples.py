"""The examples in examples/origins/ produce the verdicts their names promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeward.analysis.origins import OriginAnalysis
from edgeward.sources import load_snapshot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "origins"
PROMISED = {
    "alb-open-to-world": "bypassable",
    "prefix-list-only": "other-distributions-can-reach",
    "header-alb-rule": "only-via-cloudfront",
    "header-waf": "only-via-cloudfront",
    "s3-oac-sourcearn": "only-via-cloudfront",
    "s3-oac-no-sourcearn": "other-distributions-can-reach",
    "vpc-origin": "only-via-cloudfront",
}


def test_every_example_is_listed() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} == set(PROMISED)


@pytest.mark.parametrize(("name", "verdict"), sorted(PROMISED.items()))
def test_example_verdict_matches_its_name(name: str, verdict: str) -> None:
    verdicts = OriginAnalysis(load_snapshot(EXAMPLES / f"{name}.yaml")).all()
    assert verdicts, f"{name}: no origin analysed"
    assert [v.verdict for v in verdicts] == [verdict] * len(verdicts), [v.summary for v in verdicts]
