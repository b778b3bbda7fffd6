"""Policy variables, defaults, escapes, and the Version that turns them on.

source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
"""

from __future__ import annotations

from .helpers import ALICE, allow, condition_holds, decide, policy

HOME = "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"


def test_username_variable_in_resource() -> None:
    """The documented home-folder example: each user reaches only home/<own name>/."""
    p = policy(allow("s3:GetObject", HOME))
    context = {"aws:username": "alice"}
    assert decide(
        ALICE, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt", context, identity=(p,)
    ).allowed
    assert not decide(
        ALICE, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/a.txt", context, identity=(p,)
    ).allowed


def test_variables_are_literal_under_2008_and_without_version_pmapper_regression() -> None:
    """'${aws:username}' is literal text with Version 2008-10-17 or no Version (PMapper substitutes)."""
    context = {"aws:username": "alice"}
    for version in ("2008-10-17", None):
        p = policy(allow("s3:GetObject", HOME), version=version)
        assert not decide(
            ALICE, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a", context, identity=(p,)
        ).allowed
        literal = "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/a"
        assert decide(ALICE, "s3:GetObject", literal, context, identity=(p,)).allowed


def test_missing_variable_matches_no_resource() -> None:
    """A Resource whose variable has no value 'will not match any resource'."""
    p = policy(allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*"))
    assert not decide(ALICE, "s3:GetObject", "arn:aws:s3:::b//x", {}, identity=(p,)).allowed
    assert decide(
        ALICE, "s3:GetObject", "arn:aws:s3:::b/web/x", {"aws:PrincipalTag/team": "web"}, identity=(p,)
    ).allowed


def test_missing_variable_in_condition_equals_nothing() -> None:
    """A condition value with a null variable has 'no equal or like value'."""
    condition = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert not condition_holds(condition, {"aws:ResourceTag/owner": ""})
    assert condition_holds(condition, {"aws:ResourceTag/owner": "alice", "aws:username": "alice"})
    # StringNotEquals with a null variable: no value matches, so NOR is true
    assert condition_holds(
        {"StringNotEquals": {"aws:ResourceTag/owner": "${aws:username}"}}, {"aws:ResourceTag/owner": "x"}
    )


def test_default_value() -> None:
    """${aws:PrincipalTag/team, 'company-wide'} uses the default when the tag is missing."""
    p = policy(allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*"))
    assert decide(ALICE, "s3:GetObject", "arn:aws:s3:::b/company-wide/x", {}, identity=(p,)).allowed
    assert decide(
        ALICE, "s3:GetObject", "arn:aws:s3:::b/web/x", {"aws:PrincipalTag/team": "web"}, identity=(p,)
    ).allowed
    assert not decide(
        ALICE, "s3:GetObject", "arn:aws:s3:::b/company-wide/x", {"aws:PrincipalTag/team": "web"}, identity=(p,)
    ).allowed


def test_escapes_are_literal_characters() -> None:
    """${*}, ${?}, ${$} stand for the literal characters, not wildcards."""
    p = policy(allow("s3:GetObject", "arn:aws:s3:::b/${*}${?}${$}"))
    assert decide(ALICE, "s3:GetObject", "arn:aws:s3:::b/*?$", {}, identity=(p,)).allowed
    assert not decide(ALICE, "s3:GetObject", "arn:aws:s3:::b/xy$", {}, identity=(p,)).allowed
    # in a StringLike value the escaped * is literal while a bare * is a wildcard
    assert condition_holds({"StringLike": {"s3:prefix": "a${*}*"}}, {"s3:prefix": "a*bc"})
    assert not condition_holds({"StringLike": {"s3:prefix": "a${*}*"}}, {"s3:prefix": "abc"})


def test_substituted_values_are_not_wildcards() -> None:
    """A context value containing * is compared literally after substitution."""
    condition = {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}
    assert not condition_holds(condition, {"aws:username": "*", "s3:prefix": "home/bob/x"})
    assert condition_holds(condition, {"aws:username": "*", "s3:prefix": "home/*/x"})


def test_variable_key_is_case_insensitive() -> None:
    """Variable names inside ${} are not case sensitive (aws:CurrentTime = AWS:currenttime)."""
    p = policy(allow("s3:GetObject", "arn:aws:s3:::b/${AWS:UserName}/*"))
    assert decide(ALICE, "s3:GetObject", "arn:aws:s3:::b/alice/x", {"aws:username": "alice"}, identity=(p,)).allowed


def test_multivalued_key_cannot_be_a_variable() -> None:
    """'you can't use multivalued context keys as policy variables'."""
    condition = {"StringEquals": {"s3:prefix": "${aws:TagKeys}"}}
    assert not condition_holds(condition, {"aws:TagKeys": ["a"], "s3:prefix": "a"})
