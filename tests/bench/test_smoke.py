"""Smoke benchmark (CI runs only this size): the small synthetic estate loads with exactly the counts
the generator reports, carries the rule mix it promises, `reach --from internet` agrees with
`exposure` on every question asked, the matrix agrees with the naive evaluator on every pair, and
the benchmark's other measurements (batch, IAM, growth fit) run. No timing assertions."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from bench.generate import CLOUDFRONT_LIST, generate
from bench.iam_workload import measure, workload
from bench.naive import NaiveEvaluator
from bench.run import estate_files, exposure_allows, fitted_exponent, measure_batch, measure_matrix, pick_queries

from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic
from edgeward.analysis.matrix import reachability_matrix
from edgeward.analysis.reach import Reachability
from edgeward.model.network import PeerKind
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

PORTS = (22, 80, 443, 5432, 8080)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("small-estate")
    return out, generate(out, size="small", seed=3)


@pytest.fixture(scope="module")
def snapshot(estate: tuple[Path, dict[str, Any]]) -> Snapshot:
    return load_snapshot(estate[0])


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in estate_files(root)}


def test_loaded_counts_are_the_generated_counts(estate: tuple[Path, dict[str, Any]], snapshot: Snapshot) -> None:
    _, counts = estate
    groups = snapshot.security_groups.values()
    assert len(snapshot.interfaces) == counts["interfaces"]
    assert len(snapshot.security_groups) == counts["security_groups"] == 50
    assert sum(len(g.ingress) for g in groups) == counts["ingress_rules"]
    assert sum(len(g.egress) for g in groups) == counts["egress_rules"]
    assert sum(len(g.ingress) + len(g.egress) for g in groups) == counts["rules"]
    assert sum(len(acl.entries) for acl in snapshot.network_acls.values()) == counts["nacl_entries"]
    assert len(snapshot.network_acls) == counts["network_acls"]
    assert len(snapshot.subnets) == counts["subnets"]
    assert len(snapshot.vpcs) == counts["vpcs"]
    assert len(snapshot.instances) == counts["instances"]
    assert len(snapshot.peering_connections) == counts["peerings"]
    assert len(snapshot.prefix_lists) == counts["prefix_lists"]
    assert sum(bool(e.public_ipv4s) for e in snapshot.interfaces.values()) == counts["public_interfaces"]
    assert 150 <= counts["interfaces"] <= 250


def test_same_seed_same_bytes_other_seed_other_estate(tmp_path: Path, estate: tuple[Path, dict[str, Any]]) -> None:
    again = generate(tmp_path / "again", size="small", seed=3)
    other = generate(tmp_path / "other", size="small", seed=4)
    assert again["bytes"] == estate[1]["bytes"]
    assert _digest(tmp_path / "again") == _digest(estate[0])
    assert _digest(tmp_path / "other") != _digest(estate[0])
    assert other["interfaces"] == again["interfaces"]


def test_the_rule_mix_is_there(snapshot: Snapshot) -> None:
    rules = [r for g in snapshot.security_groups.values() for r in g.ingress + g.egress]
    cidrs = {r.cidr for r in rules if r.peer_kind is PeerKind.CIDR}
    cloudfront = {pl.id for pl in snapshot.prefix_lists.values() if pl.name == CLOUDFRONT_LIST}
    assert "0.0.0.0/0" in cidrs
    assert any(c and ":" in c for c in cidrs)  # IPv6
    assert {r.protocol for r in rules} >= {-1, 1, 6, 17}  # all, ICMP, TCP, UDP
    assert any(r.prefix_list_id in cloudfront for r in rules)
    assert any(r.peer_kind is PeerKind.PREFIX_LIST and r.prefix_list_id not in cloudfront for r in rules)
    refs = [r.group for r in rules if r.group is not None]
    assert any(ref.peering_id is None for ref in refs)  # same VPC
    assert any(ref.peering_id and ref.peering_status == "active" for ref in refs)  # across a peering
    assert all(ref.group_id in snapshot.security_groups for ref in refs)
    assert all(1 <= len(e.group_ids) <= 5 for e in snapshot.interfaces.values() if e.interface_type != "nat_gateway")
    assert any(e.ipv6s for e in snapshot.interfaces.values())
    assert any(not acl.is_default and any(not x.allow for x in acl.entries) for acl in snapshot.network_acls.values())


def test_reach_from_internet_agrees_with_exposure(snapshot: Snapshot) -> None:
    exposure = Exposure(snapshot)
    found = {item.interface.id: item for item in exposure.all()}
    reach = Reachability(snapshot)
    public = [e for e in snapshot.interfaces.values() if e.public_ipv4s or e.ipv6s]
    private = [e for e in snapshot.interfaces.values() if not (e.public_ipv4s or e.ipv6s)][:10]
    verdicts: list[str] = []
    for eni in public + private:
        for port in PORTS:
            verdict = reach.reach("internet", eni.id, Traffic(protocol=6, port=port)).verdict.value
            expected = exposure_allows(found.get(eni.id), eni, 6, port)
            assert (verdict == "allowed") == expected, f"reach --from internet --to {eni.id} tcp {port}: {verdict}"
            verdicts.append(verdict)
    assert "allowed" in verdicts and "denied" in verdicts


def test_interface_to_interface_questions_get_verdicts(snapshot: Snapshot) -> None:
    reach = Reachability(snapshot)
    pairs, _ = pick_queries(snapshot, 40, seed=5)
    verdicts = [reach.reach(a, b, Traffic(protocol=6, port=port)).verdict.value for a, b, port in pairs]
    assert set(verdicts) == {"allowed", "denied"}


def test_matrix_agrees_with_the_naive_evaluator_on_every_pair(snapshot: Snapshot) -> None:
    """The benchmark's matrix figure stands for these answers: every private pair, every port asked."""
    matrix = reachability_matrix(snapshot)
    naive = NaiveEvaluator(snapshot)
    enis = [e for e in snapshot.interfaces.values() if e.private_ipv4s]
    checked = allowed = 0
    for a in enis:
        for b in enis:
            if a.id == b.id:
                continue
            for port in (22, 443):
                got = matrix.allows(a.id, b.id, Traffic(6, port=port))
                if got is None:  # no private route: reach and the naive evaluator go by the public address
                    continue
                assert got == naive.interface_to_interface(a, b, 6, port), (a.id, b.id, port)
                checked += 1
                allowed += got
    assert 0 < allowed < checked
    assert sum(len(c.interfaces) for c in matrix.classes) + len(matrix.left_out) == len(snapshot.interfaces)


def test_bench_measures_matrix_naive_and_batch(snapshot: Snapshot) -> None:
    measured = measure_matrix(snapshot, sample=30, seed=1)
    assert measured["naive"]["disagreements"] == 0
    assert measured["naive"]["all_pairs"] > measured["naive"]["pairs"]
    assert measured["matrix"]["classes"] <= measured["matrix"]["interfaces"]
    assert measure_batch(snapshot, 40, seed=1)["count"] == 40


def test_iam_workload_mixes_every_decision() -> None:
    result = measure(workload(seed=2, policies=5, requests=300), repeat=1)
    assert result["statements_per_policy"] == 10
    assert set(result["mix"]) == {"allowed", "explicit-deny", "implicit-deny"}


def test_growth_exponent_of_a_power_law() -> None:
    sizes = [1000.0, 2000.0, 4000.0, 8000.0]
    assert fitted_exponent(sizes, [3e-6 * s**1.5 for s in sizes]) == pytest.approx(1.5)
