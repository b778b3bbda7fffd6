"""Load balancers in the network core and their listener semantics.

- A node accepts only what a listener listens to (reach gets a load-balancer hop; exposure lists
  only listener ports), even when its security group admits more.
- An NLB created without security groups is filtered by none.
- The snapshot's own load balancer interfaces (`ELB app/<name>/<id>`) are used when present;
  otherwise nodes are modelled, with a public IPv4 only when internet-facing and IPv6 only when
  dual-stack and not refused by `ipv6.deny_all_igw_traffic` (default true for internal ones).
- ALB header values: ignoring case, `*` and `?` as wildcards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.reach import Reachability
from edgeward.model.edge import ListenerRule, OriginHeader, RuleAction, RuleCondition, SecretText
from edgeward.model.snapshot import Snapshot
from edgeward.semantics.load_balancers import (
    LoadBalancerSemantics,
    alb_value_matches,
    header_check,
    ipv6_from_internet,
)
from edgeward.sources import load_snapshot

ESTATE = {
    "edgeward": 1,
    "account": "111122223333",
    "region": "us-east-1",
    "vpcs": [
        {
            "id": "vpc-1",
            "cidr": "10.0.0.0/16",
            "ipv6_cidr": "2600:1f18:4a3:6900::/56",
            "internet_gateway": "igw-1",
            "subnets": [
                {"id": "subnet-a", "cidr": "10.0.0.0/24", "ipv6_cidr": "2600:1f18:4a3:6900::/64", "route_table": "rtb"}
            ],
        }
    ],
    "route_tables": [
        {"id": "rtb", "vpc": "vpc-1", "routes": [{"destination": "0.0.0.0/0", "target": "igw-1"},
                                                  {"destination": "::/0", "target": "igw-1"}]}
    ],
    "security_groups": [
        {"id": "sg-wide", "vpc": "vpc-1",
         "ingress": [{"protocol": "tcp", "ports": "0-65535", "from": ["0.0.0.0/0", "::/0"]}]},
        {"id": "sg-client", "vpc": "vpc-1", "ingress": []},
    ],
    "interfaces": [
        {"id": "eni-alb", "subnet": "subnet-a", "private_ip": "10.0.0.5", "public_ip": "198.51.100.5",
         "groups": ["sg-wide"], "description": "ELB app/web/0123456789abcdef", "requester_managed": True},
        {"id": "eni-nlb", "subnet": "subnet-a", "private_ip": "10.0.0.6", "public_ip": "198.51.100.6",
         "type": "network_load_balancer", "groups": [], "description": "ELB net/tcp/fedcba9876543210",
         "requester_managed": True},
    ],
    "instances": [{"id": "i-client", "interfaces": [{"id": "eni-client", "subnet": "subnet-a",
                                                     "private_ip": "10.0.0.9", "groups": ["sg-client"]}]}],
    "edge": {
        "load_balancers": [
            {"name": "web",
             "arn": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/0123456789abcdef",
             "vpc": "vpc-1", "subnets": ["subnet-a"], "security_groups": ["sg-wide"],
             "listeners": [{"port": 443, "protocol": "HTTPS", "default": {"fixed_response": 403}}]},
            {"name": "tcp", "type": "network",
             "arn": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/tcp/fedcba9876543210",
             "vpc": "vpc-1", "subnets": ["subnet-a"],
             "listeners": [{"port": 80, "protocol": "TCP", "default": {"fixed_response": 403}}]},
            {"name": "modelled", "vpc": "vpc-1", "subnets": ["subnet-a"], "security_groups": ["sg-wide"],
             "ip_address_type": "dualstack",
             "listeners": [{"port": 8443, "protocol": "HTTPS", "default": {"redirect": 301}}]},
            {"name": "inside", "scheme": "internal", "vpc": "vpc-1", "subnets": ["subnet-a"],
             "security_groups": ["sg-wide"], "ip_address_type": "dualstack",
             "listeners": [{"port": 443, "protocol": "HTTPS", "default": {"redirect": 301}}]},
        ]
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = tmp_path_factory.mktemp("lb") / "estate.yaml"
    path.write_text(yaml.safe_dump(ESTATE), encoding="utf-8")
    return load_snapshot(Path(path))


def test_an_alb_node_answers_only_its_listeners_although_its_group_admits_every_port(snapshot: Snapshot) -> None:
    reach = Reachability(snapshot)
    allowed = reach.reach("internet", "eni-alb", Traffic(6, port=443))
    assert allowed.verdict is Verdict.ALLOWED
    assert any(h.component == "load-balancer" and h.decision == "allow" for h in allowed.hops)
    denied = reach.reach("internet", "eni-alb", Traffic(6, port=22))
    assert denied.verdict is Verdict.DENIED
    assert denied.blocking_hop is not None and denied.blocking_hop.component == "load-balancer"
    exposed = Exposure(snapshot).of_interface(snapshot.interfaces["eni-alb"])
    assert exposed is not None
    assert [s.port_text() for s in exposed.services] == ["port 443"]


def test_an_nlb_without_groups_is_filtered_by_none(snapshot: Snapshot) -> None:
    reach = Reachability(snapshot)
    result = reach.reach("i-client", "eni-nlb", Traffic(6, port=80))
    assert result.verdict is Verdict.ALLOWED
    group_hop = next(h for h in result.hops if h.component == "security-group" and h.resource == "eni-nlb")
    assert group_hop.decision == "pass"
    assert reach.reach("i-client", "eni-nlb", Traffic(6, port=81)).verdict is Verdict.DENIED
    assert reach.reach("internet", "eni-nlb", Traffic(6, port=80)).verdict is Verdict.ALLOWED


def test_the_snapshot_interfaces_are_used_else_nodes_are_modelled(snapshot: Snapshot) -> None:
    lbs = LoadBalancerSemantics(snapshot)
    by_name = {lb.name: lb for lb in lbs.edge.load_balancers}
    assert [n.id for n in lbs.nodes(by_name["web"])] == ["eni-alb"]
    assert not lbs.nodes_are_synthetic(by_name["web"])
    modelled = lbs.nodes(by_name["modelled"])
    assert lbs.nodes_are_synthetic(by_name["modelled"])
    assert [n.id for n in modelled] == ["elb-node:modelled:subnet-a"]
    assert modelled[0].public_ipv4s and modelled[0].ipv6s and modelled[0].group_ids == ("sg-wide",)
    exposed = Exposure(snapshot).interface_space(modelled[0])
    assert exposed.peers_for(6, 8443).v4 and exposed.peers_for(6, 8443).v6
    assert not exposed.peers_for(6, 443)


def test_an_internal_dual_stack_load_balancer_is_not_reached_from_the_internet(snapshot: Snapshot) -> None:
    lbs = LoadBalancerSemantics(snapshot)
    inside = next(lb for lb in lbs.edge.load_balancers if lb.name == "inside")
    assert not ipv6_from_internet(inside)
    node = lbs.nodes(inside)[0]
    assert not node.public_ipv4s and not node.ipv6s
    assert Exposure(snapshot).interface_space(node).is_empty()


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("Secret", "sEcReT", True),
        ("abc*", "abcdef", True),
        ("a?c", "abc", True),
        ("a?c", "abbc", False),
        ("*", "", True),
        ("a.c", "abc", False),  # only * and ? are special
        ("exact", "exact-plus", False),
    ],
)
def test_alb_header_values_ignore_case_with_star_and_question_mark(pattern: str, value: str, matches: bool) -> None:
    assert alb_value_matches(pattern, value) is matches


def _rule(*values: str, name: str = "X-Origin-Verify") -> ListenerRule:
    condition = RuleCondition("http-header", header_name=name, header_values=tuple(SecretText(v) for v in values))
    return ListenerRule("arn:rule", 1, (condition,), (RuleAction("forward", 1, ("arn:tg",)),))


@pytest.mark.parametrize(
    ("values", "sent", "status"),
    [
        (("Kq7Zp2Lm9Xw4Rt6Y",), "Kq7Zp2Lm9Xw4Rt6Y", "checked"),
        (("kq7zp2lm9xw4rt6y",), "Kq7Zp2Lm9Xw4Rt6Y", "checked"),  # the ALB ignores case
        (("Kq7Zp2Lm9Xw4Rt6Y", "Old0Value0Rotated"), "Kq7Zp2Lm9Xw4Rt6Y", "checked"),  # rotation
        (("Kq7*",), "Kq7Zp2Lm9Xw4Rt6Y", "weak"),
        (("Kq7Zp2*m9Xw4Rt6Y",), "Kq7Zp2*m9Xw4Rt6Y", "weak"),  # the secret itself holds a wildcard
        (("Other0Value",), "Kq7Zp2Lm9Xw4Rt6Y", "mismatch"),
    ],
)
def test_header_check_judges_the_distribution_value(values: tuple[str, ...], sent: str, status: str) -> None:
    headers = (OriginHeader("x-origin-verify", SecretText(sent)),)
    assert header_check(_rule(*values), headers).status == status


def test_a_rule_on_another_header_is_no_check() -> None:
    headers = (OriginHeader("X-Origin-Verify", SecretText("Kq7Zp2Lm9Xw4Rt6Y")),)
    assert header_check(_rule("Kq7Zp2Lm9Xw4Rt6Y", name="X-Other"), headers).status == "absent"
