"""The reachability matrix by equivalence class (analysis/matrix.py) against the naive per-packet
evaluator (bench/naive.py) and `reach`, pair by pair.

Every cell stands for many interface pairs; it is right only if every pair it stands for gets the
verdict the naive evaluator gives that pair, for every probe. A pair without a private route has no
cell (reach answers it through the destination's public address).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from bench.generate import generate
from bench.naive import NaiveEvaluator

from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.matrix import reachability_matrix
from edgeward.analysis.reach import Reachability
from edgeward.model.network import NetworkInterface
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

PROBES = [
    Traffic(6, port=22),
    Traffic(6, port=80),
    Traffic(6, port=443),
    Traffic(6, port=3306),
    Traffic(6, port=5432),
    Traffic(6, port=30000),
    Traffic(17, port=53),
    Traffic(17, port=123),
    Traffic(1, icmp_type=8, icmp_code=0),
    Traffic(1, icmp_type=3, icmp_code=4),
    Traffic(50),
    Traffic(47),
    Traffic(0),
]
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "network"
CORPUS_ESTATES = [
    "test-subnet",
    "test-public-subnet",
    "test-public-private-subnet",
    "test-nat-gateway",
    "test-vpc-peering",
    "test-vpc-peering-multi-account",
    "hybrid-cloud-aws",
]


def naive_private(naive: NaiveEvaluator, a: NetworkInterface, b: NetworkInterface) -> bool:
    """The naive evaluator's own test for a private path (else it goes through b's public address)."""
    if a.subnet_id == b.subnet_id:
        return True
    route = naive.route(a.subnet_id, b.private_ipv4s[0])
    if route is None or route.blackhole:
        return False
    return (route.target_id == "local" and a.vpc_id == b.vpc_id) or route.target_id.startswith("pcx-")


def agree(
    snapshot: Snapshot,
    pairs: Iterable[tuple[NetworkInterface, NetworkInterface]] | None = None,
    probes: list[Traffic] = PROBES,
    with_reach: bool = True,
) -> tuple[int, int]:
    """(pair x probe verdicts checked, allowed) over private pairs; non-private pairs must have no cell."""
    matrix = reachability_matrix(snapshot)
    naive = NaiveEvaluator(snapshot)
    engine = Reachability(snapshot)
    enis = [e for e in snapshot.interfaces.values() if e.private_ipv4s]
    if pairs is None:
        pairs = ((a, b) for a in enis for b in enis)
    checked = allowed = 0
    for a, b in pairs:
        if a.id == b.id:
            assert all(matrix.allows(a.id, b.id, t) for t in probes)
            continue
        private = naive_private(naive, a, b)
        for traffic in probes:
            got = matrix.allows(a.id, b.id, traffic)
            if not private:
                assert got is None, f"{a.id} -> {b.id}: no private route, but the matrix has a cell"
                continue
            want = naive.interface_to_interface(a, b, traffic.protocol, traffic.point)
            assert got == want, f"{a.id} -> {b.id} {traffic.describe()}: matrix {got}, naive {want}"
            if with_reach:
                fast = engine.reach(a.id, b.id, traffic).verdict is Verdict.ALLOWED
                assert fast == want, f"{a.id} -> {b.id} {traffic.describe()}: reach {fast}, naive {want}"
            checked += 1
            allowed += want
    return checked, allowed


def _scenario(path: Path, tmp_path: Path) -> Snapshot:
    import json

    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "estate" in doc:
        target = tmp_path / f"{path.stem}.yaml"
        target.write_text(yaml.safe_dump(doc["estate"], sort_keys=False), encoding="utf-8")
    else:
        target = tmp_path / path.stem
        for name, content in doc["aws_json"].items():
            file = target / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(json.dumps(content), encoding="utf-8")
    return load_snapshot(target)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_matrix_agrees_on_every_pair_of_each_scenario(path: Path, tmp_path: Path) -> None:
    agree(_scenario(path, tmp_path))


@pytest.mark.parametrize("name", CORPUS_ESTATES)
def test_matrix_agrees_on_every_pair_of_the_corpus(corpus: Path, name: str) -> None:
    agree(load_snapshot(corpus / name))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    out = tmp_path_factory.mktemp("matrix-small")
    generate(out, size="small", seed=3)
    return load_snapshot(out)


def test_matrix_agrees_on_every_pair_of_the_small_estate(small: Snapshot) -> None:
    checked, allowed = agree(small, probes=PROBES[::3], with_reach=False)
    assert 0 < allowed < checked


def test_matrix_agrees_on_a_sample_of_the_medium_estate(tmp_path: Path) -> None:
    generate(tmp_path, size="medium", seed=5)
    snapshot = load_snapshot(tmp_path)
    enis = sorted((e for e in snapshot.interfaces.values() if e.private_ipv4s), key=lambda e: e.id)
    by_subnet: dict[str, list[NetworkInterface]] = {}
    for eni in enis:
        by_subnet.setdefault(eni.vpc_id, []).append(eni)
    rng = random.Random(7)
    pairs = []
    for _ in range(400):
        a = rng.choice(enis)
        pairs.append((a, rng.choice(by_subnet[a.vpc_id]) if rng.random() < 0.7 else rng.choice(enis)))
    checked, allowed = agree(snapshot, pairs, with_reach=False)
    assert 0 < allowed < checked


# Two interfaces of one subnet with the same groups are still told apart when a rule's CIDR holds one
# address and not the other, or when their addresses belong to different groups' member sets: an
# address two interfaces share (overlapping VPCs) is matched by a reference to either one's group.
SPLIT = """
edgeward: 1
account: "111122223333"
region: eu-west-1
vpcs:
  - id: vpc-a
    cidr: 10.0.0.0/16
    subnets:
      - {id: subnet-a, cidr: 10.0.1.0/24, route_table: rtb-a}
      - {id: subnet-a2, cidr: 10.0.2.0/24, route_table: rtb-a}
  - id: vpc-b
    cidr: 10.1.0.0/16
    subnets:
      - {id: subnet-b, cidr: 10.1.1.0/24, route_table: rtb-b}
