"""IntervalSet against a brute-force oracle: Python sets over the universe 0..63."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edgeward.algebra.intervals import EMPTY, IntervalSet, union_all

from .strategies import FAST, from_members, members, oracle_pairs, spans, to_set

LO, HI = 0, 63
UNIVERSE = IntervalSet.span(LO, HI)
U = set(range(LO, HI + 1))
PROBE = range(LO - 3, HI + 4)  # members are probed slightly beyond the universe too

sets = oracle_pairs(LO, HI)
plain = spans(LO, HI).map(IntervalSet)


def assert_canonical(s: IntervalSet) -> None:
    iv = s.intervals
    assert list(s) == list(iv)
    for lo, hi in iv:
        assert lo <= hi
    for (_, hi), (lo, _) in itertools.pairwise(iv):
        assert hi + 1 < lo, f"not disjoint and non-adjacent: {iv}"


def assert_matches(s: IntervalSet, expected: set[int]) -> None:
    assert_canonical(s)
    assert to_set(s) == expected
    assert {x for x in PROBE if x in s} == expected & set(PROBE)


# -- canonical form ---------------------------------------------------------------------------
@FAST
@given(sets)
def test_construction_is_canonical_and_exact(pair: tuple[IntervalSet, set[int]]) -> None:
    s, expected = pair
    assert_matches(s, expected)


@FAST
@given(sets, st.randoms(use_true_random=False))
def test_equal_sets_have_equal_repr_and_hash(pair: tuple[IntervalSet, set[int]], rnd: random.Random) -> None:
    s, expected = pair
    other = from_members(expected)
    shuffled = list(other)
    rnd.shuffle(shuffled)
    for t in (other, IntervalSet(shuffled), IntervalSet(list(s) + list(s)), s | EMPTY, s & UNIVERSE, s - EMPTY):
        assert t == s
        assert hash(t) == hash(s)
        assert repr(t) == repr(s)
        assert t.intervals == s.intervals


@FAST
@given(sets, sets)
def test_equality_is_set_equality(a: tuple[IntervalSet, set[int]], b: tuple[IntervalSet, set[int]]) -> None:
    assert (a[0] == b[0]) == (a[1] == b[1])
    assert (a[0] != b[0]) == (a[1] != b[1])


def test_reversed_spans_are_empty_and_adjacent_spans_merge() -> None:
    assert IntervalSet([(5, 4)]) == EMPTY
    assert IntervalSet.span(5, 4) == EMPTY
    assert IntervalSet([(1, 3), (4, 6)]).intervals == ((1, 6),)
    assert IntervalSet([(4, 6), (1, 3), (8, 9)]).intervals == ((1, 6), (8, 9))
    assert IntervalSet([(1, 10), (2, 3)]).intervals == ((1, 10),)
    assert repr(IntervalSet([(22, 22), (80, 90)])) == "IntervalSet(22, 80-90)"
    assert IntervalSet([(22, 22), (80, 90)]).describe() == "22, 80-90"
    assert EMPTY.describe() == "none"
    assert repr(EMPTY) == "IntervalSet()"


# -- operations against the oracle -----------------------------------------------------------
@FAST
@given(sets, sets)
def test_binary_operations(a: tuple[IntervalSet, set[int]], b: tuple[IntervalSet, set[int]]) -> None:
    (x, xs), (y, ys) = a, b
    assert_matches(x | y, xs | ys)
    assert_matches(x & y, xs & ys)
    assert_matches(x - y, xs - ys)
    assert_matches(x ^ y, xs ^ ys)


@FAST
@given(sets, spans(LO, HI, 3))
def test_complement_within_universe(a: tuple[IntervalSet, set[int]], raw_universe: list[tuple[int, int]]) -> None:
    x, xs = a
    assert_matches(x.complement(UNIVERSE), U - xs)
    other_universe = IntervalSet(raw_universe)
    assert_matches(x.complement(other_universe), members(raw_universe) - xs)


@FAST
@given(sets, sets)
def test_predicates(a: tuple[IntervalSet, set[int]], b: tuple[IntervalSet, set[int]]) -> None:
    (x, xs), (y, ys) = a, b
    assert x.contains_set(y) == (ys <= xs)
    assert (y <= x) == (ys <= xs)
    assert (x >= y) == (xs >= ys)
    assert x.overlaps(y) == bool(xs & ys)
    assert x.size() == len(xs)
    assert x.is_empty() == (not xs)
    assert bool(x) == bool(xs)


@FAST
@given(sets)
def test_min_max(a: tuple[IntervalSet, set[int]]) -> None:
    x, xs = a
    if xs:
        assert x.min() == min(xs)
        assert x.max() == max(xs)
    else:
        with pytest.raises(ValueError):
            x.min()
        with pytest.raises(ValueError):
            x.max()


def test_contains_rejects_non_integers() -> None:
    s = IntervalSet.span(0, 10)
    assert "3" not in s
    assert None not in s
    assert 3.0 not in s
    assert 3 in s
    assert -1 not in s and 11 not in s


@FAST
@given(st.lists(sets, max_size=6))
def test_union_all(items: list[tuple[IntervalSet, set[int]]]) -> None:
    expected: set[int] = set()
    folded = EMPTY
    for s, xs in items:
        expected |= xs
        folded = folded | s
    assert_matches(union_all(s for s, _ in items), expected)
    assert union_all(s for s, _ in items) == folded


def test_constructors() -> None:
    assert IntervalSet.point(7).intervals == ((7, 7),)
    assert IntervalSet.span(2, 9).intervals == ((2, 9),)
    assert union_all([]) == EMPTY
    assert IntervalSet() == EMPTY
    assert IntervalSet.span(3, 3) == IntervalSet.point(3)


@FAST
@given(spans(0, 63), spans(0, 63))
def test_large_values(r1: list[tuple[int, int]], r2: list[tuple[int, int]]) -> None:
    """The same algebra far from zero (IPv6-sized integers)."""
    base = (1 << 128) - 64
    x = IntervalSet((lo + base, hi + base) for lo, hi in r1)
    y = IntervalSet((lo + base, hi + base) for lo, hi in r2)
    xs = {v + base for v in members(r1)}
    ys = {v + base for v in members(r2)}
    for got, want in ((x | y, xs | ys), (x & y, xs & ys), (x - y, xs - ys), (x ^ y, xs ^ ys)):
        assert_canonical(got)
        assert to_set(got) == want


# -- laws -------------------------------------------------------------------------------------
@FAST
@given(plain, plain, plain)
def test_laws(x: IntervalSet, y: IntervalSet, z: IntervalSet) -> None:
    def c(s: IntervalSet) -> IntervalSet:
        return s.complement(UNIVERSE)

    # identity and annihilation
    assert x | EMPTY == x and x & UNIVERSE == x and x - EMPTY == x and x ^ EMPTY == x
    assert x & EMPTY == EMPTY and x | UNIVERSE == UNIVERSE
    # idempotence
    assert x | x == x and x & x == x
    assert x - x == EMPTY and x ^ x == EMPTY
    # commutativity
    assert x | y == y | x and x & y == y & x and x ^ y == y ^ x
    # associativity
    assert (x | y) | z == x | (y | z)
    assert (x & y) & z == x & (y & z)
    assert (x ^ y) ^ z == x ^ (y ^ z)
    # absorption
    assert x | (x & y) == x and x & (x | y) == x
    # De Morgan
    assert c(x | y) == c(x) & c(y)
    assert c(x & y) == c(x) | c(y)
    # distributivity
    assert x & (y | z) == (x & y) | (x & z)
    assert x | (y & z) == (x | y) & (x | z)
    # complement
    assert c(c(x)) == x
    assert x | c(x) == UNIVERSE and x & c(x) == EMPTY
    assert x - y == x & c(y)
    assert x ^ y == (x | y) - (x & y)
    # order
    assert (x & y) <= x <= (x | y)
    assert (x <= y) == (x | y == y) == (x & y == x)
