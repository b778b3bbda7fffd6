"""Every Batfish snapshot in shared/corpus loads, in each of its layouts, with the resources it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeward.sources import load_snapshot

# (VPCs, subnets, interfaces, security groups, network ACLs, route tables, instances), counted from the JSON
EXPECTED = {
    "hybrid-cloud-aws": (4, 10, 9, 11, 4, 5, 4),  # aws_configs/<region>/ layout
    "test-load-balancer": (1, 3, 5, 3, 1, 2, 3),
    "test-nat-gateway": (1, 3, 4, 3, 2, 3, 3),
    "test-public-private-subnet": (1, 2, 2, 3, 1, 2, 2),
    "test-public-subnet": (1, 1, 1, 2, 1, 2, 1),
    "test-subnet": (1, 1, 2, 3, 1, 1, 2),
    "test-vpc-peering-multi-account": (2, 2, 2, 4, 0, 4, 3),  # accounts/<id>/<region>/ layout
    "test-vpc-peering": (3, 3, 3, 6, 3, 3, 3),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_snapshot_loads(corpus: Path, name: str) -> None:
    s = load_snapshot(corpus / name)
    counts = (
        len(s.vpcs),
        len(s.subnets),
        len(s.interfaces),
        len(s.security_groups),
        len(s.network_acls),
        len(s.route_tables),
        len(s.instances),
    )
    assert counts == EXPECTED[name]


def test_every_corpus_folder_is_covered(corpus: Path) -> None:
    folders = {p.name for p in corpus.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED)


def test_multi_account_layout_keeps_each_resources_owner(corpus: Path) -> None:
    """Resources say who owns them (OwnerId); that wins over the folder name, which here differs."""
    s = load_snapshot(corpus / "test-vpc-peering-multi-account")
    assert {vpc.account for vpc in s.vpcs.values()} == {"028403472736", "951601349076"}
    assert {v.region for v in s.vpcs.values()} == {"us-east-1"}


def _write(path: Path, payload: dict[str, object]) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload))


def test_a_shared_vpc_seen_from_two_accounts_loads_once(tmp_path: Path) -> None:
    """A VPC shared through RAM: owner and participant both describe its VPC and subnets."""
    vpc = {"VpcId": "vpc-shared", "CidrBlock": "10.0.0.0/16", "OwnerId": "111111111111"}
    subnet = {"SubnetId": "subnet-shared", "VpcId": "vpc-shared", "CidrBlock": "10.0.1.0/24", "OwnerId": "111111111111"}
    for account in ("111111111111", "222222222222"):
        base = tmp_path / "accounts" / account / "us-east-1"
        _write(base / "Vpcs.json", {"Vpcs": [vpc]})
        _write(base / "Subnets.json", {"Subnets": [subnet]})
    snapshot = load_snapshot(tmp_path)
    assert list(snapshot.vpcs) == ["vpc-shared"]
    assert list(snapshot.subnets) == ["subnet-shared"]


def test_two_different_resources_with_one_id_are_an_error(tmp_path: Path) -> None:
    from edgeward.errors import ModelError

    _write(tmp_path / "a" / "Vpcs.json", {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]})
    _write(tmp_path / "b" / "Vpcs.json", {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.9.0.0/16"}]})
    with pytest.raises(ModelError, match="duplicate VPC id vpc-1"):
        load_snapshot(tmp_path)
