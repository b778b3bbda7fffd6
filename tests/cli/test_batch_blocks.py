"""`reach --batch` writes its answers in blocks of lines: every answer still comes out, in order; a
question that cannot be asked fails the run before any answer is written (nothing half-written)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeward import forking
from edgeward.analysis.flows import Traffic
from edgeward.analysis.reach import Reachability
from edgeward.cli import main, network
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


def _answers(tmp_path: Path) -> str:
    code, out, _ = run("reach", str(THREE_TIER), "--batch", str(tmp_path / "flows.jsonl"))
    assert code == 0
    return out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker is forked")
def test_a_long_batch_split_with_a_worker_answers_the_same_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "flows.jsonl", QUESTIONS * 7)  # 21 questions, an odd split
    monkeypatch.setenv("EDGEWARD_WORKERS", "1")
    alone = _answers(tmp_path)
    monkeypatch.delenv("EDGEWARD_WORKERS")
    monkeypatch.setattr(network, "PARALLEL_QUESTIONS", 2)
    monkeypatch.setattr(forking, "available", lambda: True)
    started: list[object] = []
    real = network.Forked

    def counted(work: Callable[[], bytes]) -> object:
        started.append(work)
        return real(work)

    monkeypatch.setattr(network, "Forked", counted)
    assert _answers(tmp_path) == alone
    assert len(started) == 1

    class Failed:  # a worker that died: this process answers its half too
        def __init__(self, work: Callable[[], bytes]) -> None:
            pass

        def __enter__(self) -> Failed:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def result(self) -> bytes | None:
            return None

    monkeypatch.setattr(network, "Forked", Failed)
    assert _answers(tmp_path) == alone
    assert len(alone.splitlines()) == 21
