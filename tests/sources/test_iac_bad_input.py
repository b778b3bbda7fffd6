"""Bad input of the edge and IAM types in Terraform JSON and CloudFormation: one line naming the file and the
place (the Terraform resource address; the CloudFormation file, line and logical id), exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.cli import main

WEB_ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/edge/a1b2c3d4"


def tf_state(*resources: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """A `terraform show -json` state document of these (type, name, values)."""
    return {
        "format_version": "1.0",
        "terraform_version": "1.11.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": f"{rtype}.{name}",
                        "mode": "managed",
                        "type": rtype,
                        "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "schema_version": 0,
                        "values": values,
                        "sensitive_values": {},
                    }
                    for rtype, name, values in resources
                ]
            }
        },
    }


def web_acl(default: list[Any], rules: list[Any]) -> tuple[str, str, dict[str, Any]]:
    values = {"id": "a1b2c3d4", "arn": WEB_ACL, "name": "edge", "scope": "REGIONAL"}
    return ("aws_wafv2_web_acl", "edge", {**values, "default_action": default, "rule": rules})


BUCKET = ("aws_s3_bucket", "site", {"id": "site-bucket", "bucket": "site-bucket", "arn": "arn:aws:s3:::site-bucket"})
BAD_RULE = {
    "name": "ip",
    "priority": 1,
    "action": [{"allow": [], "block": [{}], "count": []}],
    "override_action": [],
    "statement": [{"ip_set_reference_statement": [{"arn": ""}]}],
}
TERRAFORM = {
    "web ACL without default action": (
        tf_state(web_acl([], [])),
        "aws_wafv2_web_acl.edge.default_action: a web ACL needs a default action (allow or block)",
    ),
    "bad WAF statement": (
        tf_state(web_acl([{"allow": [{}], "block": []}], [BAD_RULE])),
        "aws_wafv2_web_acl.edge.rule[ip].statement.IPSetReferenceStatement.ARN: missing or not a string",
    ),
    "distribution without origin": (
        tf_state(("aws_cloudfront_distribution", "web", {"id": "E1", "enabled": True, "origin": []})),
        "aws_cloudfront_distribution.web.origin: a distribution needs at least one origin block",
    ),
    "bucket policy that is not a document": (
        tf_state(
            BUCKET, ("aws_s3_bucket_policy", "site", {"id": "site-bucket", "bucket": "site-bucket", "policy": "[1]"})
        ),
        "aws_s3_bucket_policy.site.policy: a policy document must be a JSON object",
    ),
    "bad IAM policy document": (
        tf_state(
            (
                "aws_iam_policy",
                "ops",
                {"id": "x", "name": "ops", "path": "/", "policy": '{"Statement": [{"Effect": 1}]}'},
            )
        ),
        "aws_iam_policy.ops.policy.Statement[0].Effect:",
    ),
}

CFN_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
CLOUDFORMATION = {
    "web ACL without default action": (
        """\
  Edge:
    Type: AWS::WAFv2::WebACL
    Properties:
      Name: edge
      Scope: REGIONAL
      Rules: []
""",
        "bad.yaml:3: Resources.Edge.Properties.DefaultAction:",
    ),
    "bad WAF statement": (
        """\
  Edge:
    Type: AWS::WAFv2::WebACL
    Properties:
      Name: edge
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      Rules:
        - Name: ip
          Priority: 1
          Action: {Block: {}}
          Statement:
            IPSetReferenceStatement: {}
""",
        "bad.yaml:3: Resources.Edge.Properties.Rules[0].Statement.IPSetReferenceStatement.ARN: missing or not a string",
    ),
    "distribution without config": (
        """\
  Web:
    Type: AWS::CloudFront::Distribution
    Properties: {}
""",
        "bad.yaml:3: Resources.Web.Properties.DistributionConfig: a distribution needs a DistributionConfig mapping",
    ),
    "bucket policy that is not a document": (
        """\
  Site:
    Type: AWS::S3::Bucket
    Properties: {BucketName: site-bucket}
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument: [1, 2]
""",
        "bad.yaml:10: Resources.SitePolicy.Properties.PolicyDocument: expected a policy document",
    ),
    "bad IAM policy document": (
        """\
  Ops:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: ops
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Perhaps
            Action: s3:GetObject
            Resource: "*"
""",
        "bad.yaml:10: Resources.Ops.Properties.PolicyDocument.Statement[0].Effect: Effect must be",
    ),
}


def one_error_line(path: Path) -> str:
    result = CliRunner().invoke(main, ["origins", str(path)], prog_name="edgeward")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("case", sorted(TERRAFORM))
def test_terraform_bad_input_names_the_resource_address(case: str, tmp_path: Path) -> None:
    document, expected = TERRAFORM[case]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    line = one_error_line(path)
    assert line.startswith(f"edgeward: error: {path}: {expected}"), line


@pytest.mark.parametrize("case", sorted(CLOUDFORMATION))
def test_cloudformation_bad_input_names_file_line_and_logical_id(case: str, tmp_path: Path) -> None:
    body, expected = CLOUDFORMATION[case]
    path = tmp_path / "bad.yaml"
    path.write_text(CFN_HEAD + body)
    line = one_error_line(path)
    assert line.startswith(f"edgeward: error: {tmp_path}/{expected}"), line
