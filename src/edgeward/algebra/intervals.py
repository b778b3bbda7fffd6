"""Immutable canonical sets of integers, stored as sorted, disjoint, non-adjacent closed intervals.

One set type serves ports, ICMP type/code, protocol numbers and IPv4/IPv6 addresses (as integers).
Equality is structural because the representation is canonical: two sets with the same members
have the same bounds tuple.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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
    def from_canonical_bounds(cls, bounds: tuple[int, ...]) -> IntervalSet:
        """From flat bounds the caller guarantees canonical (sorted, disjoint, not adjacent): no check."""
        return cls._from_bounds(bounds)

    @classmethod
    def span(cls, lo: int, hi: int) -> IntervalSet:
        """The interval [lo, hi] (empty when lo > hi)."""
        return cls._from_bounds((lo, hi) if lo <= hi else ())

    @classmethod
    def point(cls, value: int) -> IntervalSet:
        return cls._from_bounds((value, value))

    # -- inspection -------------------------------------------------------------------------
    @property
    def bounds(self) -> tuple[int, ...]:
        """Flat (lo0, hi0, lo1, hi1, ...): a cheap total-order key for canonical sets."""
        return self._bounds

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
        o = other._bounds
        if len(o) == 2:  # one interval (often one address): the interval of self holding its start
            b = self._bounds
            i = bisect_right(b, o[0])
            if i & 1:  # o[0] lies in [b[i-1], b[i]]
                return o[1] <= b[i]
            return i > 0 and b[i - 1] == o[0] and o[1] == o[0]
        return (other - self).is_empty()

    def overlaps(self, other: IntervalSet) -> bool:
        return not (self & other).is_empty()

    # -- algebra ----------------------------------------------------------------------------
    def __or__(self, other: IntervalSet) -> IntervalSet:
        a, b = self._bounds, other._bounds
        if not b or a == b:
            return self
        if not a:
            return other
        if len(a) == 2 and len(b) == 2:  # the common case: two single intervals
            if a[0] <= b[0]:
                if b[0] <= a[1] + 1:
                    return self if a[1] >= b[1] else IntervalSet._from_bounds((a[0], b[1]))
                return IntervalSet._from_bounds(a + b)
            if a[0] <= b[1] + 1:
                return other if b[1] >= a[1] else IntervalSet._from_bounds((b[0], a[1]))
            return IntervalSet._from_bounds(b + a)
        return IntervalSet(list(self) + list(other))

    def __and__(self, other: IntervalSet) -> IntervalSet:
        a, b = self._bounds, other._bounds
        if not a or not b or a[-1] < b[0] or b[-1] < a[0]:
            return EMPTY
        if len(a) == 2 and len(b) == 2:  # the common case: two single intervals
            if a[0] >= b[0] and a[1] <= b[1]:
                return self
            if b[0] >= a[0] and b[1] <= a[1]:
                return other
            return IntervalSet._from_bounds((max(a[0], b[0]), min(a[1], b[1])))
        if a == b:
            return self
        if len(a) == 2:
            return other._clip(a[0], a[1])
        if len(b) == 2:
            return self._clip(b[0], b[1])
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

    def _clip(self, lo: int, hi: int) -> IntervalSet:
        """This set ∩ [lo, hi], found by bisection (the bounds are sorted)."""
        b = self._bounds
        i = bisect_left(b, lo)
        j = bisect_right(b, hi)
        if i == 0 and j == len(b):
            return self
        middle = b[i:j]
        if i & 1:
            middle = (lo, *middle)
        if j & 1:
            middle = (*middle, hi)
        return IntervalSet._from_bounds(middle) if middle else EMPTY

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
    nonempty = [s for s in sets if s._bounds]
    if len(nonempty) <= 1:
        return nonempty[0] if nonempty else EMPTY
    if len(nonempty) == 2:
        return nonempty[0] | nonempty[1]
    spans: list[tuple[int, int]] = []
    for s in nonempty:
        b = s._bounds
        spans.extend(zip(b[::2], b[1::2], strict=True))
    return IntervalSet(spans)
