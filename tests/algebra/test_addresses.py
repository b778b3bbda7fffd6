"""Addresses: CIDR parsing and printing against `ipaddress`, the algebra against a small oracle."""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edgeward.algebra.addresses import (
    ALL,
    NONE,
    V4_MAX,
    V4_UNIVERSE,
    V6_MAX,
    V6_UNIVERSE,
    AddressError,
    Addresses,
    format_address,
    parse_address,
    parse_cidr,
    union_addresses,
)
from edgeward.algebra.intervals import EMPTY, IntervalSet

from .strategies import FAST, SLOW, SMALL_ADDRS, Addr, address_members, single, small_addresses

MAX = {4: V4_MAX, 6: V6_MAX}
BITS = {4: 32, 6: 128}
ADDRESS_CLASS = {4: IPv4Address, 6: IPv6Address}


def edge_int(version: int) -> st.SearchStrategy[int]:
    """Addresses biased toward CIDR boundaries (k-aligned values, +-1) and the universe edges."""
    top = MAX[version]
    aligned = st.builds(
        lambda k, j, d: min(top, max(0, (j << k) + d)),
        st.integers(0, BITS[version]),
        st.integers(0, 1 << 8),
        st.integers(-1, 1),
    )
    return st.one_of(st.integers(0, top), aligned, st.sampled_from([0, 1, top - 1, top]))


def ranges(version: int, max_size: int = 4) -> st.SearchStrategy[list[tuple[int, int]]]:
    pair = st.tuples(edge_int(version), edge_int(version)).map(lambda t: (min(t), max(t)))
    return st.lists(pair, max_size=max_size)


def summarize(version: int, lo: int, hi: int) -> list[IPv4Network] | list[IPv6Network]:
    if version == 4:
        return list(ipaddress.summarize_address_range(IPv4Address(lo), IPv4Address(hi)))
    return list(ipaddress.summarize_address_range(IPv6Address(lo), IPv6Address(hi)))


def expected_cidrs(version: int, raw: list[tuple[int, int]]) -> list[str]:
    """The oracle: `ipaddress` summarises each range, then collapses the lot."""
    if version == 4:
        v4 = [n for lo, hi in raw for n in ipaddress.summarize_address_range(IPv4Address(lo), IPv4Address(hi))]
        return [str(n) for n in ipaddress.collapse_addresses(v4)]
    v6 = [n for lo, hi in raw for n in ipaddress.summarize_address_range(IPv6Address(lo), IPv6Address(hi))]
    return [str(n) for n in ipaddress.collapse_addresses(v6)]


def build(v4: list[tuple[int, int]], v6: list[tuple[int, int]]) -> Addresses:
    return Addresses(IntervalSet(v4), IntervalSet(v6))


# -- printing: fewest CIDRs, exact round trip -------------------------------------------------
@FAST
@given(ranges(4), ranges(6))
def test_to_cidrs_is_fewest_and_round_trips(v4: list[tuple[int, int]], v6: list[tuple[int, int]]) -> None:
    a = build(v4, v6)
    cidrs = a.to_cidrs()
    assert cidrs == expected_cidrs(4, v4) + expected_cidrs(6, v6)
    assert Addresses.from_cidrs(cidrs) == a
    assert union_addresses(Addresses.cidr(c) for c in cidrs) == a


@FAST
@given(st.sampled_from([4, 6]).flatmap(lambda v: st.tuples(st.just(v), edge_int(v), edge_int(v))))
def test_single_range_matches_summarize(case: tuple[int, int, int]) -> None:
    version, x, y = case
    lo, hi = min(x, y), max(x, y)
    span = IntervalSet.span(lo, hi)
    a = Addresses(span, EMPTY) if version == 4 else Addresses(EMPTY, span)
    expected = [str(n) for n in summarize(version, lo, hi)]
    assert a.to_cidrs() == expected
    assert Addresses.from_cidrs(expected) == a


