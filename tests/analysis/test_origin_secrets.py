"""Secrets never leave edgeward: not in text or JSON output, errors, or reprs; not even 8 characters.

Every example and every origin scenario goes through `edgeward origins` in both output formats; the
secrets are every SecretText of the loaded estate (origin header values, ALB header patterns, WAF
search strings), and no 8-character window of any of them may appear in what a user sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from edgeward.cli import main
from edgeward.model.edge import EdgeEstate, SecretText
from edgeward.semantics.load_balancers import edge_of
from edgeward.sources import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "origins").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "tests" / "scenarios" / "origins").glob("*.yaml"))
WINDOW = 8


def secrets_of(edge: EdgeEstate) -> set[str]:
    found: set[SecretText] = set()
    for dist in edge.distributions:
        for origin in dist.origins:
            found.update(h.value for h in origin.headers)
    for listener in edge.listeners:
        for rule in listener.rules or ():
            for condition in rule.conditions:
                found.update(condition.header_values + condition.header_regexes)
    for acl in edge.web_acls:
        stack = [r.statement for r in acl.rules]
        while stack:
            statement = stack.pop()
            if statement.search is not None:
                found.add(statement.search)
            stack.extend(statement.children)
    return {s.reveal() for s in found}


def windows(secret: str) -> Iterator[str]:
    if len(secret) < WINDOW:
        yield secret
        return
    for start in range(len(secret) - WINDOW + 1):
        yield secret[start : start + WINDOW]


def materialise(path: Path, tmp: Path) -> Path:
    """A scenario file becomes the file (or directory) a user would point edgeward at."""
    if path.parent.name != "origins" or path.parent.parent.name != "scenarios":
        return path
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "estate" in doc:
        target = tmp / f"{path.stem}.yaml"
        target.write_text(yaml.safe_dump(doc["estate"], sort_keys=False), encoding="utf-8")
        return target
    target = tmp / path.stem
    for name, content in doc["aws_json"].items():
        file = target / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(content), encoding="utf-8")
    return target


def assert_no_secret(text: str, secrets: set[str], where: str) -> None:
    for secret in secrets:
        for piece in windows(secret):
            assert piece not in text, f"{where}: {len(piece)} characters of a secret appear in the output"


@pytest.mark.parametrize("path", EXAMPLES + SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_secret_in_text_or_json_output(path: Path, tmp_path: Path) -> None:
    source = materialise(path, tmp_path)
    secrets = secrets_of(edge_of(load_snapshot(source)))
    for fmt in ("text", "json"):
        result = CliRunner().invoke(main, ["origins", str(source), "--output-format", fmt], prog_name="edgeward")
        assert result.exit_code == 0, result.output
        assert_no_secret(result.stdout + result.stderr, secrets, f"{path.name} ({fmt})")


def test_the_files_hold_secrets_to_look_for(tmp_path: Path) -> None:
    found = set()
    for path in EXAMPLES + SCENARIOS:
        found |= secrets_of(edge_of(load_snapshot(materialise(path, tmp_path))))
    assert len(found) >= 25


def test_the_secret_test_would_catch_a_leak() -> None:
    with pytest.raises(AssertionError):
        assert_no_secret("... header value abcd1234 ...", {"xxabcd1234yy"}, "probe")


def test_secret_text_prints_only_its_fingerprint() -> None:
    secret = SecretText("Kq7Zp2Lm9Xw4Rt6Yv1Bn8Cs3Df5Gh0Jk")
    for shown in (str(secret), repr(secret), f"{secret}", f"{secret:>40}", json.dumps({"v": str(secret)})):
        assert_no_secret(shown, {secret.reveal()}, "SecretText")
        assert "sha256:" in shown


def test_model_reprs_hold_no_secret() -> None:
    snapshot = load_snapshot(ROOT / "examples" / "origins" / "header-alb-rule.yaml")
    edge = edge_of(snapshot)
    assert_no_secret(repr(edge), secrets_of(edge), "repr(EdgeEstate)")


SECRET = "Zx9Wv8Ut7Sr6Qp5On4Ml3Kj2Ih1Gf0Ed"


@pytest.mark.parametrize(
    "edge",
    [
        # a header value of the wrong shape
        {"distributions": [{"id": "E1", "origins": [{"id": "o", "domain": "x.example.com",
                                                      "headers": {"X-Origin-Verify": [SECRET]}}]}]},
        # a WAF statement of the wrong shape, carrying the secret
        {"web_acls": [{"name": "a", "default": "block",
                       "rules": [{"name": "r", "priority": 0, "action": "allow",
                                  "statement": {"header": "x-origin-verify", "equals": SECRET, "oops": SECRET}}]}]},
        # a rule condition naming a missing target group, next to the secret
        {"target_groups": [],
         "load_balancers": [{"name": "w", "vpc": "vpc-1", "subnets": ["subnet-1"], "security_groups": ["sg-1"],
                             "listeners": [{"port": 443, "protocol": "HTTPS", "default": {"fixed_response": 403},
                                            "rules": [{"priority": 1,
                                                       "if": {"http_header": {"name": "X", "values": SECRET}},
                                                       "then": {"forward": "missing"}}]}]}]},
    ],
    ids=["header-shape", "waf-statement", "missing-target-group"],
)  # fmt: skip
def test_errors_hold_no_secret(edge: dict[str, object], tmp_path: Path) -> None:
    estate = {
        "edgeward": 1,
        "account": "111122223333",
        "region": "us-east-1",
        "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16", "subnets": [{"id": "subnet-1", "cidr": "10.0.0.0/24"}]}],
        "security_groups": [{"id": "sg-1", "vpc": "vpc-1"}],
        "edge": edge,
    }
    path = tmp_path / "estate.yaml"
    path.write_text(yaml.safe_dump(estate), encoding="utf-8")
    result = CliRunner().invoke(main, ["origins", str(path)], prog_name="edgeward")
    assert result.exit_code == 2
    assert result.stderr.startswith("edgeward: error:")
    assert_no_secret(result.stdout + result.stderr, {SECRET}, "error message")


def test_aws_json_errors_hold_no_secret(tmp_path: Path) -> None:
    (tmp_path / "dist.json").write_text(
        json.dumps(
            {"DistributionList": {"Items": [{"Id": "E1", "Origins": {"Items": [
                {"Id": "o", "DomainName": "x.example.com",
                 "CustomHeaders": {"Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": {"v": SECRET}}]}}]}}]}}
        ),
        encoding="utf-8",
    )  # fmt: skip
    result = CliRunner().invoke(main, ["origins", str(tmp_path)], prog_name="edgeward")
    assert result.exit_code == 2
    assert "HeaderValue" in result.stderr
    assert_no_secret(result.stdout + result.stderr, {SECRET}, "aws_json error")
