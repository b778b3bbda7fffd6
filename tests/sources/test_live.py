"""The live collector against moto (never real AWS), on one estate built once for the module.

What it asks, what it builds, what it saves, and what happens when a call is denied. Tests that
need an account of their own (pagination, roles, regions, credentials) are in
test_live_accounts.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic
from edgeward.analysis.reach import Reachability
from edgeward.errors import InputError, UsageError
from edgeward.model.collection import CollectionFailure
from edgeward.model.network import PeerKind, RouteTarget
from edgeward.sources import live, load_snapshot
from edgeward.sources.live import NETWORK_CALLS, LiveOptions, LiveScan, collect, fetch
from tests.sources.live_support import (
    ACCOUNT,
    OFFICE,
    ORIGIN_HEADER,
    Edge,
    Estate,
    Recorder,
    all_json_files,
    build_edge_estate,
    build_estate,
    denying,
    edge_answers,
    fake_aws_env,
    filling_moto_gaps,
    without_files,
)

US = ("us-east-1",)
SG_CALL = next(c for c in NETWORK_CALLS if c.key == "SecurityGroups")


@dataclass(frozen=True)
class World:
    estate: Estate
    edge: Edge
    scan: LiveScan  # us-east-1, saved
    saved: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        fake_aws_env(monkeypatch, folder)
        estate = build_estate()
        edge = build_edge_estate(estate)
        monkeypatch.setattr(live, "make_client", filling_moto_gaps(live.make_client, edge_answers(edge)))
        saved = folder / "scan"
        yield World(estate, edge, scan(save=saved), saved)


def scan(**kwargs: Any) -> LiveScan:
    factory = kwargs.pop("client_factory", None)
    kwargs.setdefault("regions", US)
    kwargs.setdefault("quiet", True)
    return collect(LiveOptions(**kwargs), client_factory=factory)


# --- ec2: every network call lands in the model ------------------------------------------------


def test_network_calls_build_the_estate(world: World) -> None:
    estate, result = world.estate, world.scan
    snap = result.snapshot
    assert result.report.complete and result.report.accounts == (ACCOUNT,)
    assert {estate.vpc, estate.public_subnet, estate.private_subnet} <= set(snap.vpcs) | set(snap.subnets)
    assert snap.vpcs[estate.vpc].account == ACCOUNT and snap.vpcs[estate.vpc].region == "us-east-1"
    web_rules = snap.security_groups[estate.web_group].ingress
    assert {(r.peer_kind, r.from_port) for r in web_rules} == {(PeerKind.CIDR, 443), (PeerKind.PREFIX_LIST, 22)}
    # the customer-managed list's entries came from GetManagedPrefixListEntries (an envelope)
    assert snap.prefix_lists[estate.office_list].cidrs == (OFFICE,)
    assert snap.security_groups[estate.db_group].ingress[0].group is not None
    web_eni = snap.interfaces[snap.primary_interface_of_instance[estate.web]]
    assert estate.web_public_ip in web_eni.public_ipv4s
    table = snap.route_tables[snap.route_table_of_subnet[estate.public_subnet]]
    assert any(r.target is RouteTarget.INTERNET_GATEWAY for r in table.routes)
    assert snap.acl_of_subnet[estate.private_subnet] == estate.nacl
    assert estate.nat in snap.nat_gateways and estate.peering in snap.peering_connections
    assert estate.vpn_gateway in snap.vpn_gateways
    assert any(g.egress_only for g in snap.internet_gateways.values())


def test_verdicts_on_the_collected_estate(world: World) -> None:
    estate, snap = world.estate, world.scan.snapshot
    engine = Reachability(snap)
    assert engine.reach("internet", estate.web, Traffic(6, port=443)).verdict == "allowed"
    assert engine.reach("198.51.100.7", estate.web, Traffic(6, port=22)).verdict == "denied"
    assert engine.reach("203.0.113.9", estate.web, Traffic(6, port=22)).verdict == "allowed"
    assert engine.reach("internet", estate.db, Traffic(6, port=5432)).verdict == "denied"
    assert engine.reach(estate.web, estate.db, Traffic(6, port=5432)).verdict == "allowed"
    exposed = {(i.interface.id, s.port_text()) for i in Exposure(snap).all() for s in i.services}
    web_eni = snap.primary_interface_of_instance[estate.web]
    assert {eni for eni, _ in exposed} == {web_eni}
    assert {ports for _, ports in exposed} == {"port 443", "port 22"}


# --- the edge: load balancers, web ACLs, CloudFront, S3, Lambda URLs, DNS --------------------------


def test_edge_calls_build_the_edge_estate(world: World) -> None:
    edge, snap = world.edge, world.scan.snapshot
    estate = snap.edge
    assert [lb.arn for lb in estate.load_balancers] == [edge.load_balancer]
    (listener,) = estate.listeners
    assert listener.arn == edge.listener and listener.rules is not None
    assert any(ORIGIN_HEADER.lower() in repr(rule).lower() for rule in listener.rules)
    (group,) = estate.target_groups
    assert [t.id for t in group.targets] == [world.estate.web]
    assert [(a.web_acl_arn, a.resource_arn) for a in estate.web_acl_associations] == [
        (edge.web_acl, edge.load_balancer)
    ]
    assert [s.arn for s in estate.ip_sets] == [edge.ip_set]
    (distribution,) = estate.distributions
    assert distribution.id == edge.distribution
    assert ORIGIN_HEADER in repr(distribution.origins[0]) and "not-a-real-secret" not in repr(distribution)
    buckets = {b.name: b for b in estate.buckets}
    assert buckets[edge.bucket].policy is not None and buckets[edge.bucket].website
    assert buckets[edge.bucket].public_access_block is not None
    bare = buckets[edge.bare_bucket]
    assert (bare.policy, bare.policy_known, bare.public_access_block, bare.website) == (None, True, None, False)
    (url,) = estate.function_urls
    assert url.url == edge.function_url["FunctionUrl"] and url.policy is not None and "InvokeFunctionUrl" in url.policy
    assert [r.name for r in estate.dns_records] == ["origin.example.com."]


# --- iam: once per account -----------------------------------------------------------------------


def test_iam_is_collected_once_per_account_whatever_the_regions(world: World) -> None:
    recorder = Recorder()
    result = scan(regions=("us-east-1", "eu-west-1"), client_factory=recorder)
    assert recorder.operations().count("GetAccountAuthorizationDetails") == 1
    assert recorder.operations().count("DescribeVpcs") == 2
    assert "app" in {r.name for r in result.snapshot.iam.roles}


def test_fetch_merges_pages_of_a_call_moto_does_not_paginate() -> None:
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    group = {"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []}
    with Stubber(client) as stub:
        stub.add_response("describe_security_groups", {"SecurityGroups": [group], "NextToken": "t"}, {"MaxResults": 5})
        stub.add_response(
            "describe_security_groups",
            {"SecurityGroups": [{**group, "GroupId": "sg-2"}]},
            {"MaxResults": 5, "NextToken": "t"},
        )
        document = fetch(client, SG_CALL, page_size=5)
        stub.assert_no_pending_responses()
    assert [g["GroupId"] for g in document["SecurityGroups"]] == ["sg-1", "sg-2"]
    assert set(document) == {"SecurityGroups"}


# --- a denied call ---------------------------------------------------------------------------------


def test_a_denied_call_is_reported_and_the_rest_is_collected(world: World) -> None:
    result = scan(client_factory=denying("DescribeVpnConnections", "UnauthorizedOperation"))
    assert result.report.failures == (
        CollectionFailure(
            ACCOUNT,
            "us-east-1",
            "ec2:DescribeVpnConnections",
            "UnauthorizedOperation",
            "You are not authorized to perform this operation. (DescribeVpnConnections)",
        ),
    )
    assert result.snapshot.collection is result.report
    assert world.estate.web_group in result.snapshot.security_groups
    assert any("not collected" in n and "ec2:DescribeVpnConnections" in n for n in result.snapshot.notes)


def test_denied_security_groups_leave_out_the_interfaces_that_need_them(world: World) -> None:
    result = scan(client_factory=denying("DescribeSecurityGroups"))
    snap = result.snapshot
    assert [f.call for f in result.report.failures] == ["ec2:DescribeSecurityGroups"]
    assert not snap.security_groups and not snap.interfaces
    assert world.estate.vpc in snap.vpcs and world.estate.public_subnet in snap.subnets
    assert any(n.startswith("interface ") and world.estate.web_group in n for n in snap.notes)
    assert not list(Exposure(snap).all())


def test_a_denied_iam_call_leaves_the_network_whole(world: World) -> None:
    result = scan(client_factory=denying("GetAccountAuthorizationDetails", service="iam"))
    assert [(f.region, f.call) for f in result.report.failures] == [("global", "iam:GetAccountAuthorizationDetails")]
    assert result.snapshot.iam is None
    whole = replace(world.scan.snapshot.network, notes=())
    assert without_files(replace(result.snapshot.network, notes=())) == without_files(whole)
    assert result.snapshot.notes == ("not collected: " + result.report.failures[0].describe(),)


# --- save and reload ------------------------------------------------------------------------------


def test_saved_scan_loads_back_to_the_same_snapshot(world: World) -> None:
    reloaded = load_snapshot(world.saved)
    assert reloaded.network == world.scan.snapshot.network  # the live scan already points at the saved files
    assert without_files(reloaded.iam) == without_files(world.scan.snapshot.iam)
    assert reloaded.edge == world.scan.snapshot.edge

    unsaved = scan().snapshot
    assert without_files(unsaved.network) == without_files(reloaded.network)
    assert without_files(unsaved.iam) == without_files(reloaded.iam)
    assert without_files(unsaved.edge) == without_files(reloaded.edge)
    assert unsaved.network.vpcs[0].source.file.startswith("aws:accounts/")


def test_two_regions_save_and_reload_alike(world: World, tmp_path: Path) -> None:
    saved = scan(regions=("us-east-1", "eu-west-1"), save=tmp_path / "two")
    assert {v.region for v in saved.snapshot.vpcs.values()} == {"us-east-1", "eu-west-1"}
    assert load_snapshot(tmp_path / "two").network == saved.snapshot.network


def test_saved_directory_layout_and_envelopes(world: World) -> None:
    files = list(all_json_files(world.saved))
    region = f"accounts/{ACCOUNT}/us-east-1"
    assert f"accounts/{ACCOUNT}/AccountAuthorizationDetails.json" in files
    assert {f"{region}/{c.key}.json" for c in NETWORK_CALLS} <= set(files)
    envelope = json.loads((world.saved / region / f"Entries.{world.estate.office_list}.json").read_text())
    assert envelope == {
        "RequestParameters": {"PrefixListId": world.estate.office_list},
        "Entries": [{"Cidr": OFFICE, "Description": "hq"}],
    }
    reservations = json.loads((world.saved / region / "Reservations.json").read_text())
    assert isinstance(reservations["Reservations"][0]["Instances"][0]["LaunchTime"], str)


def test_loading_a_saved_directory_makes_no_aws_call(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("an AWS call while loading files")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    monkeypatch.setattr(botocore.session.Session, "create_client", refuse)
    snapshot = load_snapshot(world.saved)
    assert snapshot.collection is None and world.estate.web in snapshot.instances


def test_saving_into_a_non_empty_directory_is_refused(world: World) -> None:
    with pytest.raises(UsageError, match="not empty"):
        scan(save=world.saved)


def test_aws_source_spelling_and_format_are_checked() -> None:
    with pytest.raises(UsageError, match="aws:"):
        load_snapshot("aws:prod")
    with pytest.raises(InputError, match="--format"):
        load_snapshot("aws:", "aws-json")
