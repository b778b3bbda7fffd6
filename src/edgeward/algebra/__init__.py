"""Set algebra: integer interval sets, address sets, traffic spaces."""

from edgeward.algebra.addresses import ALL, NONE, AddressError, Addresses, union_addresses
from edgeward.algebra.intervals import EMPTY, IntervalSet, union_all
from edgeward.algebra.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    EPHEMERAL_PORTS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    Box,
    TrafficSpace,
)

__all__ = [
    "ALL",
    "ALL_PORTS",
    "ALL_PROTOCOLS",
    "EMPTY",
    "EPHEMERAL_PORTS",
    "ICMP",
    "ICMPV6",
    "NONE",
    "TCP",
    "UDP",
    "AddressError",
    "Addresses",
    "Box",
    "IntervalSet",
    "TrafficSpace",
    "union_addresses",
    "union_all",
]
