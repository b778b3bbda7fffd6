"""The aws_json edge transforms: envelopes, Batfish aggregates, shapes that are not ours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edgeward.errors import InputError
from edgeward.semantics.load_balancers import edge_of
from edgeward.sources import load_snapshot
from edgeward.sources.aws_edge import edge_estate
from edgeward.sources.aws_transform import Context

LISTENER = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE = LISTENER.replace(":listener/", ":listener-rule/") + "/9683"


def estate(*documents: dict[str, Any]) -> Any:
    extra: dict[str, list[tuple[Context, dict[str, Any]]]] = {}
    for doc in documents:
        for key in doc:
            extra.setdefault(key, []).append((Context("f.json", "111122223333", "us-east-1"), doc))
    return edge_estate(extra)


def test_rules_find_their_listener_in_the_envelope_or_in_the_rule_arn() -> None:
    rule = {"RuleArn": RULE, "Priority": "1", "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"]}],
            "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}]}  # fmt: skip
    listener = {"ListenerArn": LISTENER, "LoadBalancerArn": "arn:lb", "Port": 443, "Protocol": "HTTPS",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": "arn:tg"}]}  # fmt: skip
    for rules_doc in ({"Rules": [rule]}, {"RequestParameters": {"ListenerArn": LISTENER}, "Rules": [rule]}):
        built = estate({"Listeners": [listener]}, rules_doc)
        assert built.listeners[0].rules is not None
        assert [r.priority for r in built.listeners[0].rules] == [1]
        assert built.listeners[0].rules[0].conditions[0].values == ("/api/*",)


def test_an_http_listener_without_describe_rules_has_unknown_rules() -> None:
    listener = {"ListenerArn": LISTENER, "LoadBalancerArn": "arn:lb", "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301"}}]}  # fmt: skip
    built = estate({"Listeners": [listener]})
    assert built.listeners[0].rules is None
    assert built.listeners[0].default_actions[0].status_code == "301"


@pytest.mark.parametrize(
    ("document", "needs"),
    [
        ({"Policy": "{}"}, "Bucket"),
        ({"TargetHealthDescriptions": []}, "TargetGroupArn"),
        ({"ResourceArns": []}, "WebACLArn"),
        ({"PublicAccessBlockConfiguration": {}}, "AccountId"),
        ({"IndexDocument": {"Suffix": "index.html"}}, "Bucket"),
    ],
)
def test_responses_without_their_subject_need_the_envelope(document: dict[str, Any], needs: str) -> None:
    with pytest.raises(InputError) as raised:
        estate(document)
    assert needs in str(raised.value) and "RequestParameters" in str(raised.value)
    assert "f.json" in str(raised.value)


def test_other_services_shapes_under_shared_keys_are_left_alone() -> None:
    built = estate(
        {"Attributes": {"Policy": "{}", "QueueArn": "arn:sqs"}},  # sqs get-queue-attributes
        {"Policy": {"PolicyName": "ReadOnly", "Arn": "arn:aws:iam::aws:policy/ReadOnly"}},  # iam get-policy
    )
    assert not built.buckets and not built.function_urls


def test_bucket_known_only_from_list_buckets_has_an_unknown_policy() -> None:
    built = estate(
        {"Buckets": [{"Name": "listed"}, {"Name": "described"}]},
        {"RequestParameters": {"Bucket": "described"}, "Policy": json.dumps({"Statement": []})},
        {"RequestParameters": {"Bucket": "described"}, "IndexDocument": {"Suffix": "index.html"}},
        {"RequestParameters": {"Bucket": "no-policy"}, "Policy": None},  # a live scan's NoSuchBucketPolicy
    )
    by_name = {b.name: b for b in built.buckets}
    assert not by_name["listed"].policy_known
    assert by_name["described"].policy_known and by_name["described"].website
    assert by_name["no-policy"].policy_known and by_name["no-policy"].policy is None


def test_waf_search_strings_are_read_plain_or_base64() -> None:
    def acl(search: str) -> dict[str, Any]:
        statement = {"ByteMatchStatement": {"SearchString": search, "FieldToMatch": {"SingleHeader": {"Name": "X-A"}},
                                            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                            "PositionalConstraint": "EXACTLY"}}  # fmt: skip
        return {"WebACL": {"Name": "a", "ARN": f"arn:aws:wafv2:us-east-1:1:regional/webacl/a/{search[:3]}",
                           "DefaultAction": {"Block": {}},
                           "Rules": [{"Name": "r", "Priority": 0, "Action": {"Allow": {}},
                                      "Statement": statement}]}}  # fmt: skip

    built = estate(acl("c2VjcmV0LXZhbHVl"), acl("plain-secret-value"))
    searches = {a.rules[0].statement.search.reveal() for a in built.web_acls if a.rules[0].statement.search}
    assert searches == {"secret-value", "plain-secret-value"}
    assert all(a.rules[0].statement.header == "x-a" for a in built.web_acls)


def test_the_batfish_load_balancer_corpus_loads_its_edge(corpus: Path) -> None:
    edge = edge_of(load_snapshot(corpus / "test-load-balancer"))
    (lb,) = edge.load_balancers
    assert lb.name == "test-lb" and lb.type == "network" and lb.scheme == "internal"
    assert lb.attribute("load_balancing.cross_zone.enabled") == "true"
    (listener,) = edge.listeners
    assert (listener.port, listener.protocol, listener.rules) == (80, "TCP", ())
    tg = edge.target_group_by_arn[listener.default_actions[0].target_group_arns[0]]
    assert {t.id for t in tg.targets} == {"i-0f4af951d61a19245", "i-055b0db7be365202c"}
