"""`edgeward <verb> aws:` end to end against a moto server on loopback (AWS_ENDPOINT_URL).

The live scan and its saved directory must give the same verdicts; a partial scan prints its
normal output and exits 3 (0 with --allow-partial); misuse is one line and exit 2.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from moto.server import ThreadedMotoServer
from tests.sources.live_support import (
    ACCOUNT,
    ORIGIN_SECRET,
    Estate,
    build_edge_estate,
    build_estate,
    denying,
    edge_answers,
    fake_aws_env,
    filling_moto_gaps,
)

from edgeward.cli import main
from edgeward.sources import live

REGION = ("--region", "us-east-1")
REPO = Path(__file__).resolve().parents[2]
# The real CLI in its own process; only the operations moto lacks are answered (tests/sources/live_support.py).
IN_PROCESS_WITH_MOTO_GAPS_FILLED = (
    "import edgeward.sources.live as live; from tests.cli.test_live_cli import loopback; "
    "live.make_client = loopback(live.make_client); from edgeward.cli import main; main()"
)


def loopback(base: Any, answers: dict[tuple[str, str], dict[str, Any]] | None = None) -> Any:
    """The operations moto lacks answered; S3 Control's, whose endpoint is <account>.<host> and does
    not resolve on loopback, answered as AWS does for an account without a public access block."""
    absent = denying("GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration", service="s3-control", base=base)
    return filling_moto_gaps(absent, answers)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        moto.stop()


@pytest.fixture(scope="module")
def world(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Estate, dict[str, str]]]:
    """The moto server as every AWS endpoint, fake credentials, and the estate built there once."""
    request = urllib.request.Request(f"{server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    with pytest.MonkeyPatch.context() as monkeypatch:
        env = fake_aws_env(monkeypatch, tmp_path_factory.mktemp("aws"))
        monkeypatch.setenv("AWS_ENDPOINT_URL", server)
        estate = build_estate()
        edge = build_edge_estate(estate)
        monkeypatch.setattr(live, "make_client", loopback(live.make_client, edge_answers(edge)))
        yield estate, {**env, "AWS_ENDPOINT_URL": server}


@pytest.fixture
def estate(world: tuple[Estate, dict[str, str]]) -> Estate:
    return world[0]


@pytest.fixture
def env(world: tuple[Estate, dict[str, str]]) -> dict[str, str]:
    return world[1]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def test_exposure_live_in_a_real_process_matches_its_saved_directory(
    estate: Estate, env: dict[str, str], tmp_path: Path
) -> None:
    saved = tmp_path / "scan"
    command = [sys.executable, "-c", IN_PROCESS_WITH_MOTO_GAPS_FILLED]
    live_run = subprocess.run(
        [*command, "exposure", "aws:", *REGION, "--save", str(saved), "--output-format", "json"],
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert live_run.returncode == 0, live_run.stderr
    assert live_run.stderr == ""  # no progress bar when stderr is not a terminal
    exposed = json.loads(live_run.stdout)["exposed"]
    assert [item["instance"] for item in exposed] == [estate.web]
    assert {s["ports"] for s in exposed[0]["exposed"]} == {"port 443", "port 22"}

    code, replayed, _ = run("exposure", str(saved), "--output-format", "json")
    assert code == 0
    assert json.loads(replayed) == json.loads(live_run.stdout)


QUESTIONS = [  # (from, to, port, expected verdict); web and db are the estate's instances
    ("internet", "web", 443, "allowed"),
    ("198.51.100.7", "web", 22, "denied"),
    ("203.0.113.9", "web", 22, "allowed"),  # the office prefix list
    ("internet", "db", 5432, "denied"),
    ("web", "db", 5432, "allowed"),
    ("db", "web", 22, "denied"),
]


def test_reach_live_and_saved_agree(estate: Estate, tmp_path: Path) -> None:
    names = {"web": estate.web, "db": estate.db}
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        "".join(
            json.dumps({"from": names.get(a, a), "to": names[b], "protocol": "tcp", "port": port}) + "\n"
            for a, b, port, _ in QUESTIONS
        )
    )
    code, out, err = run("reach", "aws:", *REGION, "--save", str(tmp_path / "scan"), "--batch", str(batch))
    assert code == 0, err
    code, saved, _ = run("reach", str(tmp_path / "scan"), "--batch", str(batch))
    assert code == 0
    live_answers = [json.loads(line) for line in out.splitlines()]
    assert [a["verdict"] for a in live_answers] == [q[3] for q in QUESTIONS]
    assert live_answers == [json.loads(line) for line in saved.splitlines()]

    code, _, _ = run("reach", "aws:", *REGION, "--from", "internet", "--to", estate.web, "--protocol", "tcp")
    assert code == 2  # tcp needs --port: checked before any scan


def test_origins_live_and_saved_agree(tmp_path: Path) -> None:
    code, out, err = run("origins", "aws:", *REGION, "--save", str(tmp_path / "scan"), "--output-format", "json")
    assert code == 0, err
    code, saved, _ = run("origins", str(tmp_path / "scan"), "--output-format", "json")
    assert code == 0
    verdicts = json.loads(out)
    assert len(verdicts) == 1 and verdicts[0]["verdict"]
    assert verdicts == json.loads(saved)
    assert ORIGIN_SECRET not in out  # secrets leave as fingerprints only


def test_who_can_reads_iam_from_the_live_scan(estate: Estate) -> None:
    code, out, err = run(
        "who-can",
        "aws:",
        *REGION,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        "--output-format",
        "json",
    )
    assert code == 0, err
    assert f"arn:aws:iam::{ACCOUNT}:role/app" in out


def test_a_partial_scan_prints_its_output_then_exits_3(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "make_client", denying("DescribeVpnConnections", "UnauthorizedOperation"))
    code, out, err = run("exposure", "aws:", *REGION, "--output-format", "json")
    assert code == 3
    data = json.loads(out)
    assert [item["instance"] for item in data["exposed"]] == [estate.web]
    assert any("ec2:DescribeVpnConnections" in note for note in data["notes"])
    failures = [line for line in err.splitlines() if "not collected" in line]
    assert failures == [
        f"edgeward: warning: not collected: {ACCOUNT} us-east-1 ec2:DescribeVpnConnections: UnauthorizedOperation "
        "(You are not authorized to perform this operation. (DescribeVpnConnections))"
    ]

    code, out_allowed, _ = run("exposure", "aws:", *REGION, "--output-format", "json", "--allow-partial")
    assert code == 0
    assert json.loads(out_allowed)["exposed"] == data["exposed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exposure", "examples/web-server.yaml", "--profile", "prod"], "--profile applies only to a live scan"),
        (["exposure", "aws:", "--region", "mars-1"], "not a region name"),
        (["exposure", "aws:", *REGION, "--role-arn", "prod"], "not an IAM role ARN"),
        (["exposure", "aws:", *REGION, "--format", "native"], "--format does not apply"),
    ],
)
def test_misuse_is_one_line_and_exit_2(env: dict[str, str], args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
