"""The NACL questions `reach` asks without building a NACL's whole space (one dimension at a time, in
rule order) get exactly the answers of that space, on every NACL of a generated estate and of the
network scenarios that hold NACLs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from bench.generate import generate

from edgeward.algebra.addresses import Addresses, format_address
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import ALL_PORTS, EPHEMERAL_PORTS
from edgeward.model.snapshot import Snapshot
from edgeward.semantics.network_acls import NetworkAclSemantics
from edgeward.sources import load_snapshot

PROTOCOLS = (6, 17, 1, 58, 50, 0, -1)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    out = tmp_path_factory.mktemp("acl-estate")
    generate(out, size="small", seed=11, nacl_entries=14)
    return load_snapshot(out)


def probes(snapshot: Snapshot, rng: random.Random) -> list[str]:
    """Addresses at and around every entry's edges, and some of the estate's own."""
    out = ["8.8.8.8", "203.0.113.10", "2001:db8::10", "0.0.0.0", "255.255.255.255", "::"]
    for acl in snapshot.network_acls.values():
        for entry in acl.entries:
            cidr = Addresses.cidr(entry.cidr)
            for version, spans in ((4, cidr.v4), (6, cidr.v6)):
                top = (1 << (32 if version == 4 else 128)) - 1
                for lo, hi in spans:
                    out += [format_address(version, v) for v in (lo, hi, max(lo - 1, 0), min(hi + 1, top))]
    out += [ip for eni in snapshot.interfaces.values() for ip in eni.private_ipv4s[:1]]
    return rng.sample(out, min(len(out), 150))


def test_one_dimensional_answers_equal_the_space(estate: Snapshot) -> None:
    acls = NetworkAclSemantics(estate)
    rng = random.Random(3)
    addresses = probes(estate, rng)
    checked = 0
    for acl in [*estate.network_acls.values(), None]:
        for egress in (False, True):
            space = acls.allowed_space(acl, egress)
            for protocol in PROTOCOLS:
                if protocol < 0:
                    continue
                for ports in (EPHEMERAL_PORTS, IntervalSet.span(32768, 60999), IntervalSet.point(443), ALL_PORTS):
                    assert acls.peers_for_ports(acl, egress, protocol, ports) == space.peers_for_ports(protocol, ports)
                for point in (0, 22, 443, 1024, 8 * 256, 129 * 256, 65535):
                    assert acls.peers_at(acl, egress, protocol, point) == space.peers_for(protocol, point)
                for address in addresses:
                    want = space.ports_for(protocol, Addresses.address(address))
                    assert acls.allowed_return_ports(acl, egress, protocol, address) == want, (acl, address)
                    checked += 1
    assert checked > 1000


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "network"


@pytest.mark.parametrize("name", ["nacl-order-first-match", "nacl-stateless-return", "nacl-default-vs-custom", "ipv6"])
def test_scenario_acls(name: str, tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    target = tmp_path / "estate.yaml"
    target.write_text(yaml.safe_dump(doc["estate"], sort_keys=False), encoding="utf-8")
    snapshot = load_snapshot(target)
    acls = NetworkAclSemantics(snapshot)
    addresses = probes(snapshot, random.Random(5))
    assert snapshot.network_acls
    for acl in snapshot.network_acls.values():
        for egress in (False, True):
            space = acls.allowed_space(acl, egress)
            for protocol in PROTOCOLS[:-1]:
                assert acls.peers_for_ports(acl, egress, protocol, EPHEMERAL_PORTS) == space.peers_for_ports(
                    protocol, EPHEMERAL_PORTS
                )
                for point in (0, 22, 80, 443, 8 * 256, 129 * 256):
                    assert acls.peers_at(acl, egress, protocol, point) == space.peers_for(protocol, point)
                for address in addresses:
                    assert acls.allowed_return_ports(acl, egress, protocol, address) == space.ports_for(
                        protocol, Addresses.address(address)
                    )