@pytest.mark.parametrize(
    ("v4", "v6", "cidrs"),
    [
        ([(0, V4_MAX)], [], ["0.0.0.0/0"]),
        ([], [(0, V6_MAX)], ["::/0"]),
        ([(0, V4_MAX)], [(0, V6_MAX)], ["0.0.0.0/0", "::/0"]),
        ([(V4_MAX, V4_MAX)], [], ["255.255.255.255/32"]),
        ([(0, 0)], [], ["0.0.0.0/32"]),
        ([], [(V6_MAX, V6_MAX)], ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"]),
        ([], [(0, 0)], ["::/128"]),
        ([], [(1, V6_MAX)], [str(n) for n in summarize(6, 1, V6_MAX)]),
        ([(0, V4_MAX - 1)], [], None),
        ([], [], []),
    ],
)
def test_edge_cidrs(v4: list[tuple[int, int]], v6: list[tuple[int, int]], cidrs: list[str] | None) -> None:
    a = build(v4, v6)
    if cidrs is None:
        cidrs = expected_cidrs(4, v4)
        assert len(cidrs) == 32  # 0.0.0.0 .. 255.255.255.254 needs one CIDR per prefix length
    assert a.to_cidrs() == cidrs
    assert Addresses.from_cidrs(cidrs) == a


def test_universes() -> None:
    assert Addresses.everything() == ALL == Addresses.from_cidrs(["0.0.0.0/0", "::/0"])
    assert Addresses.nothing() == NONE == Addresses.from_cidrs([])
    assert ALL.v4 == V4_UNIVERSE and ALL.v6 == V6_UNIVERSE
    assert ALL.size() == (1 << 32) + (1 << 128)
    assert ALL.complement() == NONE and NONE.complement() == ALL
    assert ALL.describe() == "0.0.0.0/0, ::/0"
    assert NONE.describe() == "no address"
    assert not NONE and ALL


# -- parsing ----------------------------------------------------------------------------------
@FAST
@given(st.sampled_from([4, 6]).flatmap(lambda v: st.tuples(st.just(v), edge_int(v), st.integers(0, BITS[v]))))
def test_parse_masks_host_bits(case: tuple[int, int, int]) -> None:
    version, value, prefix = case
    text = f"{ADDRESS_CLASS[version](value)}/{prefix}"
    net = ipaddress.ip_network(text, strict=False)
    assert parse_cidr(text) == (version, int(net.network_address), int(net.broadcast_address))
    assert Addresses.from_cidrs([text]).to_cidrs() == [str(net)]
    assert Addresses.cidr(text) == Addresses.from_cidrs([str(net)])


@SLOW
@given(
    st.lists(
        st.sampled_from([4, 6]).flatmap(
            lambda v: st.tuples(edge_int(v), st.integers(0, BITS[v])).map(lambda t: f"{ADDRESS_CLASS[v](t[0])}/{t[1]}")
        ),
        max_size=6,
    )
)
def test_from_cidrs_union_matches_collapse(texts: list[str]) -> None:
    nets = [ipaddress.ip_network(t, strict=False) for t in texts]
    expected = [str(n) for n in ipaddress.collapse_addresses([n for n in nets if n.version == 4])]
    expected += [str(n) for n in ipaddress.collapse_addresses([n for n in nets if n.version == 6])]
    a = Addresses.from_cidrs(texts)
    assert a.to_cidrs() == expected
    assert a == union_addresses(Addresses.cidr(t) for t in texts)


@pytest.mark.parametrize(
    ("text", "cidr"),
    [
        ("10.0.0.5/8", "10.0.0.0/8"),
        ("192.168.1.77/24", "192.168.1.0/24"),
        ("10.1.2.3/0", "0.0.0.0/0"),
        ("10.1.2.3/32", "10.1.2.3/32"),
        ("10.1.2.3", "10.1.2.3/32"),
        (" 10.0.0.0/16 ", "10.0.0.0/16"),
        ("2001:db8::1/32", "2001:db8::/32"),
        ("2001:DB8::1/64", "2001:db8::/64"),
        ("2001:db8::1", "2001:db8::1/128"),
        ("::1/0", "::/0"),
    ],
)
def test_host_bits_masked_as_ec2_does(text: str, cidr: str) -> None:
    assert Addresses.from_cidrs([text]).to_cidrs() == [cidr]
    assert Addresses.cidr(text).to_cidrs() == [cidr]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "10/8",
        "10.0.0",
        "256.0.0.0/8",
        "1.2.3.4/33",
        "1.2.3.4/-1",
        "1.2.3.4/",
        "1.2.3.4/+8",
        "1.2.3.4/ 8",
        "1.2.3.4/8/8",
        "1.2.3.4/x",
        "010.0.0.0/8",
        "10.0.0.0/255.0.0.0",
        "10.0.0.0/0.0.0.255",
        "::/129",
        "2001:db8:::/32",
        "2001:db8::/ffff::",
        "fe80::1%eth0/64",
        "10.0.0.0-10.0.0.255",
    ],
)
def test_bad_cidr_raises(text: str) -> None:
    with pytest.raises(AddressError):
        parse_cidr(text)
    with pytest.raises(AddressError):
        Addresses.from_cidrs(["10.0.0.0/8", text])
    with pytest.raises(AddressError):
        Addresses.cidr(text)
    assert issubclass(AddressError, ValueError)


