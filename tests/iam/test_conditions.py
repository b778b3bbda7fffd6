"""Condition operators: every family, missing keys, set operators, negation, key case."""

from __future__ import annotations

from typing import Any

import pytest

from edgeward.errors import InputError

from .helpers import condition_holds

OPERATORS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
MULTI_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html"
LOGIC_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"


# --- missing keys (operators page, "Important" box) -----------------------------------------


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringLike", False),
        ("StringNotEquals", True),
        ("StringNotLike", True),
        ("StringNotEqualsIgnoreCase", True),
        ("ArnNotLike", True),
        ("ArnNotEquals", True),
        ("NumericNotEquals", True),
        ("DateNotEquals", True),
        ("NotIpAddress", True),
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAllValues:StringEquals", True),
    ],
)
def test_missing_key(operator: str, expected: bool) -> None:
    """Key absent: false, except negated operators, ...IfExists and ForAllValues (true).
    PMapper returns False for StringNotLike with the key absent (facts §3.2); AWS says true.
    moto skips a condition whose key is missing (treats it as true) (facts §3.3).
    """  # source: OPERATORS_PAGE, MULTI_PAGE
    values: dict[str, str] = {
        "NumericNotEquals": "1",
        "DateNotEquals": "2020-01-01T00:00:00Z",
        "NotIpAddress": "10.0.0.0/8",
        "ArnNotLike": "arn:aws:iam::*:role/x",
        "ArnNotEquals": "arn:aws:iam::*:role/x",
    }
    value = values.get(operator, "x")
    assert condition_holds({operator: {"aws:SomeKey": value}}) is expected


def test_negated_operator_on_missing_key_denies_pmapper_regression() -> None:
    """Deny unless the tag is like team-*: with no tag at all, the Deny applies (source: OPERATORS_PAGE)."""
    assert condition_holds({"StringNotLike": {"aws:PrincipalTag/team": "team-*"}}, {})
    assert not condition_holds(
        {"StringNotLike": {"aws:PrincipalTag/team": "team-*"}}, {"aws:PrincipalTag/team": "team-a"}
    )


# --- AND / OR / NOR (multiple keys or values page) ----------------------------------------


def test_values_or_keys_and_operators_and() -> None:
    """source: LOGIC_PAGE"""
    condition: dict[str, Any] = {
        "StringEquals": {"aws:PrincipalTag/dept": ["finance", "hr"], "aws:PrincipalTag/level": "2"},
        "Bool": {"aws:SecureTransport": "true"},
    }
    base = {"aws:PrincipalTag/dept": "hr", "aws:PrincipalTag/level": "2", "aws:SecureTransport": "true"}
    assert condition_holds(condition, base)
    assert not condition_holds(condition, {**base, "aws:PrincipalTag/level": "3"})
    assert not condition_holds(condition, {**base, "aws:SecureTransport": "false"})
    assert not condition_holds(condition, {**base, "aws:PrincipalTag/dept": "it"})


def test_negated_operator_combines_values_with_nor() -> None:
    """'the string cannot match any of the values' (source: LOGIC_PAGE)."""
    condition = {"StringNotEquals": {"aws:PrincipalTag/dept": ["finance", "hr"]}}
    assert not condition_holds(condition, {"aws:PrincipalTag/dept": "hr"})
    assert not condition_holds(condition, {"aws:PrincipalTag/dept": "finance"})
    assert condition_holds(condition, {"aws:PrincipalTag/dept": "it"})


# --- set operators: truth tables of the multivalued examples page ------------------------


@pytest.mark.parametrize(
    ("tag_keys", "expected"),
    [
        (["key1:legal"], False),
        (["key1:hr", "key1:personnel"], False),
        (["key2:audit"], True),
        (None, True),
    ],
)
def test_deny_for_all_values_string_not_like_table(tag_keys: list[str] | None, expected: bool) -> None:
    """Deny with ForAllValues:StringNotLike {aws:TagKeys: key1*}: the table's Match / No match.
    source: MULTI_PAGE ("Deny a single policy condition value for a multivalued context key")"""
    context = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    assert condition_holds({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}, context) is expected


@pytest.mark.parametrize(
    ("tag_keys", "expected"),
    [
        (["environment"], True),
        (["webserver", "environment"], True),
        (["environment", "costcenter"], True),
        (["costcenter"], False),
        (None, False),
    ],
)
def test_deny_for_any_value_string_equals(tag_keys: list[str] | None, expected: bool) -> None:
    """ForAnyValue: true if any request tag key is listed; false when no tag keys are passed.
    source: MULTI_PAGE ("Deny policy with condition set operator ForAnyValue")"""
    context = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "webserver"]}}
    assert condition_holds(condition, context) is expected


def test_for_all_values_with_null_guard_closes_the_absent_key() -> None:
    """Null false + ForAllValues:StringLike: absent key no longer matches (source: MULTI_PAGE)."""
    condition = {"Null": {"aws:TagKeys": "false"}, "ForAllValues:StringLike": {"aws:TagKeys": ["key1*", "key2*"]}}
    assert not condition_holds(condition, {})
    assert condition_holds(condition, {"aws:TagKeys": ["key1a", "key2b"]})
    assert not condition_holds(condition, {"aws:TagKeys": ["key1a", "other"]})


