"""Action and resource matching, against AWS's documented examples and a brute-force matcher."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeward.iam.matching import ActionMatcher, arn_like, glob_match, resource_match

# --- actions ---------------------------------------------------------------------------------


def test_action_prefix_and_name_are_case_insensitive() -> None:
    """'The prefix and the action name are case insensitive' (iam:ListAccessKeys = IAM:listaccesskeys).
    moto matches case-sensitively (facts §3.3); AWS does not.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"""
    matcher = ActionMatcher.compile(["iam:ListAccessKeys"], negated=False)
    assert matcher.matches("IAM:listaccesskeys")
    assert ActionMatcher.compile(["CloudFront:CreateDistribution"], negated=False).matches(
        "cloudfront:CreateDistribution"
    )


def test_action_wildcards_star_and_question_mark() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"""
    matcher = ActionMatcher.compile(["cloudfront:Get*", "s3:?etObject"], negated=False)
    assert matcher.matches("cloudfront:GetDistributionConfig")
    assert matcher.matches("s3:GetObject")
    assert not matcher.matches("cloudfront:UpdateDistribution")
    assert not matcher.matches("s3:GetObjectAcl")
    assert not matcher.matches("s3:ggetObject")


def test_not_action_matches_everything_not_listed() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    matcher = ActionMatcher.compile(["iam:*"], negated=True)
    assert matcher.matches("cloudfront:UpdateDistribution")
    assert not matcher.matches("IAM:CreateUser")


# --- resources -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
        # "bucket/*/test/*" matches "bucket//test/object.jpg" and "bucket/1/2/test/3/object.jpg"...
        ("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket//test/object.jpg", True),
        ("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket/1/test/object.jpg", True),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg",
            True,
        ),
        # ... but not "bucket/test/object.jpg"
        ("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket/test/object.jpg", False),
        # "all IAM users whose path is /accounting"
        ("arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/bob", True),
        ("arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/sales/bob", False),
        # "In the Resource element, the IAM user name is case sensitive"
        ("arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", False),
        # wildcards inside a segment do not cross a colon unless they end the segment
        ("arn:aws:s3:us-*-1:*:x", "arn:aws:s3:us-east-1:123456789012:x", True),
        ("arn:aws:s3:us-*-1:*:x", "arn:aws:s3:us-east:2-1:123456789012:x", False),
        # "If the * wildcard is the last character of a resource ARN segment, it can expand to match
        # beyond the colon boundaries"
        ("arn:aws:cloudfront:*", "arn:aws:cloudfront::111122223333:distribution/E1", True),
        ("arn:aws:cloudfront::*", "arn:aws:cloudfront::111122223333:distribution/E1", True),
        ("*", "arn:aws:cloudfront::111122223333:distribution/E1", True),
        ("arn:aws:cloudfront::111122223333:distribution/?1", "arn:aws:cloudfront::111122223333:distribution/E1", True),
        ("arn:aws:cloudfront::111122223333:distribution/?", "arn:aws:cloudfront::111122223333:distribution/E1", False),
        # a specific ARN never matches the "*" a wildcard-only action is authorized against
        ("arn:aws:cloudfront::*:distribution/*", "*", False),
    ],
)
def test_resource_segments(pattern: str, resource: str, expected: bool) -> None:
    assert resource_match(pattern, resource) is expected


def test_resource_id_is_case_sensitive_pmapper_regression() -> None:
    """PMapper matches resources ignoring case (`arn:aws:s3:::Bucket/*` matched `bucket/x`, facts §3.2).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"""
    assert not resource_match("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x")
    assert resource_match("arn:aws:s3:::Bucket/*", "arn:aws:s3:::Bucket/x")


def test_regex_metacharacters_are_literal_moto_pmapper_regression() -> None:
    """moto leaves `.` unescaped (`a.b/*` matched `aXb/x`); PMapper leaks `+`, `(`... (facts §3.2, §3.3)."""
    assert not resource_match("arn:aws:s3:::a.b/*", "arn:aws:s3:::aXb/x")
    assert resource_match("arn:aws:s3:::a.b/*", "arn:aws:s3:::a.b/x")
    assert not resource_match("arn:aws:s3:::a+/*", "arn:aws:s3:::aaa/x")
    assert resource_match("arn:aws:s3:::a(b)[c]/*", "arn:aws:s3:::a(b)[c]/x")


# --- ARN and string operators --------------------------------------------------------------


def test_arn_like_compares_the_six_components_separately() -> None:
    """ArnLike vs StringLike on the documented example.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN"""
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert glob_match(pattern, value)
    assert not arn_like(((pattern, True),), value)
    assert arn_like(((pattern, True),), "arn:aws:someservice:us-east-2:111122223333:finance/a:b")
    assert not arn_like(((pattern, True),), "not-an-arn")


# --- brute force ---------------------------------------------------------------------------


def brute_resource_match(pattern: str, value: str) -> bool:
    """Independent reference: a recursive matcher over characters with AWS's segment rules.

    Segments 0-4 are compared ignoring case; `*`/`?` stay within a segment there, except a `*`
    that ends its segment (next pattern char is ':' or the end), which may consume anything.
    From the sixth segment on, `*` and `?` match any character, ':' included.
    """

    def seg_of(p_index: int) -> int:
        return pattern[:p_index].count(":")

    def rec(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(value)
        char = pattern[i]
        in_prefix = seg_of(i) < 5
        if char == "*":
            trailing = i + 1 == len(pattern) or pattern[i + 1] == ":"
            for k in range(j, len(value) + 1):
                consumed = value[j:k]
                if in_prefix and not trailing and ":" in consumed:
                    break
                if rec(i + 1, k):
                    return True
            return False
        if j == len(value):
            return False
        if char == "?":
            return (not in_prefix or value[j] != ":") and rec(i + 1, j + 1)
        same = char.lower() == value[j].lower() if in_prefix else char == value[j]
        return same and rec(i + 1, j + 1)

    return rec(0, 0)


ALPHABET = "ab:/*?A"
plain = st.text(alphabet="ab:/A", max_size=9)
patterns = st.text(alphabet=ALPHABET, max_size=8)


@settings(max_examples=400, deadline=None)
@given(pattern=patterns, value=plain)
def test_resource_match_agrees_with_brute_force(pattern: str, value: str) -> None:
    assert resource_match(pattern, value) == brute_resource_match(pattern, value)


@settings(max_examples=200, deadline=None)
@given(pattern=st.text(alphabet="ab:*?", max_size=6), value=st.text(alphabet="ab:", max_size=7))
def test_string_like_agrees_with_brute_force(pattern: str, value: str) -> None:
    def rec(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(value)
        if pattern[i] == "*":
            return any(rec(i + 1, k) for k in range(j, len(value) + 1))
        return j < len(value) and pattern[i] in ("?", value[j]) and rec(i + 1, j + 1)

    assert glob_match(pattern, value) == rec(0, 0)
