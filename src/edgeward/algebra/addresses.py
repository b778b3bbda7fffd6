"""IPv4 + IPv6 address sets: parsed from CIDRs, printed back as the fewest CIDRs."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from edgeward.algebra.intervals import EMPTY, IntervalSet, union_all

V4_MAX: Final = (1 << 32) - 1
V6_MAX: Final = (1 << 128) - 1
V4_UNIVERSE: Final = IntervalSet.span(0, V4_MAX)
V6_UNIVERSE: Final = IntervalSet.span(0, V6_MAX)


class AddressError(ValueError):
    """A string that is not an IPv4/IPv6 address or CIDR."""


@lru_cache(maxsize=65536)
def parse_cidr(text: str) -> tuple[int, int, int]:
    """Parse `10.0.0.0/8`, `2001:db8::/32` or a bare address into (version, first, last).

    Host bits are tolerated and masked, as the EC2 API canonicalises them on write. The prefix
    length must be decimal: `ipaddress` would also read netmask and hostmask notation
    (`10.0.0.0/255.0.0.0`, `10.0.0.0/0.0.0.255`) and IPv6 zone ids, which AWS never accepts.
    """
    stripped = text.strip()
    address, slash, prefix = stripped.partition("/")
    if "%" in address or (slash and not (prefix.isascii() and prefix.isdigit())):
        raise AddressError(f"not an IP address or CIDR: {text!r}")
    value = _dotted_quad(address)
    if value is not None:  # the common cases, without `ipaddress`
        if not slash or (len(prefix) <= 2 and (prefix == "0" or prefix[0] != "0") and int(prefix) <= 32):
            bits = 32 - (int(prefix) if slash else 32)
            first = value >> bits << bits
            return 4, first, first | ((1 << bits) - 1)
    elif ":" in address:
        value = _canonical_ipv6(address)
        if value is not None and (
            not slash or (len(prefix) <= 3 and (prefix == "0" or prefix[0] != "0") and int(prefix) <= 128)
        ):
            bits = 128 - (int(prefix) if slash else 128)
            first = value >> bits << bits
            return 6, first, first | ((1 << bits) - 1)
    try:
        net = ipaddress.ip_network(stripped, strict=False)
    except ValueError as exc:
        raise AddressError(f"not an IP address or CIDR: {text!r}") from exc
    first = int(net.network_address)
    last = int(net.broadcast_address)
    return net.version, first, last


def _dotted_quad(text: str) -> int | None:
    """The value of a canonical IPv4 address (`10.0.0.1`: four decimal octets, no leading zeros), or
    None for anything else, which `ipaddress` then accepts or refuses as before. `inet_aton` also
    reads `10.1`, `0x0a.0.0.1` or `010.0.0.1`; the round trip through `inet_ntoa` keeps only the
    canonical spelling, whose value every parser agrees on."""
    try:
        packed = socket.inet_aton(text)
    except (OSError, ValueError):
        return None
    if socket.inet_ntoa(packed) != text:
        return None
    return int.from_bytes(packed, "big")


def _canonical_ipv6(text: str) -> int | None:
    """The value of an IPv6 address written the way `inet_ntop` writes it (RFC 5952: lower case, the
    longest run of zero groups compressed), or None for any other text, which `ipaddress` then
    accepts or refuses as before. Equal to what `ipaddress` gives, as the text round-trips."""
    try:
        packed = socket.inet_pton(socket.AF_INET6, text)
    except (OSError, ValueError):
        return None
    if socket.inet_ntop(socket.AF_INET6, packed) != text:
        return None
    return int.from_bytes(packed, "big")


def parse_address(text: str) -> tuple[int, int]:
    """Parse a single address into (version, integer); IPv6 zone ids (`fe80::1%eth0`) are refused."""
    if "%" in text:
        raise AddressError(f"not an IP address: {text!r}")
    value = _dotted_quad(text.strip())
    if value is not None:
        return 4, value
    if ":" in text:
        value = _canonical_ipv6(text.strip())
        if value is not None:
            return 6, value
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError as exc:
        raise AddressError(f"not an IP address: {text!r}") from exc
    return addr.version, int(addr)


def _range_to_cidrs(first: int, last: int, bits: int) -> list[tuple[int, int]]:
    """Fewest (network, prefixlen) covering [first, last]."""
    out: list[tuple[int, int]] = []
    while first <= last:
        size = (first & -first).bit_length() - 1 if first else bits
        while size > 0 and first + (1 << size) - 1 > last:
            size -= 1
        out.append((first, bits - size))
        first += 1 << size
    return out


class Addresses:
    """An immutable set of IPv4 and IPv6 addresses."""

    __slots__ = ("_hash", "v4", "v6")

    v4: IntervalSet
    v6: IntervalSet
    _hash: int

    def __init__(self, v4: IntervalSet = EMPTY, v6: IntervalSet = EMPTY) -> None:
        object.__setattr__(self, "v4", v4)
        object.__setattr__(self, "v6", v6)
        object.__setattr__(self, "_hash", -1)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Addresses is immutable")

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> Addresses:
        v4: list[tuple[int, int]] = []
        v6: list[tuple[int, int]] = []
        for text in cidrs:
            version, first, last = parse_cidr(text)
            (v4 if version == 4 else v6).append((first, last))
        return cls(IntervalSet(v4), IntervalSet(v6))

    @classmethod
    def cidr(cls, text: str) -> Addresses:
        return _cidr_addresses(text)

    @classmethod
    def address(cls, text: str) -> Addresses:
        version, value = parse_address(text)
        point = IntervalSet.point(value)
        return cls(point, EMPTY) if version == 4 else cls(EMPTY, point)

    @classmethod
    def everything(cls) -> Addresses:
        return ALL

    @classmethod
    def nothing(cls) -> Addresses:
        return NONE

    # -- algebra ----------------------------------------------------------------------------
    def __or__(self, other: Addresses) -> Addresses:
        v4, v6 = self.v4 | other.v4, self.v6 | other.v6
        if v4 is self.v4 and v6 is self.v6:
            return self
        if v4 is other.v4 and v6 is other.v6:
            return other
        return Addresses(v4, v6)

    def __and__(self, other: Addresses) -> Addresses:
        v4, v6 = self.v4 & other.v4, self.v6 & other.v6
        if v4 is self.v4 and v6 is self.v6:
            return self
        if v4 is other.v4 and v6 is other.v6:
            return other
        if not v4 and not v6:
            return NONE
        return Addresses(v4, v6)

    def __sub__(self, other: Addresses) -> Addresses:
        v4, v6 = self.v4 - other.v4, self.v6 - other.v6
        if v4 is self.v4 and v6 is self.v6:
            return self
        return Addresses(v4, v6)

    def complement(self) -> Addresses:
        return Addresses(V4_UNIVERSE - self.v4, V6_UNIVERSE - self.v6)

    def is_empty(self) -> bool:
        return self.v4.is_empty() and self.v6.is_empty()

    def __bool__(self) -> bool:
        return not self.is_empty()

    def contains_set(self, other: Addresses) -> bool:
        return self.v4.contains_set(other.v4) and self.v6.contains_set(other.v6)

    def overlaps(self, other: Addresses) -> bool:
        return self.v4.overlaps(other.v4) or self.v6.overlaps(other.v6)

    def contains(self, address: str) -> bool:
        version, value = parse_address(address)
        return value in (self.v4 if version == 4 else self.v6)

    def size(self) -> int:
        return self.v4.size() + self.v6.size()

    def first_address(self) -> str | None:
        """A representative member (the lowest IPv4, else the lowest IPv6), or None."""
        if self.v4:
            return str(ipaddress.IPv4Address(self.v4.min()))
        if self.v6:
            return str(ipaddress.IPv6Address(self.v6.min()))
        return None

    # -- printing ---------------------------------------------------------------------------
    def to_cidrs(self) -> list[str]:
        """The fewest CIDRs that cover exactly this set, IPv4 first."""
        return list(_to_cidrs(self.v4, self.v6))

    def describe(self, limit: int = 8) -> str:
        if self.is_empty():
            return "no address"
        cidrs = self.to_cidrs()
        text = ", ".join(cidrs[:limit])
        if len(cidrs) > limit:
            text += f" and {len(cidrs) - limit} more CIDRs"
        return text

    # -- value object -----------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Addresses) and self.v4 == other.v4 and self.v6 == other.v6

    def __hash__(self) -> int:
        if self._hash == -1:  # sets are used as cache keys again and again: hash once
            object.__setattr__(self, "_hash", hash((self.v4, self.v6)))
        return self._hash

    def __repr__(self) -> str:
        return f"Addresses({self.to_cidrs()!r})"


ALL: Final = Addresses(V4_UNIVERSE, V6_UNIVERSE)
NONE: Final = Addresses(EMPTY, EMPTY)


@lru_cache(maxsize=4096)
def _to_cidrs(v4: IntervalSet, v6: IntervalSet) -> tuple[str, ...]:
    """Remembered: traces and reports print the same few sets (internet sources) again and again."""
    out: list[str] = []
    for lo, hi in v4:
        out.extend(f"{ipaddress.IPv4Address(n)}/{p}" for n, p in _range_to_cidrs(lo, hi, 32))
    for lo, hi in v6:
        out.extend(f"{ipaddress.IPv6Address(n)}/{p}" for n, p in _range_to_cidrs(lo, hi, 128))
    return tuple(out)


@lru_cache(maxsize=65536)
def _cidr_addresses(text: str) -> Addresses:
    """One shared value per CIDR text (rules repeat the same CIDRs thousands of times)."""
    version, first, last = parse_cidr(text)
    span = IntervalSet.span(first, last)
    return Addresses(span, EMPTY) if version == 4 else Addresses(EMPTY, span)


def union_addresses(items: Iterable[Addresses]) -> Addresses:
    items = list(items)
    if len(items) == 1:
        return items[0]
    if not items:
        return NONE
    return Addresses(union_all(a.v4 for a in items), union_all(a.v6 for a in items))


def format_address(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))
