"""Address atoms: address sets as bitmasks over a partition that none of the given sets splits.

Many set operations on a fixed family of address sets (every rule peer, NACL entry and route that
one question looks at) become integer operations: cut the IPv4 and IPv6 spaces at every boundary
of every set of the family; each piece (an *atom*) is then either wholly in or wholly out of each
set, so a set is the bitmask of its atoms, union is `|`, intersection is `&`, difference is `& ~`.
`addresses(mask)` turns a mask back into the canonical `Addresses`.

With `within`, only that part of the address space is cut: a mask then stands for the set's part
inside `within`, which keeps the atoms few when every question is about one region (the internet).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from edgeward.algebra.addresses import NONE, V4_MAX, V6_MAX, Addresses
from edgeward.algebra.intervals import EMPTY, IntervalSet


class NotAligned(ValueError):
    """A set that cuts an atom: it was not among the sets the atoms were built from."""


class AddressAtoms:
    """A partition of the IPv4 and IPv6 spaces; IPv4 atoms come first, then IPv6 atoms."""

    __slots__ = ("_clipped", "_masks", "_n4", "_sets", "_starts4", "_starts6", "_within")

    def __init__(self, sets: Iterable[Addresses], within: Addresses | None = None) -> None:
        cuts4 = {0, V4_MAX + 1}
        cuts6 = {0, V6_MAX + 1}
        self._within = within
        # each given set's part inside `within`, computed once: its mask is asked for later
        self._clipped = {a: a & within for a in set(sets)} if within is not None else {}
        unique = set(self._clipped.values()) | {within} if within is not None else set(sets)
        for addresses in unique:
            for cuts, intervals in ((cuts4, addresses.v4), (cuts6, addresses.v6)):
                for lo, hi in intervals:
                    cuts.add(lo)
                    cuts.add(hi + 1)
        # starts[i] is where atom i begins; the last entry is one past the end of the family's space
        self._starts4 = sorted(cuts4)
        self._starts6 = sorted(cuts6)
        self._n4 = len(self._starts4) - 1
        self._masks: dict[Addresses, int] = {}
        self._sets: dict[int, Addresses] = {0: NONE}

    def __len__(self) -> int:
        return self._n4 + len(self._starts6) - 1

    def mask(self, addresses: Addresses) -> int:
        """The atoms of `addresses` (of its part inside `within`); NotAligned when it splits an atom."""
        found = self._masks.get(addresses)
        if found is None:
            part = addresses
            if self._within is not None:
                clipped = self._clipped.get(addresses)
                part = clipped if clipped is not None else addresses & self._within
            found = self._family_mask(self._starts4, part.v4, 0) | self._family_mask(self._starts6, part.v6, self._n4)
            self._masks[addresses] = found
        return found

    @staticmethod
    def _family_mask(starts: list[int], intervals: IntervalSet, offset: int) -> int:
        mask = 0
        for lo, hi in intervals:
            first = bisect_left(starts, lo)
            end = bisect_left(starts, hi + 1)
            if starts[first] != lo or end >= len(starts) or starts[end] != hi + 1:
                raise NotAligned(f"[{lo}, {hi}] is not a union of atoms")
            mask |= ((1 << (end - first)) - 1) << (first + offset)
        return mask

    def addresses(self, mask: int) -> Addresses:
        """The set whose atoms are `mask`, canonical."""
        found = self._sets.get(mask)
        if found is None:
            found = self._decode(mask)
            self._sets[mask] = found
        return found

    def _decode(self, mask: int) -> Addresses:
        n4 = self._n4
        v4_bits = mask & ((1 << n4) - 1)
        return Addresses(_intervals(v4_bits, self._starts4), _intervals(mask >> n4, self._starts6))


def _intervals(bits: int, starts: list[int]) -> IntervalSet:
    """Maximal runs of set bits are maximal intervals: two runs have an unset atom between them."""
    if not bits:
        return EMPTY
    text = format(bits, "b")  # most significant bit first: character k is atom top - k
    top = len(text) - 1
    bounds: list[int] = []
    k = 0
    while k >= 0:  # from the highest atom down; str.find scans at C speed
        end = text.find("0", k)
        last = top if end < 0 else end - 1  # the run is characters k..last: atoms top-last..top-k
        bounds.append(starts[top - k + 1] - 1)
        bounds.append(starts[top - last])
        k = -1 if end < 0 else text.find("1", end)
    bounds.reverse()
    return IntervalSet.from_canonical_bounds(tuple(bounds))
