"""Property tests of the evaluation: a Deny can only take access away; an unconditional Deny always wins.

source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
("An explicit deny in any of these policies overrides the allow.")
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from edgeward.iam.context import RequestContext
from edgeward.iam.evaluation import PolicySet, Request, evaluate
from edgeward.iam.policy import Policy, PolicyKind, parse_policy
from edgeward.iam.principal import Principal

ACTIONS = ["s3:GetObject", "s3:PutObject", "cloudfront:UpdateDistribution", "cloudfront:GetDistributionConfig"]
ACTION_PATTERNS = [*ACTIONS, "s3:*", "*", "cloudfront:Get*", "CLOUDFRONT:update?istribution"]
RESOURCES = ["arn:aws:s3:::b/k", "arn:aws:s3:::b/other", "arn:aws:cloudfront::111122223333:distribution/E1"]
RESOURCE_PATTERNS = [*RESOURCES, "*", "arn:aws:s3:::b/*", "arn:aws:cloudfront::*", "arn:aws:s3:::${aws:username}/*"]
PRINCIPALS = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/deployer/ci",
    "arn:aws:iam::444455556666:user/bob",
]
PRINCIPAL_ELEMENTS: list[Any] = [
    "*",
    {"AWS": "111122223333"},
    {"AWS": "arn:aws:iam::111122223333:user/alice"},
    {"AWS": "arn:aws:iam::111122223333:role/deployer"},
    {"AWS": "arn:aws:sts::111122223333:assumed-role/deployer/ci"},
    {"AWS": "444455556666"},
]
CONDITIONS: list[dict[str, Any] | None] = [
    None,
    {"StringEquals": {"aws:RequestTag/stage": ["gamma", "prod"]}},
    {"StringNotEquals": {"aws:RequestTag/stage": "prod"}},
    {"Null": {"aws:RequestTag/stage": "true"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "st*"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["stage", "team"]}},
    {"StringLikeIfExists": {"aws:username": "a*"}},
]
CONTEXTS = [
    {},
    {"aws:RequestTag/stage": "prod", "aws:TagKeys": ["stage"]},
    {"aws:RequestTag/stage": "dev", "aws:TagKeys": ["stage", "owner"]},
    {"aws:username": "alice"},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None, principal: bool = False) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(
            st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2)
        ),
        draw(st.sampled_from(["Resource", "Resource", "NotResource"])): draw(
            st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)
        ),
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        statement["Condition"] = condition
    if principal:
        statement["Principal"] = draw(st.sampled_from(PRINCIPAL_ELEMENTS))
    return statement


def make(raw: list[dict[str, Any]], kind: PolicyKind, name: str) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": raw}, name=name, kind=kind)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "identity": draw(st.lists(statements(), max_size=3)),
        "resource": draw(st.none() | st.lists(statements(principal=True), min_size=1, max_size=2)),
        "boundary": draw(st.none() | st.lists(statements(), min_size=1, max_size=2)),
        "scp": draw(st.none() | st.lists(statements(), min_size=1, max_size=2)),
        "principal": draw(st.sampled_from(PRINCIPALS)),
        "action": draw(st.sampled_from(ACTIONS)),
        "resource_arn": draw(st.sampled_from(RESOURCES)),
        "context": draw(st.sampled_from(CONTEXTS)),
    }


def run(s: dict[str, Any]) -> str:
    policies = PolicySet(
        identity=(make(s["identity"], "identity", "id"),),
        resource=make(s["resource"], "resource", "rp") if s["resource"] is not None else None,
        boundary=make(s["boundary"], "boundary", "pb") if s["boundary"] is not None else None,
        scp_levels=((make(s["scp"], "scp", "scp"),),) if s["scp"] is not None else (),
    )
    request = Request(
        Principal.from_arn(s["principal"]),
        s["action"],
        s["resource_arn"],
        RequestContext.build(s["context"]),
        resource_account="111122223333",
    )
    return evaluate(request, policies).decision


TARGETS = ["identity", "resource", "boundary", "scp"]


@settings(max_examples=300, deadline=None)
@given(scenario=scenarios(), target=st.sampled_from(TARGETS), data=st.data())
def test_adding_a_deny_never_grants_more(scenario: dict[str, Any], target: str, data: st.DataObject) -> None:
    before = run(scenario)
    extra = data.draw(statements(effect="Deny", principal=target == "resource"))
    changed = dict(scenario)
    changed[target] = [*(scenario[target] or []), extra]
    after = run(changed)
    if after == "allowed":
        assert before == "allowed"
    if before == "explicit-deny":
        assert after == "explicit-deny"


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), target=st.sampled_from(["identity", "boundary", "scp"]))
def test_unconditional_deny_anywhere_is_explicit_deny(scenario: dict[str, Any], target: str) -> None:
    changed = dict(scenario)
    changed[target] = [*(scenario[target] or []), {"Effect": "Deny", "Action": "*", "Resource": "*"}]
    assert run(changed) == "explicit-deny"
