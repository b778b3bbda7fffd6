"""Exposure computed on address atoms (analysis/exposure.py `prepare`): the same sets as asking `reach`.

The shortcut that drops group-reference rules (members' private addresses are inside the estate's
VPCs, so never internet sources) must only be taken when that holds for every interface.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from bench.generate import generate

from edgeward import forking
from edgeward.algebra.addresses import Addresses
from edgeward.analysis import exposure as exposure_module
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.reach import Reachability
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

ESTATE = """
edgeward: 1
account: "111122223333"
region: eu-west-1
vpcs:
  - id: vpc-a
    cidr: 10.20.0.0/16
    internet_gateway: igw-a
    subnets:
      - {id: subnet-a, cidr: 10.20.1.0/24, route_table: rtb-a}
route_tables:
  - id: rtb-a
    vpc: vpc-a
    routes:
      - {destination: 0.0.0.0/0, target: igw-a}
security_groups:
  - id: sg-web
    name: web
    vpc: vpc-a
    ingress:
      - {protocol: tcp, ports: 443, from_group: sg-proxy}
      - {protocol: tcp, ports: 22, from: 198.51.100.0/24}
  - id: sg-proxy
    name: proxy
    vpc: vpc-a
instances:
  - id: i-web
    interfaces:
      - {id: eni-web, subnet: subnet-a, private_ip: 10.20.1.10, public_ip: 203.0.113.80, groups: [sg-web]}
  - id: i-proxy
    interfaces:
      - {id: eni-proxy, subnet: subnet-a, private_ip: 10.20.1.20, groups: [sg-proxy]}
"""


def _exposure_sources(tmp_path: Path, proxy_ip: str | None = None) -> tuple[dict[str, list[str]], Reachability]:
    path = tmp_path / "estate.yaml"
    path.write_text(ESTATE)
    snapshot = load_snapshot(path)
    if proxy_ip is not None:  # an address outside every VPC CIDR the input holds (a CIDR not collected)
        enis = tuple(
            replace(e, private_ipv4s=(proxy_ip,)) if e.id == "eni-proxy" else e
            for e in snapshot.network.network_interfaces
        )
        snapshot = Snapshot.build(replace(snapshot.network, network_interfaces=enis))
    engine = Reachability(snapshot)
    found = Exposure(snapshot, engine).all()
    assert [e.interface.id for e in found] == ["eni-web"]
    return {s.port_text(): s.sources.to_cidrs() for s in found[0].services}, engine


def test_a_group_reference_matches_no_internet_source_when_members_are_inside_the_vpcs(tmp_path: Path) -> None:
    sources, _ = _exposure_sources(tmp_path)
    assert sources == {"port 22": ["198.51.100.0/24"]}


def test_a_member_address_outside_every_vpc_is_still_counted(tmp_path: Path) -> None:
    # the proxy's address lies outside every VPC CIDR of the input, so it counts as an internet
    # address; the reference rule admits it, so exposure must say so, not drop the rule
    sources, engine = _exposure_sources(tmp_path, "192.0.2.20")
    assert sources == {"port 22": ["198.51.100.0/24"], "port 443": ["192.0.2.20/32"]}
    space = Exposure(engine.snapshot, engine).interface_space(engine.snapshot.interfaces["eni-web"])
    assert space.contains(6, 443, Addresses.address("192.0.2.20"))
    assert not space.contains(6, 443, Addresses.address("192.0.2.21"))
    assert engine.reach("192.0.2.21", "eni-web", Traffic(6, port=443)).verdict is Verdict.DENIED


def test_one_interface_asked_alone_gets_the_answer_of_the_whole_round() -> None:
    snapshot = load_snapshot(Path(__file__).parents[2] / "examples" / "three-tier.yaml")
    together = Exposure(snapshot)
    together.all()
    for eni in snapshot.interfaces.values():
        if eni.public_ipv4s or eni.ipv6s:
            alone = Exposure(snapshot).interface_space(eni)
            assert alone == together.interface_space(eni), eni.id


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    out = tmp_path_factory.mktemp("estate")
    generate(out, size="small", seed=5)
    return load_snapshot(out)


def _all_json(exposure: Exposure) -> list[dict[str, object]]:
    return [item.to_json() for item in exposure.all()]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker is forked")
def test_classes_split_with_a_worker_give_the_same_exposure(
    generated: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _all_json(Exposure(generated))
    monkeypatch.setattr(exposure_module, "PARALLEL_CLASSES", 2)
    monkeypatch.setattr(forking, "available", lambda: True)
    forked = []
    real = exposure_module.Forked

    def counted(work: Callable[[], bytes]) -> object:
        forked.append(work)
        return real(work)

    received: list[int] = []
    real_from = exposure_module._spaces_from

    def spaces_from(payload: bytes, count: int) -> object:
        found = real_from(payload, count)
        received.append(len(found) if found is not None else -1)
        return found

    monkeypatch.setattr(exposure_module, "Forked", counted)
    monkeypatch.setattr(exposure_module, "_spaces_from", spaces_from)
    assert _all_json(Exposure(generated)) == alone
    assert len(forked) == 1 and len(received) == 1 and received[0] > 0  # the worker's half was used

    def broken(spaces: object) -> bytes:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(exposure_module, "_spaces_payload", broken)  # the worker exits 1: all done here
    assert _all_json(Exposure(generated)) == alone
