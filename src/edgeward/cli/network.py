"""Network verbs: reach, exposure, schema."""

from __future__ import annotations

import json

import click

from edgeward.algebra.traffic import ICMP, ICMPV6, PROTOCOL_NUMBERS, TCP, UDP
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Traffic
from edgeward.analysis.reach import Reachability
from edgeward.cli._common import OUTPUT_FORMAT, emit_json
from edgeward.errors import UsageError
from edgeward.model.snapshot import Snapshot
from edgeward.report.text import render_exposure, render_reach
from edgeward.sources import FORMATS, load_snapshot

SOURCE = click.argument("source", metavar="SOURCE", type=click.Path(path_type=str))
SOURCE_FORMAT = click.option(
    "--format",
    "source_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Force the input format instead of detecting it.",
)


def parse_traffic(protocol: str, port: int | None, icmp_type: int | None, icmp_code: int | None) -> Traffic:
    """`tcp`/`6`, `udp`, `icmp`, `icmpv6` or a number 0-255; ports where the protocol has them."""
    text = protocol.strip().lower()
    if text in PROTOCOL_NUMBERS:
        number = PROTOCOL_NUMBERS[text]
    else:
        try:
            number = int(text)
        except ValueError:
            raise UsageError(
                f"unknown protocol {protocol!r}: use tcp, udp, icmp, icmpv6 or 0-255", place="--protocol"
            ) from None
        if not 0 <= number <= 255:
            raise UsageError(f"protocol number must be 0-255, got {number}", place="--protocol")
    if number in (TCP, UDP):
        if port is None:
            raise UsageError(f"{protocol} needs --port", place="--port")
        if not 0 <= port <= 65535:
            raise UsageError(f"port must be 0-65535, got {port}", place="--port")
        return Traffic(number, port=port)
    if port is not None:
        raise UsageError(f"--port does not apply to protocol {protocol}", place="--port")
    if number in (ICMP, ICMPV6):
        default_type = 8 if number == ICMP else 128
        t = default_type if icmp_type is None else icmp_type
        c = 0 if icmp_code is None else icmp_code
        if not (0 <= t <= 255 and 0 <= c <= 255):
            raise UsageError("ICMP type and code must be 0-255", place="--icmp-type/--icmp-code")
        return Traffic(number, icmp_type=t, icmp_code=c)
    if icmp_type is not None or icmp_code is not None:
        raise UsageError(f"--icmp-type/--icmp-code do not apply to protocol {protocol}", place="--icmp-type")
    return Traffic(number)


def _load(source: str, source_format: str | None) -> Snapshot:
    return load_snapshot(source, source_format)


@click.command()
@SOURCE
@click.option("--from", "from_", required=True, metavar="FROM", help="internet, an IP address, eni-... or i-...")
@click.option("--to", "to", required=True, metavar="TO", help="internet, an IP address, eni-... or i-...")
@click.option("--protocol", required=True, help="tcp, udp, icmp, icmpv6, or a protocol number.")
@click.option("--port", type=int, default=None, help="Destination port (tcp, udp).")
@click.option("--icmp-type", type=int, default=None, help="ICMP type (default 8, echo request; 128 for icmpv6).")
@click.option("--icmp-code", type=int, default=None, help="ICMP code (default 0).")
@OUTPUT_FORMAT
@SOURCE_FORMAT
def reach(
    source: str,
    from_: str,
    to: str,
    protocol: str,
    port: int | None,
    icmp_type: int | None,
    icmp_code: int | None,
    output_format: str,
    source_format: str | None,
) -> None:
    """Can FROM reach TO with this traffic? Prints the verdict and the hop-by-hop trace, both ways.

    Exit code 0 whether the verdict is allowed or denied; 2 for bad input.
    """
    traffic = parse_traffic(protocol, port, icmp_type, icmp_code)
    snapshot = _load(source, source_format)
    result = Reachability(snapshot).reach(from_, to, traffic)
    if output_format == "json":
        emit_json(result.to_json())
    else:
        click.echo(render_reach(result, snapshot))


@click.command()
@SOURCE
@OUTPUT_FORMAT
@SOURCE_FORMAT
def exposure(source: str, output_format: str, source_format: str | None) -> None:
    """Everything reachable from the internet: each interface, protocol and port, with the internet sources."""
    snapshot = _load(source, source_format)
    items = Exposure(snapshot).all()
    if output_format == "json":
        emit_json({"exposed": [i.to_json() for i in items], "notes": list(snapshot.notes)})
    else:
        click.echo(render_exposure(items, snapshot))


@click.command()
def schema() -> None:
    """Print the JSON Schema of the native estate format."""
    from edgeward.sources.native import native_json_schema

    click.echo(json.dumps(native_json_schema(), indent=2))


COMMANDS = [reach, exposure, schema]
