"""Address atoms: masks must be a faithful image of the address-set algebra (exposure is computed on them)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edgeward.algebra.addresses import ALL, NONE, V4_MAX, V6_MAX, Addresses
from edgeward.algebra.atoms import AddressAtoms, NotAligned
from edgeward.algebra.intervals import IntervalSet

from .strategies import FAST, Addr, small_addresses

families = st.lists(small_addresses(), min_size=1, max_size=6)


def _members(atoms: AddressAtoms, mask: int) -> set[Addr]:
    decoded = atoms.addresses(mask)
    return {(4, a) for lo, hi in decoded.v4 for a in range(lo, hi + 1)} | {
        (6, a) for lo, hi in decoded.v6 for a in range(lo, hi + 1)
    }


@FAST
@given(families)
def test_masks_round_trip_and_follow_union_intersection_difference(family: list[tuple[Addresses, set[Addr]]]) -> None:
    atoms = AddressAtoms(a for a, _ in family)
    for a, oracle in family:
        assert atoms.addresses(atoms.mask(a)) == a
        assert _members(atoms, atoms.mask(a)) == oracle
    for a, oracle_a in family:
        for b, oracle_b in family:
            ma, mb = atoms.mask(a), atoms.mask(b)
            assert _members(atoms, ma | mb) == oracle_a | oracle_b
            assert _members(atoms, ma & mb) == oracle_a & oracle_b
            assert _members(atoms, ma & ~mb) == oracle_a - oracle_b
            assert atoms.addresses(ma & mb) == a & b  # canonical: equal to the set algebra's own answer


@FAST
@given(families, small_addresses())
def test_within_keeps_only_that_part(
    family: list[tuple[Addresses, set[Addr]]], within: tuple[Addresses, set[Addr]]
) -> None:
    region, region_members = within
    atoms = AddressAtoms((a for a, _ in family), within=region)
    for a, oracle in family:
        assert _members(atoms, atoms.mask(a)) == oracle & region_members
        assert atoms.addresses(atoms.mask(a)) == a & region


def test_the_ends_of_both_families_and_the_boundary_between_them() -> None:
    top4 = Addresses(IntervalSet.span(V4_MAX - 3, V4_MAX), IntervalSet())
    low6 = Addresses(IntervalSet(), IntervalSet.span(0, 7))
    top6 = Addresses(IntervalSet(), IntervalSet.span(V6_MAX, V6_MAX))
    atoms = AddressAtoms([top4, low6, top6, ALL])
    both = atoms.mask(top4) | atoms.mask(low6)  # adjacent bits across the IPv4/IPv6 seam
    assert atoms.addresses(both) == top4 | low6
    assert atoms.addresses(atoms.mask(ALL)) == ALL
    assert atoms.addresses(atoms.mask(ALL) & ~atoms.mask(top6)) == ALL - top6
    assert atoms.addresses(0) == NONE


def test_a_set_that_splits_an_atom_is_refused_rather_than_rounded() -> None:
    atoms = AddressAtoms([Addresses.cidr("10.0.0.0/8")])
    with pytest.raises(NotAligned):
        atoms.mask(Addresses.cidr("10.1.0.0/16"))
    assert len(atoms) == 3 + 1  # below, inside and above 10/8 in IPv4; all of IPv6