def test_single_value_of_a_multivalued_key_is_a_set_of_one() -> None:
    """aws:TagKeys with one value is still a set: ForAnyValue works, a plain operator does not match.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    ('Multivalued context keys require a condition set operator'; plain-operator behaviour: facts §1.5)."""
    assert condition_holds({"ForAnyValue:StringEquals": {"aws:TagKeys": "stage"}}, {"aws:TagKeys": ["stage"]})
    assert not condition_holds({"StringEquals": {"aws:TagKeys": "stage"}}, {"aws:TagKeys": ["stage"]})


def test_set_operator_on_single_valued_key_treats_value_as_set_of_one() -> None:
    """source: facts §1.5 (iam-simulate forAllValuesMisused); single-vs-multi page warns it is too permissive."""
    assert condition_holds(
        {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}}, {"aws:PrincipalTag/team": "a"}
    )
    assert not condition_holds(
        {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["a"]}}, {"aws:PrincipalTag/team": "c"}
    )


# --- key case -------------------------------------------------------------------------------


def test_key_names_are_case_insensitive_including_the_tag_part() -> None:
    """'Condition key names are not case-sensitive'; aws:RequestTag/TagKey1 matches tagkey1.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html"""
    assert condition_holds({"IpAddress": {"aws:SourceIP": "203.0.113.0/24"}}, {"AWS:SourceIp": "203.0.113.9"})
    assert condition_holds({"StringEquals": {"aws:RequestTag/Stage": "prod"}}, {"aws:requesttag/stage": "prod"})
    # values stay case-sensitive for StringEquals
    assert not condition_holds({"StringEquals": {"aws:RequestTag/stage": "prod"}}, {"aws:RequestTag/stage": "Prod"})
    assert condition_holds(
        {"StringEqualsIgnoreCase": {"aws:RequestTag/stage": "prod"}}, {"aws:RequestTag/stage": "Prod"}
    )


# --- every family ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/bob/x"}, True),
        ({"StringLike": {"s3:prefix": "home/?"}}, {"s3:prefix": "home/ab"}, False),
        ({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}, False),  # no wildcards in Equals
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
        ({"NumericLessThan": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}, False),
        ({"NumericGreaterThan": {"s3:max-keys": "1.5"}}, {"s3:max-keys": "2"}, True),
        ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"}},
            {"aws:CurrentTime": "2020-06-30T00:00:00Z"},
            True,
        ),
        (
            {"DateLessThan": {"aws:CurrentTime": "2020-06-30T00:00:00Z"}},
            {"aws:CurrentTime": "2020-06-30T00:00:00Z"},
            False,
        ),
        ({"DateLessThanEquals": {"aws:EpochTime": "1593475200"}}, {"aws:EpochTime": "1593475200"}, True),
        ({"DateEquals": {"aws:TokenIssueTime": "2020-06-30"}}, {"aws:TokenIssueTime": "2020-06-30T00:00:00Z"}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}, True),
        ({"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": "true"}, False),
        ({"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, True),
        ({"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"key": "b3RoZXI="}, False),
        (
            {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
            {"aws:SourceIp": "2001:db8:1234:5678::1"},
            True,
        ),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.7"}, True),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, True),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.1"}, False),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}},
            {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"},
            True,
        ),
        (
            {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}},
            {"aws:SourceArn": "arn:aws:cloudfront::444455556666:distribution/E1"},
            False,
        ),
        (
            {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}},
            {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:u"},
            True,
        ),
        ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
        ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
        ({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2020-01-01"}, False),
    ],
)
def test_operator_families(condition: dict[str, Any], context: dict[str, str], expected: bool) -> None:
    """Examples in each operator family section. source: OPERATORS_PAGE"""
    assert condition_holds(condition, context) is expected


def test_unknown_operator_is_an_error_not_ignored_moto_regression() -> None:
    """moto treats unsupported operators as true, so a Deny with them applies always (facts §3.3)."""
    with pytest.raises(InputError) as error:
        condition_holds({"StringSortOf": {"aws:username": "x"}})
    assert error.value.place == "Statement[0].Condition.StringSortOf"


@pytest.mark.parametrize(
    ("condition", "place"),
    [
        ({"NumericLessThan": {"s3:max-keys": "ten"}}, "Statement[0].Condition.NumericLessThan.s3:max-keys"),
        ({"DateLessThan": {"aws:CurrentTime": "tomorrow"}}, "Statement[0].Condition.DateLessThan.aws:CurrentTime"),
        ({"IpAddress": {"aws:SourceIp": "300.1.1.1"}}, "Statement[0].Condition.IpAddress.aws:SourceIp"),
        ({"Null": {"aws:SourceIp": "maybe"}}, "Statement[0].Condition.Null.aws:SourceIp"),
        ({"NullIfExists": {"aws:SourceIp": "true"}}, "Statement[0].Condition.NullIfExists"),
        ({"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}}, "Statement[0].Condition.ForSomeValues:StringEquals"),
        ({"StringEquals": "x"}, "Statement[0].Condition.StringEquals"),
    ],
)
def test_bad_condition_values_name_their_place(condition: dict[str, Any], place: str) -> None:
    with pytest.raises(InputError) as error:
        condition_holds(condition)
    assert error.value.place == place
