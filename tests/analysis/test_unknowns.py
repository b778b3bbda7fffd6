"""Values an IaC input leaves unknown make the answers that depend on them `unknown`, never a guess."""

from __future__ import annotations

from dataclasses import replace

from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.reach import Reachability
from edgeward.model import (
    InternetGateway,
    NetworkEstate,
    NetworkInterface,
    PeerKind,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
    Snapshot,
    SourceRef,
    Subnet,
    UnknownKind,
    UnknownValue,
    Vpc,
)

WEB = NetworkInterface(
    id="eni-web",
    vpc_id="vpc-1",
    subnet_id="subnet-pub",
    account="1",
    region="r",
    private_ipv4s=("10.0.1.10",),
    public_ipv4s=("198.51.100.10",),
    group_ids=("sg-web",),
)
DB = NetworkInterface(
    id="eni-db",
    vpc_id="vpc-1",
    subnet_id="subnet-pub",
    account="1",
    region="r",
    private_ipv4s=("10.0.1.20",),
    group_ids=("sg-db",),
)


def estate(*unknowns: UnknownValue) -> Snapshot:
    https = SecurityGroupRule("sg-web", False, 6, 443, 443, PeerKind.CIDR, cidr="0.0.0.0/0")
    return Snapshot.build(
        NetworkEstate(
            vpcs=(Vpc("vpc-1", "1", "r", ("10.0.0.0/16",)),),
            subnets=(Subnet("subnet-pub", "vpc-1", "1", "r", "10.0.1.0/24"),),
            route_tables=(
                RouteTable(
                    "rtb-1",
                    "vpc-1",
                    "1",
                    "r",
                    (
                        Route("10.0.0.0/16", RouteTarget.LOCAL, "local"),
                        Route("0.0.0.0/0", RouteTarget.INTERNET_GATEWAY, "igw-1"),
                    ),
                    is_main=True,
                ),
            ),
            internet_gateways=(InternetGateway("igw-1", ("vpc-1",), "1", "r"),),
            network_interfaces=(WEB, DB),
            security_groups=(
                SecurityGroup("sg-web", "web", "vpc-1", "1", "r", (https,), ()),
                SecurityGroup("sg-db", "db", "vpc-1", "1", "r", (), ()),
            ),
            unknowns=unknowns,
        )
    )


CIDR_UNKNOWN = UnknownValue(
    "sg-web",
    "ingress[1].cidr_blocks",
    UnknownKind.RULES,
    SourceRef(file="plan.json", place="aws_security_group.web", address="aws_security_group.web"),
)


def test_known_estate_answers_as_before() -> None:
    result = Reachability(estate()).reach("internet", "eni-web", Traffic(6, port=443))
    assert result.verdict is Verdict.ALLOWED
    assert "unknown_values" not in result.to_json()
    assert [e.interface.id for e in Exposure(estate()).all()] == ["eni-web"]


def test_an_unknown_rule_makes_the_verdict_unknown_and_names_the_address() -> None:
    snapshot = estate(CIDR_UNKNOWN)
    result = Reachability(snapshot).reach("internet", "eni-web", Traffic(6, port=22))
    assert result.verdict is Verdict.UNKNOWN
    data = result.to_json()
    assert data["verdict"] == "unknown"
    assert data["unknown_values"][0]["address"] == "aws_security_group.web"
    assert data["unknown_values"][0]["attribute"] == "ingress[1].cidr_blocks"
    assert "with only the known values it would be denied" in data["summary"]
    # the trace computed from the known values is still there, for the reader
    assert any(h["component"] == "security-group" for h in data["trace"])


def test_unknowns_elsewhere_leave_other_answers_known() -> None:
    snapshot = estate(CIDR_UNKNOWN)
    # sg-db has no rule naming sg-web and eni-db does not carry sg-web: its answers stay known
    assert Reachability(snapshot).reach("internet", "eni-db", Traffic(6, port=22)).verdict is Verdict.DENIED


def test_exposure_sets_aside_interfaces_it_cannot_decide() -> None:
    snapshot = estate(CIDR_UNKNOWN)
    exposure = Exposure(snapshot)
    assert exposure.all() == []
    unknown = exposure.unknown()
    assert [u.interface.id for u in unknown] == ["eni-web"]
    assert unknown[0].to_json()["unknown_values"][0]["resource"] == "sg-web"


def test_an_unknown_address_in_the_vpc_makes_an_unowned_address_unknown() -> None:
    private_ip = UnknownValue("eni-db", "private_ip", UnknownKind.ADDRESS)
    snapshot = estate(private_ip)
    db_without_address = replace(snapshot.interfaces["eni-db"], private_ipv4s=())
    assert db_without_address.private_ipv4s == ()
    # 10.0.1.99 belongs to no known interface, but eni-db's address is not known: it may be eni-db's
    result = Reachability(snapshot).reach("eni-web", "10.0.1.99", Traffic(6, port=5432))
    assert result.verdict is Verdict.UNKNOWN
