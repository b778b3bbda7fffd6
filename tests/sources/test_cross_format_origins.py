"""One estate with a CloudFront distribution in front of an ALB (secret origin header checked by a listener
rule) and an S3 origin read through OAC, from AWS JSON, the native format, Terraform (state, and a plan over
it) and CloudFormation: the same `origins` verdicts, and the same evidence once ids are replaced by names.
A plan made before anything exists resolves the ALB origin by reference (its DNS name is not known yet) and
says `unknown` for the S3 origin, naming the bucket policy the plan does not know."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from edgeward.cli import main
from tests.analysis.test_origin_secrets import assert_no_secret

HERE = Path(__file__).parent
TF = HERE / "terraform" / "origins"
SOURCES = {
    "aws_json": [str(HERE / "cross_format" / "origins" / "aws_json")],
    "native": [str(HERE / "cross_format" / "origins" / "native.yaml")],
    "terraform-state": [str(TF / "state.json")],
    "terraform-plan": [str(TF / "plan-over-state.json")],
    "cloudformation": [
        str(HERE / "cloudformation" / "origins.yaml"),
        "--parameter",
        "AWS::AccountId=111122223333",
        "--parameter",
        "AWS::Region=us-east-1",
    ],
}
SECRET = "s3cr3t-origin-value"
# ids each input gives the same resource
IDS = [
    (r"\b(igw-0c3ccccccccccccccc|cfn:Igw)\b", "IGW"),
    (r"\b(acl-0a11b22c33d44e55f|cfn:Vpc\.DefaultNetworkAcl)\b", "DEFAULT-ACL"),
    (r"\b(subnet-0a1aaaaaaaaaaaaaa|cfn:SubnetA)\b", "SUBNET-A"),
    (r"\b(subnet-0b2bbbbbbbbbbbbbb|cfn:SubnetB)\b", "SUBNET-B"),
    (r"\b(sg-0d4dddddddddddddd|cfn:AlbGroup)\b", "ALB-SG"),
    (r"\b(E1ORIGINSOAC01|cfn:SiteOac)\b", "OAC"),
    (r"\b(aws_cloudfront_distribution\.web|Web|E2ORIGINSDIST1)\b", "DIST"),
]


def origins(args: list[str]) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["origins", *args, "--output-format", "json"], prog_name="edgeward")
    assert result.exit_code in (0, 1), result.output
    assert_no_secret(result.output, {SECRET}, " ".join(args))
    payload = json.loads(result.stdout)
    return list(payload["origins"] if isinstance(payload, dict) else payload)


def normalised(text: str) -> str:
    for pattern, name in IDS:
        text = re.sub(pattern, name, text)
    return text


def test_origins_are_the_same_from_every_format() -> None:
    found = {}
    for kind, args in SOURCES.items():
        found[kind] = sorted(
            (
                o["origin"],
                o["verdict"],
                normalised(o["summary"]),
                # the network trace of a load balancer's modelled nodes differs at the internet gateway
                # between a state (addresses known) and a template (AWS assigns them): compared in reach tests
                tuple(normalised(e) for e in o["evidence"] if not e.startswith("path from")),
            )
            for o in origins(args)
        )
    expected = found["terraform-state"]
    assert [(o[0], o[1]) for o in expected] == [("alb", "only-via-cloudfront"), ("site", "only-via-cloudfront")]
    assert any("X-Origin-Verify" in e for e in expected[0][3])
    assert any("origin access control OAC" in e for e in expected[1][3])
    for kind, verdicts in found.items():
        assert verdicts == expected, kind


def test_a_plan_before_apply_resolves_by_reference_and_names_what_it_does_not_know() -> None:
    by_origin = {o["origin"]: o for o in origins([str(TF / "plan.json")])}
    assert by_origin["alb"]["verdict"] == "only-via-cloudfront"
    assert by_origin["alb"]["resolved_to"] == "application load balancer web (internet-facing)"
    site = by_origin["site"]
    assert site["verdict"] == "unknown"
    assert "aws_s3_bucket_policy.site: policy is not known until the change is applied" in site["evidence"]
