"""IAM from Terraform (state, plan over it, plan before apply) and CloudFormation: `who-can` gives the
principals the equivalent `get-account-authorization-details` document gives; what the input does not
know (a plan's unknown policy document, an attached AWS managed policy not in the input) makes the
answer for that principal `unknown`, saying why."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.cli import main

HERE = Path(__file__).parent
TF = HERE / "terraform" / "iam"
CFN = HERE / "cloudformation" / "iam.yaml"
ACCOUNT = ["--parameter", "AWS::AccountId=111122223333", "--parameter", "AWS::Region=us-east-1"]
SOURCES = {
    "aws_json": [str(HERE / "cross_format" / "iam" / "authorization-details.json")],
    "terraform-state": [str(TF / "state.json")],
    "terraform-plan": [str(TF / "plan-over-state.json")],
    "cloudformation": [str(CFN), *ACCOUNT],
}
DISTRIBUTION = "arn:aws:cloudfront::111122223333:distribution/E1"


def run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, prog_name="edgeward")


def who_can(source: list[str], action: str, *extra: str) -> dict[str, Any]:
    result = run(
        ["who-can", *source, "--action", action, "--resource", DISTRIBUTION, *extra, "--output-format", "json"]
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("cloudfront:UpdateDistribution", ["user/alice", "user/bob", "user/dave", "role/deployer", "role/ops-role"]),
        ("cloudfront:GetDistributionConfig", ["user/alice", "user/carol", "user/dave", "role/deployer", "role/reader"]),
        # carol's cloudfront:* is cut by her boundary (Get* only); deployer's inline policy denies it
        ("cloudfront:DeleteDistribution", []),
        # bob through group ops's inline policy, carol within her boundary, reader through WebBoundary attached
        ("cloudfront:GetDistribution", ["user/bob", "user/carol", "role/reader"]),
    ],
)
def test_who_can_is_the_same_from_every_format(action: str, expected: list[str]) -> None:
    found = {
        kind: [(p["principal"], p["verdict"]) for p in who_can(args, action)["principals"]]
        for kind, args in SOURCES.items()
    }
    assert found["aws_json"] == [(f"arn:aws:iam::111122223333:{name}", "allowed") for name in expected]
    for kind, principals in found.items():
        assert principals == found["aws_json"], kind


def test_every_principal_has_the_same_decision_and_deciding_policies_count() -> None:
    action = "cloudfront:UpdateDistribution"
    found = {
        kind: [
            (p["principal"], p["decision"], len(p["statements"])) for p in who_can(args, action, "--all")["principals"]
        ]
        for kind, args in SOURCES.items()
    }
    assert len(found["aws_json"]) == 7
    for kind, principals in found.items():
        assert principals == found["aws_json"], kind


def test_a_plan_before_apply_says_unknown_and_why() -> None:
    payload = who_can([str(TF / "plan.json")], "cloudfront:UpdateDistribution")
    carol = next(p for p in payload["principals"] if p["principal"].endswith(":user/carol"))
    assert carol["verdict"] == "unknown"
    assert "aws_iam_user_policy.carol: policy is not known until the change is applied" in carol["incomplete"]
    # no resource of a plan made before anything exists shows the account: nobody's answer is a guess
    assert {p["verdict"] for p in payload["principals"]} == {"unknown"}
    assert len(payload["principals"]) == 7
    text = run(
        ["who-can", str(TF / "plan.json"), "--action", "cloudfront:UpdateDistribution", "--resource", DISTRIBUTION]
    )
    assert text.exit_code == 0
    assert "0 principal(s) can cloudfront:UpdateDistribution" in text.output
    assert "7 unknown (the input is incomplete for them)" in text.output
    assert "    - aws_iam_user_policy.carol: policy is not known until the change is applied" in text.output


AUDITOR_TEMPLATE = """\
Resources:
  Auditor:
    Type: AWS::IAM::Role
    Properties:
      RoleName: auditor
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      Policies:
        - PolicyName: edit
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: cloudfront:UpdateDistribution, Resource: "*"}]
  Viewer:
    Type: AWS::IAM::User
    Properties:
      UserName: viewer
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
"""
MISSING = (
    "policy arn:aws:iam::aws:policy/ReadOnlyAccess attached to {who} is not in the input; "
    "{name}'s access may be larger (or smaller, if it denies)"
)


def test_an_aws_managed_policy_not_in_the_input_is_named_not_dropped(tmp_path: Path) -> None:
    template = tmp_path / "auditor.yaml"
    template.write_text(AUDITOR_TEMPLATE)
    args = ["who-can", str(template), *ACCOUNT, "--action", "cloudfront:GetDistribution", "--resource", DISTRIBUTION]
    text = run(args)
    assert text.exit_code == 0, text.output
    assert "0 principal(s) can cloudfront:GetDistribution" in text.output
    assert "unknown: user arn:aws:iam::111122223333:user/viewer" in text.output
    assert MISSING.format(who="user viewer", name="viewer") in text.output
    payload = json.loads(run([*args, "--output-format", "json"]).stdout)
    by_name = {p["principal"].rsplit("/", 1)[1]: p for p in payload["principals"]}
    assert by_name["auditor"]["verdict"] == "unknown"
    assert by_name["auditor"]["decision"] == "implicit-deny"
    assert by_name["auditor"]["incomplete"] == [MISSING.format(who="role auditor", name="auditor")]


def test_an_aws_managed_policy_attached_in_terraform_is_named(tmp_path: Path) -> None:
    state = json.loads((TF / "state.json").read_text())
    resources = state["values"]["root_module"]["resources"]
    attachment = copy.deepcopy(
        next(r for r in resources if r["address"] == "aws_iam_role_policy_attachment.reader_get")
    )
    attachment["address"] = "aws_iam_role_policy_attachment.reader_read_only"
    attachment["name"] = "reader_read_only"
    attachment["values"]["policy_arn"] = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    resources.append(attachment)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    payload = who_can([str(path)], "cloudfront:ListDistributions")
    reader = next(p for p in payload["principals"] if p["principal"].endswith(":role/reader"))
    assert reader["verdict"] == "unknown"
    assert reader["incomplete"] == [MISSING.format(who="role reader", name="reader")]


def test_a_bad_policy_document_is_one_line_with_the_resource_address(tmp_path: Path) -> None:
    state = json.loads((TF / "state.json").read_text())
    for res in state["values"]["root_module"]["resources"]:
        if res["address"] == "aws_iam_user_policy.carol":
            res["values"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps"}]})
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    result = run(["who-can", str(path), "--action", "s3:GetObject", "--resource", "*"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(path) in lines[0] and "aws_iam_user_policy.carol.policy" in lines[0] and "Effect" in lines[0]


def test_a_bad_policy_document_in_a_template_names_file_line_and_logical_id(tmp_path: Path) -> None:
    template = tmp_path / "bad.yaml"
    template.write_text(AUDITOR_TEMPLATE.replace("Effect: Allow", "Effect: Perhaps"))
    result = run(["who-can", str(template), *ACCOUNT, "--action", "s3:GetObject", "--resource", "*"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"{template}:11" in lines[0] and "Resources.Auditor.Properties.Policies[0].PolicyDocument" in lines[0]