@pytest.mark.parametrize("text", ["", "10.0.0.0/8", "1.2.3", "::g", "fe80::1%eth0"])
def test_bad_address_raises(text: str) -> None:
    with pytest.raises(AddressError):
        parse_address(text)
    with pytest.raises(AddressError):
        Addresses.address(text)
    with pytest.raises(AddressError):
        ALL.contains(text)


def test_parse_address_and_format() -> None:
    assert parse_address("10.0.0.1") == (4, 0x0A000001)
    assert parse_address("::1") == (6, 1)
    assert Addresses.address("10.0.0.1") == Addresses.cidr("10.0.0.1/32")
    assert format_address(4, 0x0A000001) == "10.0.0.1"
    assert format_address(6, 1) == "::1"


# -- IPv4 and IPv6 never mix ------------------------------------------------------------------
def test_families_never_mix() -> None:
    v4 = Addresses.from_cidrs(["0.0.0.0/0"])
    v6 = Addresses.from_cidrs(["::/0"])
    assert v4.v6 == EMPTY and v6.v4 == EMPTY
    assert not v4.overlaps(v6) and (v4 & v6) == NONE
    assert not v6.contains("1.2.3.4") and not v6.contains("0.0.0.0")
    assert not v4.contains("::") and not v4.contains("::ffff:1.2.3.4")
    mapped = Addresses.cidr("::ffff:1.2.3.4/128")
    assert mapped.v4 == EMPTY and mapped.to_cidrs() == ["::ffff:102:304/128"]
    assert not mapped.overlaps(Addresses.cidr("1.2.3.4/32"))
    assert v4.complement() == v6 and v6.complement() == v4
    assert single(4, 5) != single(6, 5)
    assert (v4 | v6).to_cidrs() == ["0.0.0.0/0", "::/0"]
    assert (v6 | v4).to_cidrs() == ["0.0.0.0/0", "::/0"]  # IPv4 first whatever the order of the union
    assert Addresses.from_cidrs(["::/0", "10.0.0.0/8"]).to_cidrs() == ["10.0.0.0/8", "::/0"]


# -- the algebra against the small oracle ----------------------------------------------------
Pair = tuple[Addresses, set[Addr]]


@FAST
@given(small_addresses(), small_addresses())
def test_algebra_matches_oracle(a: Pair, b: Pair) -> None:
    (x, xs), (y, ys) = a, b
    assert address_members(x) == xs
    assert address_members(x | y) == xs | ys
    assert address_members(x & y) == xs & ys
    assert address_members(x - y) == xs - ys
    assert x.contains_set(y) == (ys <= xs)
    assert x.overlaps(y) == bool(xs & ys)
    assert x.size() == len(xs)
    assert x.is_empty() == (not xs) == (not x)
    assert (x == y) == (xs == ys)
    if xs == ys:
        assert hash(x) == hash(y) and repr(x) == repr(y)
    for version, value in SMALL_ADDRS:
        assert x.contains(format_address(version, value)) == ((version, value) in xs)


@FAST
@given(small_addresses())
def test_complement_matches_oracle(a: Pair) -> None:
    x, xs = a
    c = x.complement()
    assert address_members(c) == set(SMALL_ADDRS) - xs
    assert c.size() == (1 << 32) + (1 << 128) - len(xs)
    assert c.contains("255.255.255.255") and c.contains("ffff::")
    assert c.complement() == x
    assert (x | c) == ALL and (x & c) == NONE


@FAST
@given(small_addresses())
def test_first_address_and_describe(a: Pair) -> None:
    x, xs = a
    first = x.first_address()
    v4 = sorted(v for ver, v in xs if ver == 4)
    v6 = sorted(v for ver, v in xs if ver == 6)
    if v4:
        assert first == format_address(4, v4[0])
    elif v6:
        assert first == format_address(6, v6[0])
    else:
        assert first is None
    cidrs = x.to_cidrs()
    if len(cidrs) > 2:
        assert x.describe(limit=2) == f"{cidrs[0]}, {cidrs[1]} and {len(cidrs) - 2} more CIDRs"
    elif cidrs:
        assert x.describe(limit=2) == ", ".join(cidrs)


@FAST
@given(st.lists(small_addresses(), max_size=5))
def test_union_addresses(items: list[Pair]) -> None:
    expected: set[Addr] = set()
    for _, xs in items:
        expected |= xs
    assert address_members(union_addresses(x for x, _ in items)) == expected
    assert union_addresses(iter([x for x, _ in items])) == union_addresses([x for x, _ in items])


def test_immutable() -> None:
    a = Addresses.cidr("10.0.0.0/8")
    with pytest.raises(AttributeError):
        a.v4 = EMPTY
