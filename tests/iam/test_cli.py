"""`edgeward can` and `edgeward who-can` through click's CliRunner (the issue 4 CLI contract)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.cli._common import EdgewardGroup
from edgeward.cli.iam import COMMANDS

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
DIST = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"

try:  # the real command group, with every verb registered
    from edgeward.cli import main as cli
except ImportError:  # pragma: no cover - another verb family failed to import
    cli = EdgewardGroup(name="edgeward", commands={c.name: c for c in COMMANDS if c.name})


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, statements: list[dict[str, Any]], version: str = "2012-10-17") -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"Version": version, "Statement": statements}))
    return str(path)


def can_json(*args: str) -> dict[str, Any]:
    result = run("can", *args, "--output-format", "json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.output)
    return payload


@pytest.fixture
def tag_policy(tmp_path: Path) -> str:
    """The CloudFront tag-based deny example (facts §2.4)."""
    return write(
        tmp_path,
        "cf.json",
        [
            {"Sid": "AllowCloudFront", "Effect": "Allow", "Action": "cloudfront:*", "Resource": "*"},
            {
                "Sid": "DenyStages",
                "Effect": "Deny",
                "Action": ["cloudfront:CreateDistribution", "cloudfront:TagResource"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/stage": ["gamma", "prod"]}},
            },
        ],
    )


def test_can_json_decisions_and_deciding_statements(tag_policy: str) -> None:
    base = (
        "--policy",
        tag_policy,
        "--principal",
        ALICE,
        "--action",
        "cloudfront:CreateDistribution",
        "--resource",
        "*",
    )
    denied = can_json(*base, "--context", "aws:RequestTag/stage=prod")
    assert denied["decision"] == "explicit-deny"
    assert [(s["policy"], s["statement_index"], s["sid"]) for s in denied["statements"]] == [
        (tag_policy, 1, "DenyStages")
    ]
    allowed = can_json(*base)
    assert allowed["decision"] == "allowed"
    assert "aws:requesttag/stage" not in allowed["context"]  # an untagged create carries no request tag
    assert allowed["context"]["aws:username"] == "alice"
    assert allowed["context"]["aws:principalarn"] == ALICE


def test_can_text_output_and_exit_zero_for_deny(tag_policy: str) -> None:
    result = run(
        "can",
        "--policy",
        tag_policy,
        "--principal",
        ALICE,
        "--action",
        "cloudfront:TagResource",
        "--resource",
        DIST,
        "--context",
        "aws:RequestTag/stage=gamma",
    )
    assert result.exit_code == 0
    assert result.output.startswith("explicit-deny:")
    assert "Statement[1] (DenyStages)" in result.output


def test_no_policy_means_no_identity_policy() -> None:
    payload = can_json("--principal", ALICE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k")
    assert payload["decision"] == "implicit-deny"
    assert [m["policy_type"] for m in payload["missing_allow"]] == ["identity"]


def test_empty_statement_is_valid(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.json", [])
    assert (
        can_json("--policy", empty, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "*")["decision"]
        == "implicit-deny"
    )


def test_repeated_context_key_is_multivalued(tmp_path: Path) -> None:
    """ForAllValues over aws:TagKeys: every requested tag key must be allowed (set semantics)."""
    p = write(
        tmp_path,
        "p.json",
        [
            {
                "Effect": "Allow",
                "Action": "cloudfront:TagResource",
                "Resource": "*",
                "Condition": {
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["stage", "team"]},
                    "Null": {"aws:TagKeys": "false"},
                },
            }
        ],
    )
    base = ("--policy", p, "--principal", ALICE, "--action", "cloudfront:TagResource", "--resource", DIST)
    assert can_json(*base, "--context", "aws:TagKeys=stage", "--context", "aws:TagKeys=team")["decision"] == "allowed"
    both = can_json(*base, "--context", "aws:TagKeys=stage", "--context", "aws:TagKeys=owner")
    assert both["decision"] == "implicit-deny"
    assert both["context"]["aws:tagkeys"] == ["stage", "owner"]
    single = can_json(*base, "--context", "aws:TagKeys=stage")
    assert single["context"]["aws:tagkeys"] == ["stage"]  # a set of one
    assert single["decision"] == "allowed"


def test_scp_levels_each_must_allow(tmp_path: Path) -> None:
    identity = write(tmp_path, "id.json", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    root = write(tmp_path, "root.json", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    ou = write(tmp_path, "ou.json", [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])
    payload = can_json(
        "--policy",
        identity,
        "--scp",
        root,
        "--scp",
        ou,
        "--principal",
        ALICE,
        "--action",
        "cloudfront:UpdateDistribution",
        "--resource",
        DIST,
    )
    assert payload["decision"] == "implicit-deny"
    assert payload["missing_allow"] == [{"policy_type": "scp", "level": 1, "policies": [ou]}]


def test_rcp_deny_only(tmp_path: Path) -> None:
    identity = write(tmp_path, "id.json", [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])
    rcp = write(
        tmp_path,
        "rcp.json",
        [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
            }
        ],
    )
    base = (
        "--policy",
        identity,
        "--rcp",
        rcp,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    )
    assert can_json(*base, "--context", "aws:SecureTransport=true")["decision"] == "allowed"
    assert can_json(*base, "--context", "aws:SecureTransport=false")["decision"] == "explicit-deny"


def test_assumed_role_session_with_boundary_and_session_policy(tmp_path: Path) -> None:
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci"
    identity = write(tmp_path, "id.json", [{"Effect": "Allow", "Action": "cloudfront:*", "Resource": "*"}])
    boundary = write(tmp_path, "b.json", [{"Effect": "Allow", "Action": "cloudfront:*", "Resource": "*"}])
    session = write(tmp_path, "s.json", [{"Effect": "Allow", "Action": "cloudfront:Get*", "Resource": "*"}])
    payload = can_json(
        "--policy",
        identity,
        "--boundary",
        boundary,
        "--session-policy",
        session,
        "--principal",
        session_arn,
        "--action",
        "cloudfront:UpdateDistribution",
        "--resource",
        DIST,
    )
    assert payload["principal_type"] == "role-session"
    assert [m["policy_type"] for m in payload["missing_allow"]] == ["session"]
    assert payload["context"]["aws:principalarn"] == f"arn:aws:iam::{ACCOUNT}:role/deployer"
    assert "aws:username" not in payload["context"]


def test_resource_account_makes_a_cross_account_request(tmp_path: Path) -> None:
    identity = write(tmp_path, "id.json", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    bucket = write(
        tmp_path,
        "bp.json",
        [{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
    )
    base = (
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        "--resource-account",
        "444455556666",
    )
    assert can_json(*base, "--resource-policy", bucket, "--policy", identity)["decision"] == "allowed"
    assert [m["policy_type"] for m in can_json(*base, "--resource-policy", bucket)["missing_allow"]] == ["identity"]
    assert [m["policy_type"] for m in can_json(*base, "--policy", identity)["missing_allow"]] == ["resource"]


def test_passed_context_overrides_derived_keys(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "p.json",
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}],
    )
    base = ("--policy", p, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/alice/x")
    assert can_json(*base)["decision"] == "allowed"
    assert can_json(*base, "--context", "aws:username=bob")["decision"] == "implicit-deny"


def test_wildcard_only_action_warning(tmp_path: Path) -> None:
    p = write(tmp_path, "p.json", [{"Effect": "Allow", "Action": "cloudfront:*", "Resource": DIST}])
    payload = can_json(
        "--policy", p, "--principal", ALICE, "--action", "cloudfront:CreateDistribution", "--resource", DIST
    )
    assert any("no resource type" in w for w in payload["warnings"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "bad.json: not valid JSON"),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}',
            "bad.json: Statement[0]: a statement needs Resource",
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",'
            ' "Condition": {"StringLikes": {"a": "b"}}}}',
            "bad.json: Statement.Condition.StringLikes: unknown condition operator",
        ),
    ],
)
def test_policy_file_errors_are_one_line_and_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = CliRunner().invoke(
        cli, ["can", "--policy", str(bad), "--principal", ALICE, "--action", "s3:GetObject", "--resource", "*"]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0].replace(str(tmp_path) + "/", "")


def test_missing_file_and_bad_arguments_exit_2(tmp_path: Path) -> None:
    missing = CliRunner().invoke(
        cli,
        [
            "can",
            "--policy",
            str(tmp_path / "nope.json"),
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ],
    )
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad_context = CliRunner().invoke(
        cli, ["can", "--principal", ALICE, "--action", "s3:GetObject", "--resource", "*", "--context", "novalue"]
    )
    assert bad_context.exit_code == 2 and "--context: expected KEY=VALUE" in bad_context.output
    bad_principal = CliRunner().invoke(
        cli, ["can", "--principal", "alice", "--action", "s3:GetObject", "--resource", "*"]
    )
    assert bad_principal.exit_code == 2 and "--principal" in bad_principal.output


# --- who-can -----------------------------------------------------------------------------------


def test_who_can_over_an_aws_json_directory() -> None:
    pytest.importorskip("edgeward.sources", reason="edgeward.sources.load_snapshot not available")
    from edgeward import sources

    if not hasattr(sources, "load_snapshot"):
        pytest.skip("edgeward.sources.load_snapshot not available")
    result = run(
        "who-can",
        str(FIXTURES / "authz"),
        "--action",
        "cloudfront:UpdateDistribution",
        "--resource",
        DIST,
        "--output-format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    principals = {p["principal"]: p for p in payload["principals"]}
    assert set(principals) == {ALICE, f"arn:aws:iam::{ACCOUNT}:user/dave", f"arn:aws:iam::{ACCOUNT}:role/ci/deployer"}
    assert principals[ALICE]["statements"][0]["policy"] == f"arn:aws:iam::{ACCOUNT}:policy/CloudFrontEditors"
    text = run("who-can", str(FIXTURES / "authz"), "--action", "cloudfront:UpdateDistribution", "--resource", DIST)
    assert text.output.startswith("3 principal(s) can cloudfront:UpdateDistribution")


def test_who_can_all_lists_denied_principals_too() -> None:
    from edgeward import sources

    if not hasattr(sources, "load_snapshot"):
        pytest.skip("edgeward.sources.load_snapshot not available")
    result = run(
        "who-can",
        str(FIXTURES / "authz"),
        "--action",
        "cloudfront:UpdateDistribution",
        "--resource",
        f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2PROD",
        "--all",
        "--output-format",
        "json",
    )
    decisions = {p["principal"].rsplit("/", 1)[1]: p["decision"] for p in json.loads(result.output)["principals"]}
    assert (
        decisions["alice"] == "explicit-deny"
        and decisions["deployer"] == "allowed"
        and decisions["bob"] == "implicit-deny"
    )


def test_who_can_missing_source_exits_2(tmp_path: Path) -> None:
    from edgeward import sources

    if not hasattr(sources, "load_snapshot"):
        pytest.skip("edgeward.sources.load_snapshot not available")
    result = CliRunner().invoke(
        cli, ["who-can", str(tmp_path / "nothing"), "--action", "s3:GetObject", "--resource", "*"]
    )
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
