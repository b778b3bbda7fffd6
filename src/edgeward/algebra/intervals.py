"""Immutable canonical sets of integers, stored as sorted, disjoint, non-adjacent closed intervals.

One set type serves ports, ICMP type/code, protocol numbers and IPv4/IPv6 addresses (as integers).
Equality is structural because the representation is canonical: two sets with the same members
have the same bounds tuple.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final


class IntervalSet:
    """A finite union of closed integer intervals, canonical (sorted, disjoint, merged)."""

    __slots__ = ("_bounds", "_hash")

    _bounds: tuple[int, ...]  # flat: lo0, hi0, lo1, hi1, ... with hi_i + 1 < lo_{i+1}

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        spans = sorted((lo, hi) for lo, hi in intervals if lo <= hi)
        flat: list[int] = []
        for lo, hi in spans:
            if flat and lo <= flat[-1] + 1:
                if hi > flat[-1]:
                    flat[-1] = hi
            else:
                flat.append(lo)
                flat.append(hi)
        self._bounds = tuple(flat)
        self._hash = -1

    @classmethod
    def _from_bounds(cls, bounds: tuple[int, ...]) -> IntervalSet:
        obj = cls.__new__(cls)
        obj._bounds = bounds
        obj._hash = -1
        return obj

    @classmethod
    def span(cls, lo: int, hi: int) -> IntervalSet:
        """The interval [lo, hi] (empty when lo > hi)."""
        return cls._from_bounds((lo, hi) if lo <= hi else ())

    @classmethod
    def point(cls, value: int) -> IntervalSet:
        return cls._from_bounds((value, value))

    # -- inspection -------------------------------------------------------------------------
    @property
    def intervals(self) -> tuple[tuple[int, int], ...]:
        b = self._bounds
        return tuple((b[i], b[i + 1]) for i in range(0, len(b), 2))

    def __iter__(self) -> Iterator[tuple[int, int]]:
        b = self._bounds
        for i in range(0, len(b), 2):
            yield b[i], b[i + 1]

    def __bool__(self) -> bool:
        return bool(self._bounds)

    def is_empty(self) -> bool:
        return not self._bounds

    def size(self) -> int:
        b = self._bounds
        return sum(b[i + 1] - b[i] + 1 for i in range(0, len(b), 2))

    def min(self) -> int:
        if not self._bounds:
            raise ValueError("empty set has no minimum")
        return self._bounds[0]

    def max(self) -> int:
        if not self._bounds:
            raise ValueError("empty set has no maximum")
        return self._bounds[-1]

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        b = self._bounds
        lo, hi = 0, len(b) // 2
        while lo < hi:
            mid = (lo + hi) // 2
            if b[2 * mid + 1] < value:
                lo = mid + 1
            else:
                hi = mid
        return lo < len(b) // 2 and b[2 * lo] <= value

    def contains_set(self, other: IntervalSet) -> bool:
        """True when every member of `other` is in this set."""
        return (other - self).is_empty()

    def overlaps(self, other: IntervalSet) -> bool:
        return not (self & other).is_empty()

    # -- algebra ----------------------------------------------------------------------------
    def __or__(self, other: IntervalSet) -> IntervalSet:
        if not other._bounds:
            return self
        if not self._bounds:
            return other
        return IntervalSet(list(self) + list(other))

    def __and__(self, other: IntervalSet) -> IntervalSet:
        a, b = self._bounds, other._bounds
        if not a or not b:
            return EMPTY
        out: list[int] = []
        i = j = 0
        while i < len(a) and j < len(b):
            lo = a[i] if a[i] > b[j] else b[j]
            hi = a[i + 1] if a[i + 1] < b[j + 1] else b[j + 1]
            if lo <= hi:
                out.append(lo)
                out.append(hi)
            if a[i + 1] < b[j + 1]:
                i += 2
            else:
                j += 2
        return IntervalSet._from_bounds(tuple(out))

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        a, b = self._bounds, other._bounds
        if not a or not b:
            return self
        out: list[int] = []
        j = 0
        for i in range(0, len(a), 2):
            lo, hi = a[i], a[i + 1]
            while j < len(b) and b[j + 1] < lo:
                j += 2
            k = j
            while k < len(b) and b[k] <= hi:
                if b[k] > lo:
                    out.append(lo)
                    out.append(b[k] - 1)
                lo = b[k + 1] + 1
                if lo > hi:
                    break
                k += 2
            if lo <= hi:
                out.append(lo)
                out.append(hi)
        return IntervalSet._from_bounds(tuple(out))

    def __xor__(self, other: IntervalSet) -> IntervalSet:
        return (self - other) | (other - self)

    def complement(self, universe: IntervalSet) -> IntervalSet:
        """Members of `universe` not in this set."""
        return universe - self

    def __le__(self, other: IntervalSet) -> bool:
        return other.contains_set(self)

    def __ge__(self, other: IntervalSet) -> bool:
        return self.contains_set(other)

    # -- value object -----------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self._bounds == other._bounds

    def __hash__(self) -> int:
        if self._hash == -1:
            self._hash = hash(self._bounds)
        return self._hash

    def __repr__(self) -> str:
        parts = [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in self]
        return f"IntervalSet({', '.join(parts)})"

    def describe(self) -> str:
        """Human text such as `22, 80-90`; `none` when empty."""
        if not self._bounds:
            return "none"
        return ", ".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in self)


EMPTY: Final = IntervalSet._from_bounds(())


def union_all(sets: Iterable[IntervalSet]) -> IntervalSet:
    """Union of many sets in one canonicalisation pass."""
    spans: list[tuple[int, int]] = []
    for s in sets:
        spans.extend(s)
    return IntervalSet(spans)
