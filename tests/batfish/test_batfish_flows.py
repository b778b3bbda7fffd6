"""Batfish's own flow assertions on the shipped AWS snapshots, replayed through edgeward.

The oracle data (expected_flows.yaml) restates Batfish's AwsConfiguration*Test.java assertions;
see README.md here. Where AWS would decide differently from Batfish, `aws_expected` wins and the
entry says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.reach import Reachability
from edgeward.cli.network import parse_traffic
from edgeward.sources import load_snapshot
from tests.conftest import CORPUS

HERE = Path(__file__).parent
FLOWS: list[dict[str, Any]] = yaml.safe_load((HERE / "expected_flows.yaml").read_text())

# Flows that start inside Batfish's own model (a VPC router, a VPN gateway) have no AWS endpoint to ask from.
UNASKABLE_SOURCES = {"vpc-router", "vpn-gateway"}

_engines: dict[str, Reachability] = {}


def engine(snapshot: str) -> Reachability:
    if snapshot not in _engines:
        _engines[snapshot] = Reachability(load_snapshot(CORPUS / snapshot))
    return _engines[snapshot]


def traffic_of(entry: dict[str, Any]) -> Traffic:
    protocol = str(entry["protocol"])
    if protocol in ("tcp", "udp"):
        return parse_traffic(protocol, int(entry.get("port") or entry.get("final_port") or 80), None, None)
    if protocol == "icmp":
        return parse_traffic("icmp", None, entry.get("icmp_type"), entry.get("icmp_code"))
    return parse_traffic(protocol, None, None, None)


def endpoints(entry: dict[str, Any]) -> tuple[str, str]:
    source = entry["from"]
    if source == "internet":
        source = entry.get("from_ip") or "internet"
    elif entry.get("from_kind") == "subnet-unassigned-ip":
        source = entry["from_ip"]
    destination = entry.get("to_ip") or entry["to"]
    return str(source), str(destination)


def case_id(entry: dict[str, Any]) -> str:
    return str(entry["id"])


@pytest.mark.parametrize("entry", FLOWS, ids=case_id)
def test_batfish_flow(entry: dict[str, Any]) -> None:
    if entry.get("in_scope") is False:
        pytest.skip("the flow never touches the estate")
    if entry.get("from_kind") in UNASKABLE_SOURCES:
        pytest.skip(f"starts inside Batfish's model ({entry['from_kind']}), not at an AWS endpoint")
    if entry.get("assertion") == "exists":
        pytest.skip("an existential Batfish question (some packet of any protocol), not one flow to replay")
    if entry.get("direction") == "return":
        forward = next(f for f in FLOWS if f["id"] == entry["id"].removesuffix("-return"))
        entry = {**forward, "expected": entry["expected"]}
    if not (CORPUS / entry["snapshot"]).is_dir():
        pytest.skip(f"corpus snapshot {entry['snapshot']} not present")
    source, destination = endpoints(entry)
    result = engine(entry["snapshot"]).reach(source, destination, traffic_of(entry))
    expected = entry.get("aws_expected") or entry["expected"]
    assert result.verdict == Verdict(expected), (
        f"{entry['id']}: expected {expected} ({entry.get('why')}), got {result.verdict}: {result.summary}"
    )
    if result.verdict is Verdict.DENIED and entry.get("denied_at"):
        blocking = result.blocking_hop
        assert blocking is not None
        # Batfish reports an address nothing owns as a routing failure; edgeward names the address itself.
        wanted = {
            "security-group": {"security-group"},
            "nacl": {"network-acl"},
            "route": {"route-table", "address", "vpn-gateway"},
            "load-balancer": {"load-balancer"},
        }.get(entry["denied_at"])
        if wanted is not None:
            assert blocking.component in wanted, f"{entry['id']}: stopped at {blocking.component}, Batfish at {wanted}"
