"""The fast engine and the naive per-packet evaluator (bench/naive.py) agree on every pair.

The naive evaluator shares only the model with the engine, so agreement on every interface pair,
every probe port and a spread of internet clients is evidence that the set algebra is right.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.naive import NaiveEvaluator

from edgeward.algebra.addresses import Addresses
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic, Verdict
from edgeward.analysis.reach import Reachability
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

PROBES = [
    Traffic(6, port=22),
    Traffic(6, port=80),
    Traffic(6, port=443),
    Traffic(6, port=3306),
    Traffic(17, port=53),
    Traffic(1, icmp_type=8, icmp_code=0),
    Traffic(1, icmp_type=3, icmp_code=4),
    Traffic(47),
    Traffic(0),
]
CLIENTS = ["8.8.8.8", "198.51.100.7", "38.140.26.5", "162.243.144.192", "52.95.110.1", "2001:db8::1"]


def point(traffic: Traffic) -> int:
    return traffic.point


def agree_on_everything(snapshot: Snapshot) -> tuple[int, int]:
    """(questions checked, questions allowed)."""
    engine = Reachability(snapshot)
    exposure = Exposure(snapshot, engine)
    naive = NaiveEvaluator(snapshot)
    enis = [e for e in snapshot.interfaces.values() if e.private_ipv4s]
    checked = allowed = 0
    for traffic in PROBES:
        for a in enis:
            for b in enis:
                fast = engine.reach(a.id, b.id, traffic).verdict is Verdict.ALLOWED
                slow = naive.interface_to_interface(a, b, traffic.protocol, point(traffic))
                assert fast == slow, f"{a.id} -> {b.id} {traffic.describe()}: engine {fast}, naive {slow}"
                checked += 1
                allowed += fast
            for client in CLIENTS:
                if not (a.public_ipv4s or a.ipv6s):
                    continue
                fast = engine.reach(client, a.id, traffic).verdict is Verdict.ALLOWED
                slow = naive.internet_to_interface(client, a, traffic.protocol, point(traffic))
                assert fast == slow, f"{client} -> {a.id} {traffic.describe()}: engine {fast}, naive {slow}"
                exposed = exposure.interface_space(a).contains(
                    traffic.protocol, traffic.point, Addresses.address(client)
                )
                assert exposed == slow, f"exposure of {a.id} says {exposed} for {client} {traffic.describe()}"
                fast_out = engine.reach(a.id, client, traffic).verdict is Verdict.ALLOWED
                slow_out = naive.interface_to_internet(a, client, traffic.protocol, point(traffic)) is not None
                assert fast_out == slow_out, (
                    f"{a.id} -> {client} {traffic.describe()}: engine {fast_out}, naive {slow_out}"
                )
                checked += 2
                allowed += fast + fast_out
    return checked, allowed


@pytest.mark.parametrize(
    "name",
    [
        "test-subnet",
        "test-public-subnet",
        "test-public-private-subnet",
        "test-nat-gateway",
        "test-vpc-peering",
        "test-vpc-peering-multi-account",
        "hybrid-cloud-aws",
    ],
)
def test_engine_agrees_with_naive_evaluator_on_corpus(corpus: Path, name: str) -> None:
    checked, allowed = agree_on_everything(load_snapshot(corpus / name))
    assert 0 < allowed < checked  # both verdicts occur, so agreement means something


def test_examples_agree(tmp_path: Path) -> None:
    examples = sorted(Path(__file__).resolve().parents[2].glob("examples/**/*.yaml"))
    if not examples:
        pytest.skip("no examples yet")
    for example in examples:
        agree_on_everything(load_snapshot(example))
