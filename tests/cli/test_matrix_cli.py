"""`edgeward matrix` as a user runs it: every private interface pair at once, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.reach import Reachability
from edgeward.cli import main
from edgeward.sources import load_snapshot

THREE_TIER = Path(__file__).resolve().parents[2] / "examples" / "three-tier.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def test_text_lists_each_class_and_what_it_reaches() -> None:
    code, out, _ = run("matrix", str(THREE_TIER))
    assert code == 0
    assert out.startswith("Private reachability between interfaces (all traffic): ")
    assert "c1: vpc-shop subnet-app-a [sg-web] (eni-web-1)" in out
    assert "  -> c2: tcp port 5432" in out  # the app tier reaches the database
    assert "(reaches no other class privately)" in out  # the database opens nothing


def test_json_cells_agree_with_reach_for_the_traffic_asked() -> None:
    code, out, _ = run("matrix", str(THREE_TIER), "--protocol", "tcp", "--port", "5432", "--output-format", "json")
    assert code == 0
    data = json.loads(out)
    members = {c["id"]: c["interfaces"] for c in data["classes"]}
    allowed = {(source, destination) for source, destination, _ in data["allowed"]}
    assert data["traffic_sets"] == [["tcp port 5432"]]
    assert {index for _, _, index in data["allowed"]} == {0}
    snapshot = load_snapshot(THREE_TIER)
    reach = Reachability(snapshot)
    for a, sources in members.items():
        for b, targets in members.items():
            for source in sources:
                for target in targets:
                    if source == target:
                        continue
                    verdict = reach.reach(source, target, Traffic(6, port=5432)).verdict
                    assert (verdict is Verdict.ALLOWED) == ((a, b) in allowed), (source, target)
    assert allowed  # the example has a database flow


def test_port_without_protocol_is_a_usage_error() -> None:
    code, _, err = run("matrix", str(THREE_TIER), "--port", "443")
    assert code == 2
    assert "--port/--icmp-type/--icmp-code need --protocol" in err
