"""who_can over an estate, and the CloudFront questions.

source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/security_iam_service-with-iam.html
(identity-based policies yes, resource-based policies no; ABAC with aws:RequestTag / aws:TagKeys)
source: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html
(CreateDistributionWithTags requires cloudfront:CreateDistribution and cloudfront:TagResource)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edgeward.analysis.access import can, who_can, who_can_read_origin_secret, who_can_update_distribution
from edgeward.iam.estate import IamEstate
from edgeward.iam.policy import parse_policy
from edgeward.sources.iam_authorization_details import estate_from_authorization_details

FIXTURE = Path(__file__).parent / "fixtures" / "authz" / "authorization-details.json"
ACCOUNT = "111122223333"
E1 = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"
E2PROD = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2PROD"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


@pytest.fixture(scope="module")
def estate() -> IamEstate:
    return estate_from_authorization_details(json.loads(FIXTURE.read_text()), file=str(FIXTURE))


def test_who_can_update_distribution(estate: IamEstate) -> None:
    """Group policies apply to members; a boundary limits carol; dave's PrincipalTag/Team matches
    the policy's aws:PrincipalTag/team (tag key case-insensitive); erin's team tag does not."""
    allowed = {a.principal_arn for a in who_can_update_distribution(estate, E1)}
    assert allowed == {arn("user", "alice"), arn("user", "dave"), arn("role", "ci/deployer")}


def test_group_inline_deny_protects_prod_distribution(estate: IamEstate) -> None:
    results = {
        a.principal_arn: a.decision
        for a in who_can(estate, "cloudfront:UpdateDistribution", E2PROD, include_denied=True)
    }
    alice = results[arn("user", "alice")]
    assert alice.decision == "explicit-deny"
    assert [(s.policy, s.sid) for s in alice.statements] == [("group/web/protect-prod", "ProtectProd")]
    carol = results[arn("user", "contractors/carol")]
    assert carol.decision == "explicit-deny"  # the group's Deny applies to her too
    assert results[arn("role", "ci/deployer")].allowed
    bob = results[arn("user", "bob")]
    assert bob.decision == "implicit-deny" and [m.policy_type for m in bob.missing_allow] == ["identity"]


def test_boundary_explains_carol(estate: IamEstate) -> None:
    results = {
        a.principal_arn: a.decision for a in who_can(estate, "cloudfront:UpdateDistribution", E1, include_denied=True)
    }
    assert [m.policy_type for m in results[arn("user", "contractors/carol")].missing_allow] == ["permissions-boundary"]


def test_who_can_read_origin_secret(estate: IamEstate) -> None:
    """GetDistributionConfig or GetDistribution both return the origin custom headers."""
    pairs = {
        (a.principal_arn.rsplit(":", 1)[1], a.action.split(":")[1]) for a in who_can_read_origin_secret(estate, E1)
    }
    assert pairs == {
        ("user/alice", "GetDistributionConfig"),
        ("user/bob", "GetDistributionConfig"),
        ("user/bob", "GetDistribution"),
        ("user/contractors/carol", "GetDistributionConfig"),
        ("user/dave", "GetDistributionConfig"),
        ("user/dave", "GetDistribution"),
        ("role/ci/deployer", "GetDistributionConfig"),
        ("role/auditor", "GetDistribution"),
    }


def test_only_the_default_policy_version_counts(estate: IamEstate) -> None:
    """Every fixture policy has a non-default v1 allowing '*'; it must not grant anything."""
    assert not any(a.principal_arn == arn("user", "bob") for a in who_can(estate, "s3:DeleteBucket", "arn:aws:s3:::x"))


def test_scp_levels_in_the_estate_apply(estate: IamEstate) -> None:
    from dataclasses import replace
    from types import MappingProxyType

    scp = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cloudfront:Get*", "Resource": "*"}]},
        name="ou",
        kind="scp",
    )
    limited = replace(estate, scp_levels=MappingProxyType({ACCOUNT: ((scp,),)}))
    assert who_can_update_distribution(limited, E1) == []


# --- the tag-based deny example -------------------------------------------------------------

TAG_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AllowCloudFront", "Effect": "Allow", "Action": "cloudfront:*", "Resource": "*"},
        {
            "Sid": "DenyGammaAndProdTags",
            "Effect": "Deny",
            "Action": ["cloudfront:CreateDistribution", "cloudfront:TagResource"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/stage": ["gamma", "prod"]}},
        },
    ],
}
ALICE = arn("user", "alice")


@pytest.mark.parametrize(
    ("action", "context", "expected"),
    [
        # CreateDistributionWithTags = CreateDistribution + TagResource, both carrying the request tags
        ("cloudfront:CreateDistribution", {"aws:RequestTag/stage": "prod", "aws:TagKeys": ["stage"]}, "explicit-deny"),
        ("cloudfront:TagResource", {"aws:RequestTag/stage": "gamma", "aws:TagKeys": ["stage"]}, "explicit-deny"),
        ("cloudfront:CreateDistribution", {"aws:RequestTag/stage": "beta", "aws:TagKeys": ["stage"]}, "allowed"),
        # the tag key is case-insensitive, its value is not (StringEquals)
        ("cloudfront:CreateDistribution", {"aws:RequestTag/Stage": "prod"}, "explicit-deny"),
        ("cloudfront:CreateDistribution", {"aws:RequestTag/stage": "Prod"}, "allowed"),
        # a plain CreateDistribution carries no request tag: the key is absent, StringEquals is false
        ("cloudfront:CreateDistribution", {}, "allowed"),
    ],
)
def test_cloudfront_tag_based_deny(action: str, context: dict[str, Any], expected: str) -> None:
    policy = parse_policy(TAG_POLICY, name="cloudfront-tags.json")
    assert can(ALICE, action, "*", identity_policies=(policy,), context=context).decision == expected


def test_untagged_create_is_denied_only_with_a_null_guard() -> None:
    """To deny untagged creates too, a second Deny with Null aws:RequestTag/stage = true is needed
    (facts §2.4; source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null)."""
    guarded = json.loads(json.dumps(TAG_POLICY))
    guarded["Statement"].append(
        {
            "Sid": "DenyUntagged",
            "Effect": "Deny",
            "Action": "cloudfront:CreateDistribution",
            "Resource": "*",
            "Condition": {"Null": {"aws:RequestTag/stage": "true"}},
        }
    )
    policy = parse_policy(guarded, name="guarded.json")
    decision = can(ALICE, "cloudfront:CreateDistribution", "*", identity_policies=(policy,))
    assert decision.decision == "explicit-deny" and decision.statements[0].sid == "DenyUntagged"


def test_create_distribution_needs_resource_star() -> None:
    """CreateDistribution has no resource type: a statement naming a distribution ARN pattern never
    allows it. source: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html"""
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "cloudfront:*",
                    "Resource": f"arn:aws:cloudfront::{ACCOUNT}:distribution/*",
                }
            ],
        },
        name="p",
    )
    assert not can(ALICE, "cloudfront:CreateDistribution", "*", identity_policies=(policy,)).allowed
    assert can(ALICE, "cloudfront:UpdateDistribution", E1, identity_policies=(policy,)).allowed


def test_can_fills_derived_keys_unless_given() -> None:
    """aws:username, aws:PrincipalArn and aws:PrincipalAccount are derived from the principal."""
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/${aws:username}/*",
                    "Condition": {
                        "StringEquals": {"aws:PrincipalAccount": ACCOUNT},
                        "ArnEquals": {"aws:PrincipalArn": ALICE},
                    },
                }
            ],
        },
        name="p",
    )
    assert can(ALICE, "s3:GetObject", "arn:aws:s3:::b/alice/x", identity_policies=(policy,)).allowed
    assert not can(
        ALICE, "s3:GetObject", "arn:aws:s3:::b/alice/x", identity_policies=(policy,), context={"aws:username": "bob"}
    ).allowed
