"""WAF web ACLs judging requests without the origin secret (semantics/waf.py)."""

from __future__ import annotations

import pytest

from edgeward.algebra.addresses import Addresses
from edgeward.model.edge import EdgeEstate, OriginHeader, SecretText, WafRule, WafStatement, WebAcl
from edgeward.semantics.waf import WafJudge, byte_match, evaluate, transform

SECRET = "Kq7Zp2Lm9Xw4Rt6Yv1Bn8Cs3"
HEADERS = (OriginHeader("X-Origin-Verify", SecretText(SECRET)),)


def match(search: str, positional: str = "EXACTLY", transforms: tuple[str, ...] = ()) -> WafStatement:
    return WafStatement(
        "byte-match", header="x-origin-verify", search=SecretText(search), positional=positional, transforms=transforms
    )


@pytest.mark.parametrize(
    ("statement", "value", "expected"),
    [
        (match(SECRET), SECRET, True),
        (match(SECRET), SECRET.lower(), False),  # NONE: case matters
        (match(SECRET.lower(), transforms=("LOWERCASE",)), SECRET, True),
        (match("Kq7Z", "STARTS_WITH"), SECRET, True),
        (match("Cs3", "ENDS_WITH"), SECRET, True),
        (match("Lm9X", "CONTAINS"), SECRET, True),
        (match("Lm9X", "CONTAINS_WORD"), SECRET, False),
        (match(SECRET, transforms=("BASE64_DECODE",)), SECRET, None),  # not modelled
    ],
)
def test_byte_match(statement: WafStatement, value: str, expected: bool | None) -> None:
    assert byte_match(statement, value) is expected


def test_transformations_that_keep_plain_values() -> None:
    assert transform("abc-123_~.", ("URL_DECODE", "HTML_ENTITY_DECODE")) == "abc-123_~."
    assert transform("a%20b", ("URL_DECODE",)) is None


NOT_SECRET = WafStatement("not", children=(match(SECRET),))


def acl(default: str, *rules: WafRule) -> WebAcl:
    return WebAcl("arn:acl", "acl", "REGIONAL", default, rules)


def attacker(web_acl: WebAcl, senders: Addresses | None = None) -> str:
    judge = WafJudge(EdgeEstate(), HEADERS, (), senders or Addresses.from_cidrs(["0.0.0.0/0"]))
    return evaluate(web_acl, judge).result


def distribution(web_acl: WebAcl) -> str:
    return evaluate(web_acl, WafJudge(EdgeEstate(), HEADERS, HEADERS, Addresses.from_cidrs(["130.176.0.0/16"]))).result


@pytest.mark.parametrize(
    ("web_acl", "without_secret", "with_secret"),
    [
        (acl("block", WafRule("verify", 0, "allow", match(SECRET))), "blocked", "allowed"),
        (acl("allow", WafRule("verify", 0, "block", NOT_SECRET)), "blocked", "allowed"),
        (acl("allow", WafRule("verify", 0, "allow", match(SECRET))), "allowed", "allowed"),
        (acl("allow", WafRule("verify", 0, "count", NOT_SECRET)), "allowed", "allowed"),
        (acl("block", WafRule("partial", 0, "allow", match(SECRET[:4], "STARTS_WITH"))), "allowed", "allowed"),
        (acl("allow", WafRule("group", 0, "none", WafStatement("rule-group", reference="arn:rg"))), "maybe", "maybe"),
        (acl("block", WafRule("managed", 0, "none", WafStatement("managed-rule-group", reference="AWS/Common")),
             WafRule("verify", 1, "allow", match(SECRET))), "blocked", "allowed"),
        (acl("block", WafRule("any", 0, "allow", WafStatement("or", children=(match(SECRET), match("Previous0Val"))))),
         "blocked", "allowed"),  # rotation: the previous value is a secret too
    ],
    ids=["allow-secret-default-block", "block-not-secret", "default-allow", "count-mode", "partial-secret",
         "opaque-rule-group", "managed-group-then-secret", "or-with-previous-value"],
)  # fmt: skip
def test_evaluation(web_acl: WebAcl, without_secret: str, with_secret: str) -> None:
    assert attacker(web_acl) == without_secret
    assert distribution(web_acl) == with_secret
