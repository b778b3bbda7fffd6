"""The live collector against moto (never real AWS): what it asks, what it builds, what it saves."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic
from edgeward.analysis.reach import Reachability
from edgeward.errors import InputError, UsageError
from edgeward.model.collection import CollectionFailure
from edgeward.model.network import PeerKind, RouteTarget
from edgeward.sources import load_snapshot
from edgeward.sources.live import (
    NETWORK_CALLS,
    AccountAccess,
    LiveOptions,
    collect,
    enabled_regions,
    fetch,
    make_client,
    readonly_policy,
)
from tests.sources.live_support import (
    ACCOUNT,
    FAKE_ENV,
    OFFICE,
    Estate,
    Recorder,
    all_json_files,
    answering,
    build_estate,
    denying,
    without_files,
)

US = ("us-east-1",)
SG_CALL = next(c for c in NETWORK_CALLS if c.key == "SecurityGroups")


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials, no profile files, no endpoint override: nothing can reach real AWS."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def estate(moto: None) -> Estate:
    return build_estate()


def scan(**kwargs: Any) -> Any:
    factory = kwargs.pop("client_factory", None)
    kwargs.setdefault("regions", US)
    kwargs.setdefault("quiet", True)
    return collect(LiveOptions(**kwargs), client_factory=factory)


# --- ec2: every network call lands in the model ------------------------------------------------


def test_network_calls_build_the_estate(estate: Estate) -> None:
    result = scan()
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


def test_verdicts_on_the_collected_estate(estate: Estate) -> None:
    snap = scan().snapshot
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


# --- iam: once per account -----------------------------------------------------------------------


def test_iam_is_collected_once_per_account_whatever_the_regions(estate: Estate) -> None:
    recorder = Recorder()
    result = scan(regions=("us-east-1", "eu-west-1"), client_factory=recorder)
    assert recorder.operations().count("GetAccountAuthorizationDetails") == 1
    assert recorder.operations().count("DescribeVpcs") == 2
    roles = [r.name for r in result.snapshot.iam.roles]
    assert "app" in roles


# --- pagination ---------------------------------------------------------------------------------


def test_pages_are_followed_and_merged(moto: None) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    for _ in range(12):  # one reservation each: DescribeInstances pages by reservation
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    recorder = Recorder()
    result = scan(page_size=5, client_factory=recorder)
    assert recorder.operations().count("DescribeInstances") == 3  # 5 + 5 + 2
    assert len(result.snapshot.instances) == 12
    saved = [r for r in result.responses if r.call.operation == "DescribeInstances"]
    assert len(saved) == 1 and "NextToken" not in saved[0].document


def test_fetch_merges_pages_of_a_call_moto_does_not_paginate() -> None:
    client = boto3.client("ec2", region_name="us-east-1")
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


def test_a_denied_call_is_reported_and_the_rest_is_collected(estate: Estate) -> None:
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
    assert estate.web_group in result.snapshot.security_groups
    assert any("not collected" in n and "ec2:DescribeVpnConnections" in n for n in result.snapshot.notes)


def test_denied_security_groups_leave_out_the_interfaces_that_need_them(estate: Estate) -> None:
    result = scan(client_factory=denying("DescribeSecurityGroups"))
    snap = result.snapshot
    assert [f.call for f in result.report.failures] == ["ec2:DescribeSecurityGroups"]
    assert not snap.security_groups and not snap.interfaces
    assert estate.vpc in snap.vpcs and estate.public_subnet in snap.subnets
    assert any(n.startswith("interface ") and estate.web_group in n for n in snap.notes)
    assert not list(Exposure(snap).all())


def test_moto_iam_enforcement_the_shipped_policy_suffices_and_one_missing_action_is_denied(estate: Estate) -> None:
    """moto evaluates the callers' policies here: the scan's identity holds only the shipped policy."""
    iam = boto3.client("iam", region_name="us-east-1")
    policy = readonly_policy()
    keys = {}
    for user, actions in (
        ("full", policy["Statement"][0]["Action"]),
        ("partial", [a for a in policy["Statement"][0]["Action"] if a != "ec2:DescribeNatGateways"]),
    ):
        iam.create_user(UserName=user)
        document = {"Version": "2012-10-17", "Statement": [{**policy["Statement"][0], "Action": actions}]}
        iam.put_user_policy(UserName=user, PolicyName="edgeward", PolicyDocument=json.dumps(document))
        keys[user] = iam.create_access_key(UserName=user)["AccessKey"]

    def as_user(user: str) -> Any:
        key = keys[user]
        access = (key["AccessKeyId"], key["SecretAccessKey"], "")

        def factory(_: AccountAccess, service: str, region: str) -> Any:
            return boto3.session.Session(aws_access_key_id=access[0], aws_secret_access_key=access[1]).client(
                service, region_name=region
            )

        return factory

    @set_initial_no_auth_action_count(0)
    def enforced(user: str) -> Any:
        return scan(client_factory=as_user(user))

    full = enforced("full")
    assert full.report.complete, full.report.failures
    assert estate.nat in full.snapshot.nat_gateways and "app" in {r.name for r in full.snapshot.iam.roles}
    partial = enforced("partial")
    assert [(f.call, f.code) for f in partial.report.failures] == [("ec2:DescribeNatGateways", "AccessDenied")]
    assert estate.vpc in partial.snapshot.vpcs and estate.nat not in partial.snapshot.nat_gateways


# --- accounts and regions --------------------------------------------------------------------------


def test_region_all_scans_the_enabled_regions(moto: None) -> None:
    regions = {
        "Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "af-south-1", "OptInStatus": "opted-in"},
            {"RegionName": "ap-east-1", "OptInStatus": "not-opted-in"},
        ]
    }
    result = scan(regions=("all",), client_factory=answering("DescribeRegions", regions))
    assert result.report.regions == ((ACCOUNT, "af-south-1"), (ACCOUNT, "us-east-1"))


def test_enabled_regions_reads_the_opt_in_status() -> None:
    client = boto3.client("ec2", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_regions",
            {
                "Regions": [
                    {"RegionName": "eu-south-1", "OptInStatus": "not-opted-in"},
                    {"RegionName": "eu-west-1", "OptInStatus": "opt-in-not-required"},
                    {"RegionName": "me-south-1", "OptInStatus": "opted-in"},
                ]
            },
            {"AllRegions": True},
        )
        assert enabled_regions(client) == ["eu-west-1", "me-south-1"]


def test_no_region_means_the_profile_region(moto: None) -> None:
    result = scan(regions=())
    assert result.report.regions == ((ACCOUNT, "us-east-1"),)


def test_role_arns_scan_the_roles_accounts_not_the_callers(moto: None) -> None:
    other = "111111111111"
    arn = f"arn:aws:iam::{other}:role/EdgewardReadOnly"
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(RoleArn=arn, RoleSessionName="setup")[
        "Credentials"
    ]
    there = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    ).client("ec2", region_name="us-east-1")
    vpc = there.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]

    result = scan(role_arns=(arn,))
    assert result.report.accounts == (other,)
    assert result.snapshot.vpcs[vpc].account == other
    assert {v.account for v in result.snapshot.vpcs.values()} == {other}

    both = scan(role_arns=(arn,), include_caller_account=True)
    assert both.report.accounts == (ACCOUNT, other)
    assert {v.account for v in both.snapshot.vpcs.values()} == {ACCOUNT, other}


def test_a_role_that_cannot_be_assumed_is_a_failure_not_a_crash(moto: None) -> None:
    arn = "arn:aws:iam::222222222222:role/Nope"
    result = scan(role_arns=(arn,), include_caller_account=True, client_factory=denying("AssumeRole", service="sts"))
    assert [(f.account, f.region, f.call, f.code) for f in result.report.failures] == [
        ("222222222222", "global", "sts:AssumeRole", "AccessDenied")
    ]
    assert result.report.accounts == (ACCOUNT,)


def test_workers_run_in_their_own_threads_with_their_own_clients(moto: None) -> None:
    made: list[tuple[str, int]] = []

    def factory(access: AccountAccess, service: str, region: str) -> Any:
        client = make_client(access, service, region)
        made.append((threading.current_thread().name, id(client)))
        return client

    scan(regions=("us-east-1", "eu-west-1", "eu-central-1"), client_factory=factory, max_workers=3)
    workers = [(name, ident) for name, ident in made if name.startswith("edgeward-live")]
    assert len(workers) == 4  # three regions and IAM
    assert len({ident for _, ident in workers}) == 4


@pytest.mark.parametrize(
    ("options", "place"),
    [
        ({"regions": ("mars-1",)}, "--region"),
        ({"role_arns": ("arn:aws:iam::123:user/x",)}, "--role-arn"),
        ({"include_caller_account": True}, "--include-caller-account"),
        ({"profile": "nope"}, "--profile"),
    ],
)
def test_usage_errors_before_any_call(options: dict[str, Any], place: str) -> None:
    with pytest.raises(UsageError) as error:
        scan(**options)
    assert error.value.place == place


def test_saving_into_a_non_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text("{}")
    with pytest.raises(UsageError, match="not empty"):
        scan(save=tmp_path)


def test_no_credentials_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, moto: None) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(UsageError, match="no AWS credentials"):
        scan()


# --- save and reload ------------------------------------------------------------------------------


def test_saved_scan_loads_back_to_the_same_snapshot(estate: Estate, tmp_path: Path) -> None:
    saved = scan(regions=("us-east-1", "eu-west-1"), save=tmp_path / "scan")
    reloaded = load_snapshot(tmp_path / "scan")
    assert reloaded.network == saved.snapshot.network  # the live scan already points at the saved files
    assert without_files(reloaded.iam) == without_files(saved.snapshot.iam)
    assert without_files(reloaded.edge) == without_files(saved.snapshot.edge)

    unsaved = scan(regions=("us-east-1", "eu-west-1")).snapshot
    assert without_files(unsaved.network) == without_files(reloaded.network)
    assert without_files(unsaved.iam) == without_files(reloaded.iam)
    assert unsaved.network.vpcs[0].source.file.startswith("aws:accounts/")


def test_saved_directory_layout_and_envelopes(estate: Estate, tmp_path: Path) -> None:
    scan(save=tmp_path)
    files = list(all_json_files(tmp_path))
    region = f"accounts/{ACCOUNT}/us-east-1"
    assert f"accounts/{ACCOUNT}/AccountAuthorizationDetails.json" in files
    assert {f"{region}/{c.key}.json" for c in NETWORK_CALLS} <= set(files)
    envelope = json.loads((tmp_path / region / f"Entries.{estate.office_list}.json").read_text())
    assert envelope == {
        "RequestParameters": {"PrefixListId": estate.office_list},
        "Entries": [{"Cidr": OFFICE, "Description": "hq"}],
    }
    reservations = json.loads((tmp_path / region / "Reservations.json").read_text())
    assert isinstance(reservations["Reservations"][0]["Instances"][0]["LaunchTime"], str)


def test_loading_a_saved_directory_makes_no_aws_call(
    estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan(save=tmp_path)

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("an AWS call while loading files")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    monkeypatch.setattr(botocore.session.Session, "create_client", refuse)
    snapshot = load_snapshot(tmp_path)
    assert snapshot.collection is None and estate.web in snapshot.instances


def test_aws_source_spelling_and_format_are_checked() -> None:
    with pytest.raises(UsageError, match="aws:"):
        load_snapshot("aws:prod")
    with pytest.raises(InputError, match="--format"):
        load_snapshot("aws:", "aws-json")
