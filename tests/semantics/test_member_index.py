"""A reference's members answered from the address -> groups index (semantics/security_groups.py) agree
with the members' address sets, and the internet-only union of allowed peers loses no internet address."""

from __future__ import annotations

from dataclasses import replace

import pytest
from bench.generate import generate

from edgeward.algebra.addresses import Addresses, parse_cidr
from edgeward.model.snapshot import Snapshot
from edgeward.semantics.security_groups import RulePeers, SecurityGroupSemantics
from edgeward.sources import load_snapshot


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    out = tmp_path_factory.mktemp("estate")
    generate(out, size="small", seed=11)
    return load_snapshot(out)


def _probes(snapshot: Snapshot) -> list[Addresses]:
    """Every interface address, neighbours that belong to nobody, and sets of several addresses."""
    probes: list[Addresses] = []
    for eni in snapshot.interfaces.values():
        for text in eni.private_ipv4s + eni.ipv6s:
            probes.append(Addresses.address(text))
            version = parse_cidr(text)[0]
            probes.append(Addresses.cidr(f"{text}/{'31' if version == 4 else '127'}"))  # two addresses
    probes += [Addresses.address("10.255.255.254"), Addresses.address("2001:db8::ffff"), Addresses.nothing()]
    return probes


def test_holds_agrees_with_the_members_sets_for_every_group_and_address(snapshot: Snapshot) -> None:
    groups = SecurityGroupSemantics(snapshot)
    members = groups.member_addresses
    probes = _probes(snapshot)
    checked = held = 0
    for group_id in snapshot.security_groups:
        expected_set = members.get(group_id, Addresses.nothing())
        for probe in probes:
            lazy = RulePeers(None, members_of=group_id, members=members)
            assert lazy.holds(probe) == expected_set.contains_set(probe), (group_id, probe)
            checked += 1
            held += expected_set.contains_set(probe)
    assert held > 50 and checked > held * 5  # both answers are exercised


def test_an_interface_address_that_is_a_range_turns_the_index_off(snapshot: Snapshot) -> None:
    eni = next(e for e in snapshot.network.network_interfaces if e.group_ids and e.private_ipv4s)
    first = eni.private_ipv4s[0]
    odd = replace(eni, private_ipv4s=(first.rsplit(".", 1)[0] + ".0/30", *eni.private_ipv4s[1:]))
    estate = replace(
        snapshot.network,
        network_interfaces=tuple(odd if e.id == eni.id else e for e in snapshot.network.network_interfaces),
    )
    groups = SecurityGroupSemantics(Snapshot.build(estate))
    members = groups.member_addresses
    inside = Addresses.address(first.rsplit(".", 1)[0] + ".1")
    assert members.groups_holding(inside) is None
    lazy = RulePeers(None, members_of=eni.group_ids[0], members=members)
    assert lazy.holds(inside) and members[eni.group_ids[0]].contains_set(inside)


def test_the_internet_union_drops_only_addresses_inside_the_vpcs(snapshot: Snapshot) -> None:
    groups = SecurityGroupSemantics(snapshot)
    assert groups.members_private
    internet = snapshot.internet_addresses
    for eni in list(snapshot.interfaces.values())[:60]:
        for egress in (False, True):
            for protocol, port in ((6, 22), (6, 443), (17, 53), (1, 8 * 256)):
                full = groups.allowed_peers(eni, egress, protocol, port)
                outside = groups.allowed_peers(eni, egress, protocol, port, internet=True)
                assert outside & internet == full & internet
