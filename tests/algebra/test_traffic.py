"""TrafficSpace against a brute-force oracle: sets of (protocol, port, address) over a small universe.

Universe: protocols 0..3 x ports 0..7 x (IPv4 0..15 + IPv6 0..3).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeward.algebra.addresses import ALL, NONE, Addresses
from edgeward.algebra.intervals import EMPTY, IntervalSet, union_all
from edgeward.algebra.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    Box,
    TrafficSpace,
    describe_ports,
    has_ports,
    icmp_point,
    icmp_span,
    is_icmp,
    protocol_name,
)

from .strategies import FAST, SLOW, SMALL_ADDRS, Addr, address_members, members, single, small_addresses, spans

PROTOS = range(4)
PORTS = range(8)
Point = tuple[int, int, Addr]
UNIVERSE: set[Point] = set(itertools.product(PROTOS, PORTS, SMALL_ADDRS))
SMALL = TrafficSpace.of(
    IntervalSet.span(0, 3), IntervalSet.span(0, 7), Addresses(IntervalSet.span(0, 15), IntervalSet.span(0, 3))
)


def boxes() -> st.SearchStrategy[tuple[Box, set[Point]]]:
    def build(
        rp: list[tuple[int, int]], rq: list[tuple[int, int]], peers: tuple[Addresses, set[Addr]]
    ) -> tuple[Box, set[Point]]:
        box = Box(IntervalSet(rp), IntervalSet(rq), peers[0])
        return box, set(itertools.product(members(rp), members(rq), peers[1]))

    return st.builds(build, spans(0, 3, 2, min_size=1), spans(0, 7, 2, min_size=1), small_addresses())


def spaces(max_boxes: int = 4) -> st.SearchStrategy[tuple[TrafficSpace, set[Point]]]:
    def build(items: list[tuple[Box, set[Point]]]) -> tuple[TrafficSpace, set[Point]]:
        oracle: set[Point] = set()
        for _, pts in items:
            oracle |= pts
        return TrafficSpace(b for b, _ in items), oracle

    return st.lists(boxes(), max_size=max_boxes).map(build)


def points_of(space: TrafficSpace) -> set[Point]:
    """Members inside the small universe, by single-address membership."""
    return {(p, q, a) for p, q, a in UNIVERSE if space.contains(p, q, single(*a))}


def box_points(box: Box) -> set[Point]:
    return {
        (p, q, a) for p, q, a in UNIVERSE if p in box.protocols and q in box.ports and a in address_members(box.peers)
    }


Pair = tuple[TrafficSpace, set[Point]]


# -- membership of the set operations ---------------------------------------------------------
@FAST
@given(spaces())
def test_construction(a: Pair) -> None:
    s, ss = a
    assert points_of(s) == ss
    assert s.is_empty() == (not ss) == (not s)
    assert all(not b.is_empty() for b in s)
    # boxes with the same protocols x ports are merged
    assert len({(b.protocols, b.ports) for b in s.boxes}) == len(s.boxes)
    # so they are distinct and non-empty: of_distinct takes them as they are, the same space
    again = TrafficSpace.of_distinct(s.boxes)
    assert points_of(again) == ss and again.boxes == s.boxes and again == s


@SLOW
@given(spaces(), spaces())
def test_binary_operations(a: Pair, b: Pair) -> None:
    (x, xs), (y, ys) = a, b
    assert points_of(x | y) == xs | ys
    assert points_of(x & y) == xs & ys
    assert points_of(x - y) == xs - ys
    assert (x == y) == (xs == ys)
    assert points_of(x.restrict(IntervalSet.span(1, 2), IntervalSet.span(3, 6), single(4, 3) | single(6, 1))) == {
        (p, q, ad) for p, q, ad in xs if p in (1, 2) and 3 <= q <= 6 and ad in ((4, 3), (6, 1))
    }


@SLOW
@given(spaces())
def test_complement(a: Pair) -> None:
    x, xs = a
    c = x.complement()
    assert points_of(c) == UNIVERSE - xs
    assert (c & x).is_empty()
    assert (c | x) == TrafficSpace.everything()
    assert c.complement() == x
    # outside the small universe everything is in the complement
    assert c.contains(200, 65535, ALL)
    assert c.contains(0, 8, single(4, 0))
    assert c.contains(0, 0, Addresses.cidr("10.0.0.0/8"))


@SLOW
@given(spaces(3), spaces(3), spaces(3))
def test_laws(a: Pair, b: Pair, c: Pair) -> None:
    x, y, z = a[0], b[0], c[0]
    e = TrafficSpace()
    assert x | e == x and x & TrafficSpace.everything() == x and x - e == x
    assert x | x == x and x & x == x and (x - x).is_empty()
    assert x | y == y | x and x & y == y & x
    assert (x | y) | z == x | (y | z) and (x & y) & z == x & (y & z)
    assert x | (x & y) == x and x & (x | y) == x
    assert (x | y).complement() == x.complement() & y.complement()
    assert (x & y).complement() == x.complement() | y.complement()
    assert x & (y | z) == (x & y) | (x & z)
    assert x | (y & z) == (x | y) & (x | z)


@settings(max_examples=1000, deadline=None)
@given(boxes(), boxes())
def test_box_minus_is_disjoint_and_exact(a: tuple[Box, set[Point]], b: tuple[Box, set[Point]]) -> None:
    (x, xs), (y, ys) = a, b
    pieces = x.minus(y)
    assert len(pieces) <= 3
    seen: set[Point] = set()
    for piece in pieces:
        pts = box_points(piece)
        assert not (pts & seen), "pieces overlap"
        seen |= pts
    assert seen == xs - ys
    assert box_points(x & y) == xs & ys


def test_box_minus_pieces() -> None:
    x = Box(IntervalSet.span(0, 3), IntervalSet.span(0, 7), Addresses(IntervalSet.span(0, 15)))
    y = Box(IntervalSet.span(1, 2), IntervalSet.span(2, 5), Addresses(IntervalSet.span(4, 7)))
    assert x.minus(y) == [
        Box(IntervalSet([(0, 0), (3, 3)]), IntervalSet.span(0, 7), x.peers),
        Box(IntervalSet.span(1, 2), IntervalSet([(0, 1), (6, 7)]), x.peers),
        Box(IntervalSet.span(1, 2), IntervalSet.span(2, 5), Addresses(IntervalSet([(0, 3), (8, 15)]))),
    ]
    assert x.minus(Box(IntervalSet.span(5, 6), y.ports, y.peers)) == [x]
    assert x.minus(x) == []


# -- queries ----------------------------------------------------------------------------------
@SLOW
@given(spaces(), small_addresses())
def test_queries_match_brute_force(a: Pair, peer: tuple[Addresses, set[Addr]]) -> None:
    s, ss = a
    p_addr, p_set = peer
    for proto in PROTOS:
        for port in PORTS:
            allowed = {ad for p, q, ad in ss if p == proto and q == port}
            assert s.contains(proto, port, p_addr) == (p_set <= allowed)
            assert address_members(s.peers_for(proto, port)) == allowed
        # ports where *every* address of the peer set is allowed (vacuously all for an empty peer)
        expected_ports = {q for q in PORTS if all((proto, q, ad) in ss for ad in p_set)}
        got = s.ports_for(proto, p_addr)
        if p_set:
            assert got <= IntervalSet.span(0, 7)
            assert members(list(got.intervals)) == expected_ports
        else:
            assert got == ALL_PORTS
        for lo, hi in [(0, 7), (0, 0), (2, 5), (7, 7), (3, 2)]:
            ports = IntervalSet.span(lo, hi)
            expected = {ad for p, q, ad in ss if p == proto and q in ports}
            assert address_members(s.peers_for_ports(proto, ports)) == expected


@SLOW
@given(spaces(), small_addresses())
def test_ports_for_agrees_with_contains(a: Pair, peer: tuple[Addresses, set[Addr]]) -> None:
    s, _ = a
    p_addr, _ = peer
    for proto in (0, 2, 9):
        ports = s.ports_for(proto, p_addr)
        for port in [*PORTS, 8, 1000, 65535]:
            assert (port in ports) == s.contains(proto, port, p_addr)


def test_ports_for_peer_split_across_boxes() -> None:
    left, right = Addresses.cidr("10.0.0.0/25"), Addresses.cidr("10.0.0.128/25")
    whole = Addresses.cidr("10.0.0.0/24")
    tcp = IntervalSet.point(TCP)
    space = TrafficSpace(
        [
            Box(tcp, IntervalSet.span(20, 90), left),
            Box(tcp, IntervalSet.span(80, 100), right),
            Box(tcp, IntervalSet.span(85, 443), left),
        ]
    )
    assert space.ports_for(TCP, whole) == IntervalSet.span(80, 100)
    assert space.ports_for(TCP, left) == IntervalSet.span(20, 443)
    assert space.ports_for(TCP, Addresses.cidr("10.0.0.0/23")) == EMPTY
    assert space.ports_for(UDP, left) == EMPTY
    assert space.contains(TCP, 85, whole) and not space.contains(TCP, 101, whole)
    assert space.peers_for(TCP, 85) == whole
    assert space.peers_for_ports(TCP, IntervalSet.span(101, 200)) == left
    assert space.ports_for(TCP, NONE) == ALL_PORTS


def test_portless_protocols_take_all_ports() -> None:
    space = TrafficSpace.of(ALL_PROTOCOLS, ALL_PORTS, Addresses.cidr("0.0.0.0/0"))
    assert space.contains(50, 0, Addresses.cidr("1.2.3.4/32"))
    assert space.ports_for(47, Addresses.cidr("1.2.3.4/32")) == ALL_PORTS
    assert not space.contains(50, 0, Addresses.cidr("::/0"))


# -- ICMP folding -----------------------------------------------------------------------------
@FAST
@given(st.integers(-1, 255), st.integers(-1, 255), st.integers(0, 255), st.integers(0, 255))
def test_icmp_span_membership(t: int, c: int, pt: int, pc: int) -> None:
    span = icmp_span(t, c)
    expected = (t == -1) or (t == pt and (c == -1 or c == pc))
    assert (icmp_point(pt, pc) in span) == expected
    assert span <= ALL_PORTS


def test_icmp_span_shapes() -> None:
    assert icmp_span(-1, -1) == ALL_PORTS
    assert icmp_span(-1, 4) == ALL_PORTS
    assert icmp_span(8, 0) == IntervalSet.point(8 * 256)
    assert icmp_span(3, 4) == IntervalSet.point(3 * 256 + 4)
    assert icmp_span(3, -1) == IntervalSet.span(768, 1023)
    assert icmp_span(255, 255) == IntervalSet.point(65535)
    assert icmp_point(255, 255) == ALL_PORTS.max()
    # every type's span tiles the port dimension, and every code's point tiles its type
    assert union_all(icmp_span(t, -1) for t in range(256)) == ALL_PORTS
    assert sum(icmp_span(t, -1).size() for t in range(256)) == ALL_PORTS.size()
    assert union_all(icmp_span(3, c) for c in range(256)) == icmp_span(3, -1)


@pytest.mark.parametrize(
    ("protocol", "ports", "text"),
    [
        (TCP, IntervalSet.point(22), "port 22"),
        (TCP, IntervalSet.span(1024, 65535), "ports 1024-65535"),
        (UDP, IntervalSet([(53, 53), (123, 123)]), "ports 53, 123"),
        (TCP, IntervalSet([(22, 22), (80, 90)]), "ports 22, 80-90"),
        (TCP, ALL_PORTS, "all ports"),
        (50, IntervalSet.point(0), "all ports"),
        (47, ALL_PORTS, "all ports"),
        (ICMP, ALL_PORTS, "all types and codes"),
        (ICMPV6, ALL_PORTS, "all types and codes"),
        (ICMP, icmp_span(8, 0), "type 8 code 0"),
        (ICMP, icmp_span(3, -1), "type 3"),
        (ICMP, icmp_span(3, -1) | icmp_span(4, -1), "types 3-4"),
        (ICMP, icmp_span(0, 0) | icmp_span(8, 0), "type 0 code 0, type 8 code 0"),
        (ICMPV6, icmp_span(128, -1) | icmp_span(1, 4), "type 1 code 4, type 128"),
        (ICMP, IntervalSet.span(icmp_point(3, 1), icmp_point(3, 4)), "type 3 code 1 to type 3 code 4"),
    ],
)
def test_describe_ports(protocol: int, ports: IntervalSet, text: str) -> None:
    assert describe_ports(protocol, ports) == text


def test_protocol_helpers() -> None:
    assert all(has_ports(p) for p in (TCP, UDP, ICMP, ICMPV6))
    assert not has_ports(50) and not has_ports(0)
    assert is_icmp(ICMP) and is_icmp(ICMPV6) and not is_icmp(TCP)
    assert protocol_name(TCP) == "tcp" and protocol_name(ICMPV6) == "icmpv6" and protocol_name(50) == "50"


def test_small_universe_space() -> None:
    assert points_of(SMALL) == UNIVERSE
    assert points_of(TrafficSpace()) == set()
    assert TrafficSpace.everything().contains(255, 65535, ALL)
    with pytest.raises(AttributeError):
        SMALL.boxes = ()
