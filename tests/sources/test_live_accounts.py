"""The live collector against moto, each test in an empty mocked AWS of its own.

Pagination, profiles, regions (`all`), roles in other accounts, worker threads, credentials, and
moto's own IAM enforcement of the shipped policy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from edgeward.errors import UsageError
from edgeward.sources import live
from edgeward.sources.live import (
    AccountAccess,
    LiveOptions,
    LiveScan,
    collect,
    enabled_regions,
    readonly_policy,
)
from tests.sources.live_support import (
    ACCOUNT,
    FakeHttp,
    Recorder,
    answering,
    build_estate,
    denying,
    fake_aws_env,
    filling_moto_gaps,
)

US = ("us-east-1",)
ENFORCED = ("ec2", "iam", "sts")


@pytest.fixture(autouse=True)
def moto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    fake_aws_env(monkeypatch, tmp_path)
    monkeypatch.setattr(live, "make_client", filling_moto_gaps(live.make_client))
    with mock_aws():
        yield


def scan(**kwargs: Any) -> LiveScan:
    factory = kwargs.pop("client_factory", None)
    kwargs.setdefault("regions", US)
    kwargs.setdefault("quiet", True)
    return collect(LiveOptions(**kwargs), client_factory=factory)


def test_pages_are_followed_and_merged() -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    for _ in range(12):  # one reservation each: DescribeInstances pages by reservation
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    recorder = Recorder()
    result = scan(page_size=5, client_factory=recorder)
    assert recorder.operations().count("DescribeInstances") == 3  # 5 + 5 + 2
    assert len(result.snapshot.instances) == 12
    saved = [r for r in result.responses if r.call.operation == "DescribeInstances"]
    assert len(saved) == 1 and "NextToken" not in saved[0].document


def test_moto_iam_enforcement_the_shipped_policy_suffices_and_one_missing_action_is_denied() -> None:
    """moto evaluates the caller's policies here: the scanning identity holds only the shipped policy.

    moto enforces IAM for its query-protocol services (EC2, IAM, STS) only; the other services
    answer empty here, and their actions are covered by the IAM-engine tests of the policy.
    """

    def nothing(**_: Any) -> tuple[Any, dict[str, Any]]:
        return FakeHttp(), {}

    estate = build_estate()
    iam = boto3.client("iam", region_name="us-east-1")
    statement = readonly_policy()["Statement"][0]
    keys = {}
    for user, actions in (
        ("full", statement["Action"]),
        ("partial", [a for a in statement["Action"] if a != "ec2:DescribeNatGateways"]),
    ):
        iam.create_user(UserName=user)
        document = {"Version": "2012-10-17", "Statement": [{**statement, "Action": actions}]}
        iam.put_user_policy(UserName=user, PolicyName="edgeward", PolicyDocument=json.dumps(document))
        keys[user] = iam.create_access_key(UserName=user)["AccessKey"]

    def as_user(user: str) -> Any:
        key = keys[user]

        def factory(_: AccountAccess, service: str, region: str) -> Any:
            access = AccountAccess(ACCOUNT, credentials=(key["AccessKeyId"], key["SecretAccessKey"], ""))
            client = live.make_client(access, service, region)
            if service not in ENFORCED:  # answered empty: moto cannot authorize these
                client.meta.events.register(f"before-call.{client.meta.service_model.service_id.hyphenize()}", nothing)
            return client

        return factory

    @set_initial_no_auth_action_count(0)
    def enforced(user: str) -> LiveScan:
        return scan(client_factory=as_user(user))

    full = enforced("full")
    assert full.report.complete, full.report.failures
    assert estate.nat in full.snapshot.nat_gateways and "app" in {r.name for r in full.snapshot.iam.roles}
    partial = enforced("partial")
    assert [(f.call, f.code) for f in partial.report.failures] == [("ec2:DescribeNatGateways", "AccessDenied")]
    assert estate.vpc in partial.snapshot.vpcs and estate.nat not in partial.snapshot.nat_gateways


# --- profiles and regions ---------------------------------------------------------------------------


def test_a_profile_gives_the_credentials_and_the_default_region(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile prod]\nregion = eu-west-1\n")
    credentials.write_text("[prod]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    result = scan(profile="prod", regions=())
    assert result.report.regions == ((ACCOUNT, "eu-west-1"),)
    assert result.report.complete


def test_no_region_anywhere_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(UsageError) as error:
        scan(regions=())
    assert error.value.place == "--region"


def test_region_all_scans_the_enabled_regions() -> None:
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


def test_a_denied_describe_regions_is_a_failure_of_the_account() -> None:
    result = scan(regions=("all",), client_factory=denying("DescribeRegions"))
    assert [(f.region, f.call) for f in result.report.failures] == [("global", "ec2:DescribeRegions")]
    assert result.report.regions == ()


# --- accounts ---------------------------------------------------------------------------------------


def test_role_arns_scan_the_roles_accounts_not_the_callers() -> None:
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

    both = scan(role_arns=(arn, f"arn:aws:iam::{other}:role/Second"), include_caller_account=True)
    assert both.report.accounts == (ACCOUNT, other)  # one way into each account
    assert {v.account for v in both.snapshot.vpcs.values()} == {ACCOUNT, other}


def test_a_role_that_cannot_be_assumed_is_a_failure_not_a_crash() -> None:
    arn = "arn:aws:iam::222222222222:role/Nope"
    result = scan(role_arns=(arn,), include_caller_account=True, client_factory=denying("AssumeRole", service="sts"))
    assert [(f.account, f.region, f.call, f.code) for f in result.report.failures] == [
        ("222222222222", "global", "sts:AssumeRole", "AccessDenied")
    ]
    assert result.report.accounts == (ACCOUNT,)


def test_workers_run_in_their_own_threads_with_their_own_clients() -> None:
    made: list[tuple[str, str, str, int]] = []

    def factory(access: AccountAccess, service: str, region: str) -> Any:
        client = live.make_client(access, service, region)
        made.append((threading.current_thread().name, service, region, id(client)))
        return client

    regions = ("us-east-1", "eu-west-1", "eu-central-1")
    scan(regions=regions, client_factory=factory, max_workers=3)
    setup = [service for name, service, _, _ in made if name == "MainThread"]
    assert setup == ["sts"]  # GetCallerIdentity, before the workers start
    assert {name.rsplit("_", 1)[0] for name, _, _, _ in made if name != "MainThread"} == {"edgeward-live"}
    assert len({ident for _, _, _, ident in made}) == len(made)  # no client is shared
    assert sorted(region for _, service, region, _ in made if service == "ec2") == sorted(regions)
    assert len({name for name, _, _, _ in made if name != "MainThread"}) == 3  # the pool's three threads all worked


# --- usage errors ------------------------------------------------------------------------------------


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
    recorder = Recorder()
    with pytest.raises(UsageError) as error:
        scan(client_factory=recorder, **options)
    assert error.value.place == place
    assert recorder.calls == []


def test_no_credentials_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    with pytest.raises(UsageError, match="no AWS credentials"):
        scan()
