"""Shared hypothesis strategies and brute-force oracles for the algebra tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from edgeward.algebra.addresses import Addresses
from edgeward.algebra.intervals import IntervalSet

# Small-universe property tests are cheap; keep the whole algebra suite well under 20 s.
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Spans = list[tuple[int, int]]


def spans(lo: int, hi: int, max_size: int = 5, min_size: int = 0) -> st.SearchStrategy[Spans]:
    """Raw (lo, hi) pairs inside [lo, hi]; reversed pairs are empty intervals."""
    bound = st.integers(lo, hi)
    return st.lists(st.tuples(bound, bound), min_size=min_size, max_size=max_size)


def members(raw: Spans) -> set[int]:
    """The oracle: the plain set of integers a list of closed spans denotes."""
    out: set[int] = set()
    for lo, hi in raw:
        out.update(range(lo, hi + 1))
    return out


def oracle_pairs(lo: int, hi: int, max_size: int = 5) -> st.SearchStrategy[tuple[IntervalSet, set[int]]]:
    """An IntervalSet with its independently computed member set."""
    return spans(lo, hi, max_size).map(lambda raw: (IntervalSet(raw), members(raw)))


def from_members(values: set[int]) -> IntervalSet:
    """An IntervalSet built point by point (a second, independent construction path)."""
    return IntervalSet((v, v) for v in values)


def to_set(s: IntervalSet) -> set[int]:
    return members(list(s.intervals))


# -- small address universes: IPv4 0..15 and IPv6 0..3, as integers -------------------------
V4_SMALL = 15
V6_SMALL = 3

Addr = tuple[int, int]  # (version, integer)


def small_addresses() -> st.SearchStrategy[tuple[Addresses, set[Addr]]]:
    """Addresses over the small universes with the oracle set of (version, integer)."""

    def build(raw4: Spans, raw6: Spans) -> tuple[Addresses, set[Addr]]:
        oracle = {(4, a) for a in members(raw4)} | {(6, a) for a in members(raw6)}
        return Addresses(IntervalSet(raw4), IntervalSet(raw6)), oracle

    return st.builds(build, spans(0, V4_SMALL, 3), spans(0, V6_SMALL, 2))


SMALL_ADDRS: list[Addr] = [(4, a) for a in range(V4_SMALL + 1)] + [(6, a) for a in range(V6_SMALL + 1)]


def address_members(a: Addresses) -> set[Addr]:
    """Members of `a` inside the small universes, by membership (not by reading the bounds)."""
    return {(v, x) for v, x in SMALL_ADDRS if x in (a.v4 if v == 4 else a.v6)}


def single(version: int, value: int) -> Addresses:
    point = IntervalSet.point(value)
    return Addresses(point, IntervalSet()) if version == 4 else Addresses(IntervalSet(), point)
