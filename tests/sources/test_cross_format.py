"""One estate, five inputs: the same `reach` verdicts (with their traces) and the same `exposure`.

The estate (a VPC with public and private subnets, an internet gateway and a NAT gateway, a NACL
with a deny, IPv6, and a web tier whose security groups chain by group reference) is written as:

- `cross_format/aws_json/`: describe-* outputs, as AWS would describe it once created;
- `cross_format/native.yaml`: edgeward's native format;
- `terraform/estate/state.json` and `plan-over-state.json`: real `terraform show -json` output of
  the Terraform configuration beside them (child module included);
- `cloudformation/estate.yaml`: a template with parameters, mappings, conditions and intrinsics.

Each input names resources its own way (`sg-0a3b...`, `sg-lb`, `cfn:LbGroup`), so before
comparing, every id in the JSON output is replaced by a name that does not depend on the input:
the resource's kind and its Name tag (or group name), and for what has no tag in every format
(interfaces, gateways, the VPC's main route table and default NACL) a name derived from what it
belongs to. Nothing else is normalised: verdicts, summaries, every hop of every trace, addresses,
ports and the internet source sets must be equal text.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.analysis.flows import Traffic
from edgeward.analysis.reach import Reachability
from edgeward.cli import main
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

HERE = Path(__file__).parent
SOURCES = {
    "aws_json": HERE / "cross_format" / "aws_json",
    "native": HERE / "cross_format" / "native.yaml",
    "terraform-state": HERE / "terraform" / "estate" / "state.json",
    "terraform-plan": HERE / "terraform" / "estate" / "plan-over-state.json",
    "cloudformation": HERE / "cloudformation" / "estate.yaml",
}

# (from, to, protocol, port or ICMP type): endpoints by instance Name tag, "internet" or an address
FLOWS = [
    ("internet", "proxy", "tcp", 443),  # allowed, IPv4 and the NACL deny carved out of the sources
    ("internet", "proxy", "tcp", 22),  # denied by the security group
    ("internet", "proxy", "tcp", 80),  # denied by the NACL (no rule) before the group
    ("203.0.113.7", "proxy", "tcp", 443),  # denied by NACL rule 90
    ("198.51.100.77", "proxy", "tcp", 443),  # allowed
    ("2001:db8::1", "proxy", "tcp", 443),  # allowed over IPv6
    ("internet", "app", "tcp", 8080),  # denied: no public address
    ("proxy", "app", "tcp", 8080),  # allowed: lb -> web by group reference
    ("proxy", "db", "tcp", 5432),  # denied: db admits web only (references are not transitive)
    ("app", "db", "tcp", 5432),  # allowed, same subnet: no NACL
    ("app", "8.8.8.8", "tcp", 443),  # allowed through the NAT gateway
    ("app", "internet", "udp", 53),  # every internet destination, through the NAT gateway
    ("db", "8.8.8.8", "tcp", 443),  # denied: db's egress reaches the VPC only
    ("proxy", "2606:4700::1111", "tcp", 443),  # allowed over IPv6 through the internet gateway
    ("proxy", "10.20.2.20", "tcp", 8080),  # by private address
    ("app", "proxy", "icmp", 8),  # denied: lb admits tcp 443 only
]


# a template does not know its account: given as the pseudo parameter, as for a deployed stack
PARAMETERS = {"cloudformation": ["--parameter", "AWS::AccountId=111122223333"]}


@cache
def snapshot_of(kind: str) -> Snapshot:
    extra = PARAMETERS.get(kind, [])
    return load_snapshot(SOURCES[kind], parameters=dict([extra[1].split("=")]) if extra else None)


@cache
def names_of(kind: str) -> dict[str, str]:
    """Input-independent names for every id of the snapshot."""
    snapshot = snapshot_of(kind)
    names: dict[str, str] = {}

    def tag(tags: tuple[tuple[str, str], ...]) -> str | None:
        return dict(tags).get("Name")

    vpc_name = {v.id: f"vpc/{tag(v.tags)}" for v in snapshot.vpcs.values()}
    subnet_name = {s.id: f"subnet/{tag(s.tags)}" for s in snapshot.subnets.values()}
    names.update(vpc_name)
    names.update(subnet_name)
    for table in snapshot.route_tables.values():
        names[table.id] = f"rtb/{tag(table.tags)}" if tag(table.tags) else f"{vpc_name[table.vpc_id]}/main-rtb"
    for acl in snapshot.network_acls.values():
        names[acl.id] = f"acl/{tag(acl.tags)}" if not acl.is_default else f"{vpc_name[acl.vpc_id]}/default-acl"
    for group in snapshot.security_groups.values():
        names[group.id] = f"sg/{group.name}" if not group.is_default else f"{vpc_name[group.vpc_id]}/default-sg"
    for igw in snapshot.internet_gateways.values():
        names[igw.id] = "/".join(vpc_name[v] for v in igw.vpc_ids) + "/igw"
    for nat in snapshot.nat_gateways.values():
        names[nat.id] = f"{subnet_name[nat.subnet_id]}/nat"
    for instance in snapshot.instances.values():
        names[instance.id] = f"instance/{instance.name}"
    for eni in snapshot.interfaces.values():
        owner = snapshot.instances[eni.instance_id].name if eni.instance_id else eni.id
        names[eni.id] = f"eni/{owner}#{eni.device_index or 0}"
    assert len(set(names.values())) == len(names), "names must tell resources apart"
    return names


def normalised(kind: str, payload: Any) -> Any:
    names = names_of(kind)
    pattern = re.compile("|".join(re.escape(i) for i in sorted(names, key=len, reverse=True)))
    return json.loads(pattern.sub(lambda m: names[m.group(0)], json.dumps(payload)))


def endpoint(kind: str, name: str) -> str:
    """An instance by its Name tag, in the ids of that input; anything else as written."""
    snapshot = snapshot_of(kind)
    return next((i.id for i in snapshot.instances.values() if i.name == name), name)


def traffic(protocol: str, value: int) -> Traffic:
    if protocol == "icmp":
        return Traffic(1, icmp_type=value, icmp_code=0)
    return Traffic({"tcp": 6, "udp": 17}[protocol], port=value)


def reach_json(kind: str, flow: tuple[str, str, str, int]) -> Any:
    frm, to, protocol, value = flow
    result = Reachability(snapshot_of(kind)).reach(endpoint(kind, frm), endpoint(kind, to), traffic(protocol, value))
    return normalised(kind, result.to_json())


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f"{f[0]}->{f[1]}:{f[2]}/{f[3]}")
def test_reach_is_the_same_from_every_input(flow: tuple[str, str, str, int]) -> None:
    expected = reach_json("aws_json", flow)
    for kind in SOURCES:
        assert reach_json(kind, flow) == expected, kind


def test_the_flows_cover_both_verdicts_and_both_families() -> None:
    verdicts = {reach_json("aws_json", flow)["verdict"] for flow in FLOWS}
    assert verdicts == {"allowed", "denied"}
    v6 = reach_json("aws_json", ("2001:db8::1", "proxy", "tcp", 443))
    assert v6["verdict"] == "allowed" and v6["destination_address"] == "2600:1f18:abcd:1201::10"
    nacl = reach_json("aws_json", ("203.0.113.7", "proxy", "tcp", 443))
    assert nacl["trace"][-1]["resource"] == "acl/public-acl" and "rule 90 DENY" in nacl["summary"]
    chained = reach_json("aws_json", ("proxy", "app", "tcp", 8080))
    assert "members of 111122223333/sg/lb" in json.dumps(chained["trace"])


def test_exposure_is_the_same_from_every_input() -> None:
    outputs = {}
    for kind, path in SOURCES.items():
        args = ["exposure", str(path), "--output-format", "json", *PARAMETERS.get(kind, [])]
        result = CliRunner().invoke(main, args, prog_name="edgeward")
        assert result.exit_code == 0, result.stderr
        outputs[kind] = normalised(kind, json.loads(result.stdout))
    expected = outputs["aws_json"]
    assert [e["label"] for e in expected["exposed"]] == ["eni/proxy#0 (instance/proxy proxy)"]
    assert expected["exposed"][0]["public_addresses"] == ["198.51.100.10", "2600:1f18:abcd:1201::10"]
    for kind, output in outputs.items():
        assert output == expected, kind
