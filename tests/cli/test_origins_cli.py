"""`edgeward origins` as a user runs it: the JSON contract, exit codes, text, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edgeward.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "origins"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def test_json_is_a_list_with_the_contract_keys_and_exit_zero_even_when_bypassable() -> None:
    code, out, _ = run("origins", str(EXAMPLES / "alb-open-to-world.yaml"), "--output-format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 1
    item = data[0]
    assert {"distribution", "origin", "verdict", "evidence", "fix"} <= set(item)
    assert item["distribution"] == "E1OPENALB"
    assert item["origin"] == "web-alb"
    assert item["verdict"] == "bypassable"
    assert any("sg-alb" in line for line in item["evidence"])
    kinds = {c["kind"] for c in item["fix"]["changes"]}
    assert {"origin-custom-header", "listener-rule", "listener-default-action", "security-group-rule"} <= kinds
    assert [h["component"] for h in item["trace"]][:3] == ["internet-gateway", "network-acl", "security-group"]


def test_json_fix_is_null_when_only_via_cloudfront() -> None:
    code, out, _ = run("origins", str(EXAMPLES / "header-alb-rule.yaml"), "--output-format", "json")
    assert code == 0
    item = json.loads(out)[0]
    assert item["verdict"] == "only-via-cloudfront"
    assert item["fix"] is None


def test_text_names_the_verdict_the_proof_and_the_dated_copy() -> None:
    code, out, _ = run("origins", str(EXAMPLES / "prefix-list-only.yaml"))
    assert code == 0
    assert out.startswith("OTHER DISTRIBUTIONS CAN REACH: E2PREFIXONLY origin web-alb")
    assert "only CloudFront's addresses reach listener HTTPS:443 of web" in out
    assert "dated copy of AWS ip-ranges.json" in out
    assert "1 origin(s): 1 other-distributions-can-reach" in out


def test_an_estate_without_distributions_says_so() -> None:
    web_server = EXAMPLES.parent / "web-server.yaml"
    code, out, _ = run("origins", str(web_server))
    assert code == 0
    assert "No CloudFront distribution" in out
    code, out, _ = run("origins", str(web_server), "--output-format", "json")
    assert json.loads(out) == []


def test_bad_edge_input_is_one_line_with_file_place_and_line(tmp_path: Path) -> None:
    estate = tmp_path / "estate.yaml"
    estate.write_text(
        "edgeward: 1\naccount: '111122223333'\nregion: us-east-1\n"
        "edge:\n  load_balancers:\n    - {name: web, vpc: vpc-missing, subnets: [subnet-x], security_groups: [sg-x]}\n",
        encoding="utf-8",
    )
    code, out, err = run("origins", str(estate))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "estate.yaml" in lines[0] and "edge.load_balancers[0]" in lines[0] and "vpc-missing" in lines[0]


def test_unknown_key_in_edge_section_points_at_it(tmp_path: Path) -> None:
    estate = tmp_path / "estate.yaml"
    estate.write_text(
        "edgeward: 1\naccount: '111122223333'\nedge:\n  distributions:\n"
        "    - id: E1\n      origins: [{id: o, domian: x}]\n",
        encoding="utf-8",
    )
    code, _, err = run("origins", str(estate))
    assert code == 2
    assert "edge.distributions[0].origins[0]" in err and "domian" in err and "(line 6)" in err
