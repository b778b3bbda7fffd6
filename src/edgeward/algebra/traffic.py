"""Traffic spaces: unions of boxes protocol x port x peer addresses.

The port dimension carries TCP/UDP ports, or for ICMP and ICMPv6 the pair (type, code) folded as
`type * 256 + code`, so one shape serves every protocol. Protocols without ports (protocol -1 rules,
GRE, ESP, ...) always take the full port range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from edgeward.algebra.addresses import ALL, Addresses, union_addresses
from edgeward.algebra.intervals import IntervalSet

TCP: Final = 6
UDP: Final = 17
ICMP: Final = 1
ICMPV6: Final = 58

PROTOCOL_NAMES: Final = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}
PROTOCOL_NUMBERS: Final = {name: number for number, name in PROTOCOL_NAMES.items()}

ALL_PROTOCOLS: Final = IntervalSet.span(0, 255)
ALL_PORTS: Final = IntervalSet.span(0, 65535)
EPHEMERAL_PORTS: Final = IntervalSet.span(1024, 65535)


def has_ports(protocol: int) -> bool:
    """TCP and UDP have ports; ICMP and ICMPv6 have type/code in the port dimension."""
    return protocol in (TCP, UDP, ICMP, ICMPV6)


def is_icmp(protocol: int) -> bool:
    return protocol in (ICMP, ICMPV6)


def icmp_point(icmp_type: int, icmp_code: int) -> int:
    return icmp_type * 256 + icmp_code


def icmp_span(icmp_type: int, icmp_code: int) -> IntervalSet:
    """The type/code set for `type` and `code`, -1 meaning every value."""
    if icmp_type < 0:
        return ALL_PORTS
    if icmp_code < 0:
        return IntervalSet.span(icmp_type * 256, icmp_type * 256 + 255)
    return IntervalSet.point(icmp_point(icmp_type, icmp_code))


def protocol_name(protocol: int) -> str:
    return PROTOCOL_NAMES.get(protocol, str(protocol))


def describe_ports(protocol: int, ports: IntervalSet) -> str:
    """`port 22`, `ports 1024-65535`, `ICMP type 8 code 0`, `all ports`."""
    if not has_ports(protocol) or ports == ALL_PORTS:
        return "all ports" if not is_icmp(protocol) else "all types and codes"
    if is_icmp(protocol):
        parts: list[str] = []
        for lo, hi in ports:
            t_lo, c_lo, t_hi, c_hi = lo // 256, lo % 256, hi // 256, hi % 256
            if c_lo == 0 and c_hi == 255:
                parts.append(f"type {t_lo}" if t_lo == t_hi else f"types {t_lo}-{t_hi}")
            elif lo == hi:
                parts.append(f"type {t_lo} code {c_lo}")
            else:
                parts.append(f"type {t_lo} code {c_lo} to type {t_hi} code {c_hi}")
        return ", ".join(parts)
    if ports.size() == 1:
        return f"port {ports.min()}"
    return f"ports {ports.describe()}"


@dataclass(frozen=True, slots=True)
class Box:
    """protocols x ports x peers; empty if any dimension is empty."""

    protocols: IntervalSet
    ports: IntervalSet
    peers: Addresses

    def is_empty(self) -> bool:
        return self.protocols.is_empty() or self.ports.is_empty() or self.peers.is_empty()

    def __and__(self, other: Box) -> Box:
        return Box(self.protocols & other.protocols, self.ports & other.ports, self.peers & other.peers)

    def minus(self, other: Box) -> list[Box]:
        """self - other as at most three disjoint boxes."""
        common_protocols = self.protocols & other.protocols
        common_ports = self.ports & other.ports
        common_peers = self.peers & other.peers
        if common_protocols.is_empty() or common_ports.is_empty() or common_peers.is_empty():
            return [self]
        pieces = [
            Box(self.protocols - other.protocols, self.ports, self.peers),
            Box(common_protocols, self.ports - other.ports, self.peers),
            Box(common_protocols, common_ports, self.peers - other.peers),
        ]
        return [p for p in pieces if not p.is_empty()]

    def contains(self, protocol: int, port: int, peer: Addresses) -> bool:
        return protocol in self.protocols and port in self.ports and self.peers.contains_set(peer)


class TrafficSpace:
    """An immutable union of boxes. Membership is exact; the box list is kept small, not canonical."""

    __slots__ = ("_peers", "boxes")

    boxes: tuple[Box, ...]
    _peers: dict[tuple[int, int | IntervalSet], Addresses]  # remembered answers of peers_for(_ports)

    def __init__(self, boxes: Iterable[Box] = ()) -> None:
        merged: dict[tuple[IntervalSet, IntervalSet], list[Box]] = {}
        for box in boxes:
            if not box.is_empty():
                key = (box.protocols, box.ports)
                same = merged.get(key)
                if same is None:
                    merged[key] = [box]
                else:
                    same.append(box)
        object.__setattr__(
            self,
            "boxes",
            tuple(
                same[0] if len(same) == 1 else Box(protos, ports, union_addresses(b.peers for b in same))
                for (protos, ports), same in merged.items()
            ),
        )
        object.__setattr__(self, "_peers", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("TrafficSpace is immutable")

    @classmethod
    def of_distinct(cls, boxes: Iterable[Box]) -> TrafficSpace:
        """The space of boxes the caller guarantees non-empty and with distinct (protocols, ports):
        the same space as `TrafficSpace(boxes)`, without its merging pass."""
        space = cls.__new__(cls)
        object.__setattr__(space, "boxes", tuple(boxes))
        object.__setattr__(space, "_peers", {})
        return space

    @classmethod
    def everything(cls) -> TrafficSpace:
        return cls([Box(ALL_PROTOCOLS, ALL_PORTS, ALL)])

    @classmethod
    def of(cls, protocols: IntervalSet, ports: IntervalSet, peers: Addresses) -> TrafficSpace:
        return cls([Box(protocols, ports, peers)])

    def __iter__(self) -> Iterator[Box]:
        return iter(self.boxes)

    def is_empty(self) -> bool:
        return not self.boxes

    def __bool__(self) -> bool:
        return bool(self.boxes)

    def __or__(self, other: TrafficSpace) -> TrafficSpace:
        return TrafficSpace(self.boxes + other.boxes)

    def __and__(self, other: TrafficSpace) -> TrafficSpace:
        out: list[Box] = []
        for a in self.boxes:
            for b in other.boxes:
                protocols = a.protocols & b.protocols
                if not protocols:
                    continue
                ports = a.ports & b.ports
                if not ports:
                    continue
                peers = a.peers & b.peers
                if peers:
                    out.append(Box(protocols, ports, peers))
        return TrafficSpace(out)

    def __sub__(self, other: TrafficSpace) -> TrafficSpace:
        current = list(self.boxes)
        for cut in other.boxes:
            nxt: list[Box] = []
            for box in current:
                nxt.extend(box.minus(cut))
            current = nxt
        return TrafficSpace(current)

    def complement(self) -> TrafficSpace:
        return TrafficSpace.everything() - self

    def contains(self, protocol: int, port: int, peer: Addresses) -> bool:
        """True when (protocol, port) with every address of `peer` is in the space."""
        remaining = peer
        for box in self.boxes:
            if protocol in box.protocols and port in box.ports:
                remaining = remaining - box.peers
                if remaining.is_empty():
                    return True
        return remaining.is_empty()

    def peers_for(self, protocol: int, port: int) -> Addresses:
        """Every peer address allowed with this protocol and port."""
        key = (protocol, port)
        found = self._peers.get(key)
        if found is None:
            found = union_addresses(box.peers for box in self.boxes if protocol in box.protocols and port in box.ports)
            self._remember(key, found)
        return found

    def peers_for_ports(self, protocol: int, ports: IntervalSet) -> Addresses:
        """Peers allowed for this protocol on at least one port of `ports`."""
        key = (protocol, ports)
        found = self._peers.get(key)
        if found is None:
            found = union_addresses(
                box.peers for box in self.boxes if protocol in box.protocols and box.ports.overlaps(ports)
            )
            self._remember(key, found)
        return found

    def _remember(self, key: tuple[int, int | IntervalSet], peers: Addresses) -> None:
        if len(self._peers) >= 4096:  # a bound: spaces answer many different ports over a long batch
            self._peers.clear()
        self._peers[key] = peers

    def ports_for(self, protocol: int, peer: Addresses) -> IntervalSet:
        """Ports (or ICMP type/code points) on which every address of `peer` is allowed.

        Agrees with `contains` port by port: for an empty `peer` that is vacuously every port.
        """
        if peer.is_empty():
            return ALL_PORTS
        relevant = [b for b in self.boxes if protocol in b.protocols and b.peers.overlaps(peer)]
        cuts = sorted({edge for b in relevant for lo, hi in b.ports for edge in (lo, hi + 1)})
        spans: list[tuple[int, int]] = []
        for lo, nxt in pairwise(cuts):
            covering = [b.peers for b in relevant if lo in b.ports]
            if covering and union_addresses(covering).contains_set(peer):
                spans.append((lo, nxt - 1))
        return IntervalSet(spans)

    def restrict(self, protocols: IntervalSet, ports: IntervalSet, peers: Addresses) -> TrafficSpace:
        return self & TrafficSpace.of(protocols, ports, peers)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrafficSpace):
            return NotImplemented
        return (self - other).is_empty() and (other - self).is_empty()

    def __hash__(self) -> int:  # pragma: no cover - spaces are not used as keys
        raise TypeError("TrafficSpace is not hashable")

    def __repr__(self) -> str:
        return f"TrafficSpace({list(self.boxes)!r})"
