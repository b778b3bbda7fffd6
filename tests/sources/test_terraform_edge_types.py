"""The edge types the origins fixture lacks, from real `terraform show -json` output (tests/sources/terraform/
edge_types): a WAF web ACL with an IP set rule and a secret-header rule, associated with an ALB named through a
Route 53 alias record; an internal ALB behind a CloudFront VPC origin; a Lambda function URL signed by an
origin access control, with a permission naming the distribution. Each type decides a verdict: without it
(or with it changed) the verdict changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.cli import main
from tests.analysis.test_origin_secrets import assert_no_secret

CASE = Path(__file__).parent / "terraform" / "edge_types"
SECRET = "waf-s3cr3t-value"
ALL_GOOD = {"alb": "only-via-cloudfront", "api": "only-via-cloudfront", "private": "only-via-cloudfront"}


def origins(path: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(main, ["origins", str(path), "--output-format", "json"], prog_name="edgeward")
    assert result.exit_code in (0, 1), result.output
    assert_no_secret(result.output, {SECRET}, path.name)
    return {o["origin"]: o for o in json.loads(result.stdout)}


def changed(tmp_path: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Path:
    state = json.loads((CASE / "state.json").read_text())
    root = state["values"]["root_module"]
    root["resources"] = change(root["resources"])
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    return path


def without(address: str) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    return lambda resources: [r for r in resources if r["address"] != address]


@pytest.mark.parametrize("name", ["state.json", "plan-over-state.json"])
def test_every_origin_is_only_via_cloudfront(name: str) -> None:
    found = origins(CASE / name)
    assert {k: o["verdict"] for k, o in found.items()} == ALL_GOOD
    alb, api, private = found["alb"]["evidence"], found["api"]["evidence"], found["private"]["evidence"]
    assert "origin.example.com -> public-1234567890.us-east-1.elb.amazonaws.com (Route 53 alias record)" in alb
    assert any("IP set blocked holds some senders (198.51.100.0/24)" in e for e in alb)
    assert any(
        e.startswith("web ACL origin-verify, a request from this distribution: rule x-origin-verify") for e in alb
    )
    assert any("Allow in resource policy resource policy of edge-api Statement[0] (AllowCloudFront)" in e for e in api)
    assert "CloudFront reaches private (internal) privately through VPC origin vo_EDGEPRIVATE01" in private


def test_without_the_web_acl_association_the_alb_is_bypassable(tmp_path: Path) -> None:
    found = origins(changed(tmp_path, without("aws_wafv2_web_acl_association.public")))
    assert found["alb"]["verdict"] == "bypassable"
    assert found["api"]["verdict"] == found["private"]["verdict"] == "only-via-cloudfront"


def test_without_the_route53_record_the_alb_origin_is_unknown(tmp_path: Path) -> None:
    found = origins(changed(tmp_path, without("aws_route53_record.origin")))
    assert found["alb"]["verdict"] == "unknown"
    assert "no Route 53 record in the snapshot maps origin.example.com" in found["alb"]["summary"]


def test_without_the_vpc_origin_the_private_origin_is_unknown(tmp_path: Path) -> None:
    found = origins(changed(tmp_path, without("aws_cloudfront_vpc_origin.private")))
    assert found["private"]["verdict"] == "unknown"
    assert "VPC origin vo_EDGEPRIVATE01 is not in the snapshot" in found["private"]["summary"]


def test_a_permission_without_source_arn_lets_other_distributions_invoke_the_function_url(tmp_path: Path) -> None:
    def no_source_arn(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for res in resources:
            if res["address"] == "aws_lambda_permission.cloudfront":
                res["values"]["source_arn"] = None
        return resources

    found = origins(changed(tmp_path, no_source_arn))
    assert found["api"]["verdict"] == "other-distributions-can-reach"
    assert found["alb"]["verdict"] == found["private"]["verdict"] == "only-via-cloudfront"


def test_a_plan_before_apply_resolves_what_it_can_by_reference() -> None:
    found = origins(CASE / "plan.json")
    assert found["private"]["verdict"] == "only-via-cloudfront"
    assert found["private"]["resolved_to"] == "application load balancer private (internal)"
    # the record's fqdn is computed by Route 53: never guessed from its name
    assert found["alb"]["verdict"] == "unknown"
    assert (
        "aws_cloudfront_distribution.edge: origin alb: domain_name is not known until the change is applied"
        in (found["alb"]["evidence"])
    )
