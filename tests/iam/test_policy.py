"""Parsing and validation: what AWS's grammar accepts, and errors that name the JSON path.

source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

from typing import Any

import pytest

from edgeward.errors import InputError
from edgeward.iam.policy import PolicyKind, parse_policy


def parse(document: Any, kind: PolicyKind = "identity") -> Any:
    return parse_policy(document, name="test.json", kind=kind, file="test.json")


def test_statement_object_or_list_and_scalar_or_array_values() -> None:
    single = parse(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    )
    listed = parse(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}],
        }
    )
    assert len(single.statements) == 1 and single.statements[0].sid is None
    assert listed.statements[0].sid == "A"
    assert single.statements[0].actions.matches("s3:getobject") and listed.statements[0].actions.matches("S3:GetObject")


def test_empty_statement_list_is_valid_and_allows_nothing() -> None:
    """Contract (issue 4): a policy document whose Statement is empty is valid."""
    assert parse({"Version": "2012-10-17", "Statement": []}).statements == ()


@pytest.mark.parametrize(
    ("document", "place", "message"),
    [
        ({"Version": "2012-10-18", "Statement": []}, "Version", "Version must be"),
        ({"Statement": [], "Extra": 1}, "Extra", "unknown top-level"),
        ({"Version": "2012-10-17"}, None, "needs a Statement"),
        ({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}, "Statement[0].Effect", "Effect"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Statement[0]", "Action or NotAction"),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, "Statement[0]", "Resource or NotResource"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]},
            "Statement[0]",
            "both Action and NotAction",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]},
            "Statement[0].Action",
            "service:ActionName",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", 7], "Resource": "*"}]},
            "Statement[0].Action[1]",
            "non-empty string",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}, "Statement[0].Action", "empty list"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]},
            "Statement[0].Principal",
            "only allowed in resource-based",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Conditions": {}}]},
            "Statement[0].Conditions",
            "unknown statement element",
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"StringLike": {"aws:x": {"a": 1}}},
                    },
                ]
            },
            "Statement[1].Condition.StringLike.aws:x",
            "must be a string",
        ),
        ("[1,2]", None, "JSON object"),
        ('{"Version": "2012-10-17", "Version": "2008-10-17", "Statement": []}', None, "duplicate key 'Version'"),
        ("{not json", None, "not valid JSON"),
    ],
)
def test_invalid_identity_policies(document: Any, place: str | None, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse(document)
    assert error.value.place == place
    assert message in error.value.detail
    assert error.value.file == "test.json"


def test_resource_policy_needs_a_principal_and_rejects_partial_wildcards() -> None:
    """Principal is required in resource-based policies; 'you cannot use a wildcard to match part of a
    principal name or ARN'. source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    with pytest.raises(InputError, match="needs Principal"):
        parse({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, kind="resource")
    with pytest.raises(InputError) as error:
        parse(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": ["arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:user/*"]},
                        "Action": "s3:*",
                        "Resource": "*",
                    }
                ]
            },
            kind="resource",
        )
    assert error.value.place == "Statement[0].Principal.AWS[1]"
    with pytest.raises(InputError, match="unknown principal type"):
        parse(
            {"Statement": [{"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "s3:*", "Resource": "*"}]},
            kind="resource",
        )


def test_trust_policy_has_no_resource_and_no_not_principal() -> None:
    """Trust policies omit Resource; NotPrincipal is not allowed in them.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"""
    trust = parse(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
        kind="trust",
    )
    assert trust.statements[0].resources is None
    with pytest.raises(InputError, match="NotPrincipal is not allowed"):
        parse(
            {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}]},
            kind="trust",
        )
