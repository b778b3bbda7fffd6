"""`reach --batch` writes its answers in blocks of lines: every answer still comes out, in order; a
question that cannot be asked fails the run before any answer is written (nothing half-written)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edgeward.analysis.flows import Traffic
from edgeward.analysis.reach import Reachability
from edgeward.cli import main
from edgeward.sources import load_snapshot

THREE_TIER = Path(__file__).resolve().parents[2] / "examples" / "three-tier.yaml"
QUESTIONS = [("i-web-1", "i-db", 5432), ("i-web-1", "i-db", 22), ("internet", "i-web-1", 443)]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, questions: list[tuple[str, str, int]]) -> None:
    lines = [json.dumps({"from": a, "to": b, "protocol": "tcp", "port": p}) for a, b, p in questions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_more_answers_than_a_block_come_out_in_order(tmp_path: Path) -> None:
    questions = QUESTIONS * 150  # 450 answers: more than two blocks
    write(tmp_path / "flows.jsonl", questions)
    code, out, _ = run("reach", str(THREE_TIER), "--batch", str(tmp_path / "flows.jsonl"))
    assert code == 0
    reach = Reachability(load_snapshot(THREE_TIER))
    expected = [reach.reach(a, b, Traffic(6, port=p)).verdict.value for a, b, p in QUESTIONS]
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == expected * 150
    assert set(expected) == {"allowed", "denied"}


def test_a_question_that_cannot_be_asked_fails_before_any_answer(tmp_path: Path) -> None:
    questions = [*QUESTIONS * 100, ("i-web-1", "eni-nowhere", 443)]
    write(tmp_path / "flows.jsonl", questions)
    code, out, err = run("reach", str(THREE_TIER), "--batch", str(tmp_path / "flows.jsonl"))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "query 301: to: no interface eni-nowhere" in err