peering_connections:
  - {id: pcx-ab, requester: vpc-a, accepter: vpc-b, status: active}
route_tables:
  - id: rtb-a
    vpc: vpc-a
    routes:
      - {destination: 10.1.0.0/16, target: pcx-ab}
  - id: rtb-b
    vpc: vpc-b
    routes:
      - {destination: 10.0.0.0/16, target: pcx-ab}
security_groups:
  - id: sg-web
    vpc: vpc-a
    ingress:
      - {protocol: tcp, ports: 5432, from: 10.0.0.0/16}
  - id: sg-db
    vpc: vpc-a
    egress:
      - {protocol: tcp, ports: 5432, to: 10.0.1.10/32}
      - {protocol: tcp, ports: 9000, to: 10.0.0.0/16}
    ingress:
      - {protocol: tcp, ports: 9000, from_group: {id: sg-other, vpc: vpc-b, peering: pcx-ab}}
  - id: sg-other
    vpc: vpc-b
instances:
  - id: i-a1
    interfaces:
      - {id: eni-a1, subnet: subnet-a, private_ip: 10.0.1.10, groups: [sg-web]}
  - id: i-a2
    interfaces:
      - {id: eni-a2, subnet: subnet-a, private_ip: 10.0.1.11, groups: [sg-web]}
  - id: i-a3
    interfaces:
      - {id: eni-a3, subnet: subnet-a2, private_ip: 10.0.2.12, groups: [sg-db]}
  - id: i-b1
    interfaces:
      - {id: eni-b1, subnet: subnet-b, private_ip: 10.1.1.10, groups: [sg-other]}
"""


def test_classes_split_on_cidr_boundaries_and_address_membership(tmp_path: Path) -> None:
    path = tmp_path / "split.yaml"
    path.write_text(SPLIT, encoding="utf-8")
    loaded = load_snapshot(path)
    # eni-b1 takes eni-a1's address (VPCs that overlap: the native format refuses to peer them)
    enis = tuple(
        replace(e, private_ipv4s=("10.0.1.10",)) if e.id == "eni-b1" else e for e in loaded.network.network_interfaces
    )
    snapshot = Snapshot.build(replace(loaded.network, network_interfaces=enis))
    matrix = reachability_matrix(snapshot)
    c = matrix.class_of
    assert len({c["eni-a1"], c["eni-a2"]}) == 2
    postgres, api = Traffic(6, port=5432), Traffic(6, port=9000)
    assert matrix.allows("eni-a3", "eni-a1", postgres) is True  # sg-db's egress names 10.0.1.10/32
    assert matrix.allows("eni-a3", "eni-a2", postgres) is False
    assert matrix.allows("eni-a1", "eni-a3", api) is True  # 10.0.1.10 is a member address of sg-other
    assert matrix.allows("eni-a2", "eni-a3", api) is False
    assert matrix.allows("eni-a1", "eni-b1", api) is None  # 10.0.1.10 is routed locally in vpc-a
    agree(snapshot)


def test_traffic_narrows_cells_to_the_flows_asked(small: Snapshot) -> None:
    full = reachability_matrix(small)
    asked = [Traffic(6, port=443), Traffic(17, port=53)]
    narrow = reachability_matrix(small, asked)
    assert narrow.classes == full.classes
    assert narrow.cells.keys() == full.cells.keys()
    for key, mask in narrow.cells.items():
        for traffic in asked:
            want = bool(full.cells[key] & full.atoms.traffic_mask(traffic))
            assert bool(mask & narrow.atoms.traffic_mask(traffic)) == want
    _, _, mask = next(narrow.allowed_pairs())
    assert set(narrow.describe_cell(mask)) <= {"tcp port 443", "udp port 53"}


def test_interfaces_with_unknown_values_are_left_out_not_guessed() -> None:
    plan = Path(__file__).resolve().parents[1] / "sources" / "terraform" / "plan_unknowns" / "plan.json"
    snapshot = load_snapshot(plan)
    matrix = reachability_matrix(snapshot)
    unknown = {k for k, why in matrix.left_out.items() if why == "depends on values the input leaves unknown"}
    assert unknown
    assert not unknown & set(matrix.class_of)
    assert set(matrix.class_of) | set(matrix.left_out) == set(snapshot.interfaces)
