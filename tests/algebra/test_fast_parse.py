"""The dotted-quad fast path of address parsing gives exactly what `ipaddress` gives (or refuses)."""

from __future__ import annotations

import ipaddress
import random

import pytest

from edgeward.algebra.addresses import AddressError, parse_address, parse_cidr

ODD = [
    "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32", "10.1.2.3", "010.0.0.1", "10.0.0.256", "1.2.3.4/33",
    "1.2.3.4/08", "1.2.3.4/00", " 1.2.3.4/24 ", "1.2.3", "1.2.3.4.5", "a.b.c.d", "1.2.3.4/", "1.2.3.04",
    "\u0661.2.3.4", "::/0", "2001:db8::/32", "10.0.0.0/255.0.0.0", "fe80::1%eth0", "",
]  # fmt: skip


def reference_cidr(text: str) -> tuple[int, int, int] | None:
    address, slash, prefix = text.strip().partition("/")
    if "%" in address or (slash and not (prefix.isascii() and prefix.isdigit())):
        return None
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return net.version, int(net.network_address), int(net.broadcast_address)


def reference_address(text: str) -> tuple[int, int] | None:
    if "%" in text:
        return None
    try:
        value = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return value.version, int(value)


def samples() -> list[str]:
    rng = random.Random(7)
    out = list(ODD)
    for _ in range(2000):
        text = ".".join(str(rng.choice([rng.randrange(256), rng.randrange(300)])) for _ in range(4))
        if rng.random() < 0.7:
            text += "/" + str(rng.randrange(40))
        out.append(text)
    return out


@pytest.mark.parametrize("text", samples())
def test_parsing_agrees_with_ipaddress(text: str) -> None:
    parse_cidr.cache_clear()
    try:
        cidr: tuple[int, int, int] | None = parse_cidr(text)
    except AddressError:
        cidr = None
    assert cidr == reference_cidr(text)
    try:
        address: tuple[int, int] | None = parse_address(text)
    except AddressError:
        address = None
    assert address == reference_address(text)
