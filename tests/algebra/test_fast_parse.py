"""The fast paths of address parsing (canonical dotted quads; IPv6 as `inet_ntop` writes it) give
exactly what `ipaddress` gives, or refuse what it refuses."""

from __future__ import annotations

import ipaddress
import random

import pytest

from edgeward.algebra.addresses import AddressError, parse_address, parse_cidr

ODD = [
    "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32", "10.1.2.3", "010.0.0.1", "10.0.0.256", "1.2.3.4/33",
    "1.2.3.4/08", "1.2.3.4/00", " 1.2.3.4/24 ", "1.2.3", "1.2.3.4.5", "a.b.c.d", "1.2.3.4/", "1.2.3.04",
    "\u0661.2.3.4", "::/0", "2001:db8::/32", "10.0.0.0/255.0.0.0", "fe80::1%eth0", "",
    "::", "::1", "::1/128", "::/129", "2001:db8::/032", "2001:DB8::1", "2001:db8:0:0:0:0:0:1", "2001:db8::0:1",
    "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:",
    "12345::", "0001::", "::ffff:1.2.3.4", "::ffff:1.2.3.4/96", "::1.2.3.4", "64:ff9b::1.2.3.4", "fe80::1/64",
    "2001:db8::1/64 ", " 2001:db8::1", "2001:db8::g", "2001:db8::1\x00", "2001:db8::\u0661",
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


def _ipv6_text(rng: random.Random) -> str:
    """IPv6 in every spelling: canonical, exploded, upper case, zero groups written out, odd damage."""
    value = rng.choice([0, 1, rng.getrandbits(128), rng.getrandbits(32) << 96, rng.getrandbits(16), 0xFFFF << 32])
    address = ipaddress.IPv6Address(value)
    form = rng.randrange(6)
    if form == 0:
        text = address.compressed
    elif form == 1:
        text = address.exploded
    elif form == 2:
        text = address.compressed.upper()
    elif form == 3:
        text = ":".join(f"{int(g, 16):x}" for g in address.exploded.split(":"))  # no compression
    elif form == 4:
        text = address.compressed.replace("::", ":0::", 1) if "::" in address.compressed else address.compressed
    else:
        text = address.compressed + rng.choice([":", "::", ":1", "g", ""])
    if rng.random() < 0.6:
        text += "/" + rng.choice([str(rng.randrange(140)), "0" + str(rng.randrange(10)), ""])
    return text


def samples() -> list[str]:
    rng = random.Random(7)
    out = list(ODD)
    for _ in range(2000):
        text = ".".join(str(rng.choice([rng.randrange(256), rng.randrange(300)])) for _ in range(4))
        if rng.random() < 0.7:
            text += "/" + str(rng.randrange(40))
        out.append(text)
    out.extend(_ipv6_text(rng) for _ in range(2000))
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
