"""Network verbs: reach, exposure, matrix, schema."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import click

from edgeward import collector, forking
from edgeward.algebra.traffic import ICMP, ICMPV6, PROTOCOL_NUMBERS, TCP, UDP
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Endpoint, Traffic, resolve_endpoint
from edgeward.analysis.matrix import reachability_matrix
from edgeward.analysis.reach import Reachability
from edgeward.cli._common import OUTPUT_FORMAT, emit_json
from edgeward.cli._live import load_source, source_argument
from edgeward.errors import InputError, UsageError
from edgeward.forking import Forked
from edgeward.model.snapshot import Snapshot
from edgeward.report.matrix_text import matrix_lines
from edgeward.report.text import render_exposure, render_reach
from edgeward.sources import FORMATS

SOURCE = source_argument  # a path, or aws: with the live-scan options
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
    return load_source(source, source_format)


def read_batch(path: str) -> list[tuple[str, str, Traffic]]:
    """Parse every line of a --batch file before answering any, so a bad line loses nothing."""
    queries: list[tuple[str, str, Traffic]] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        place = f"line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", file=path, place=place) from None
        if not isinstance(item, dict):
            raise InputError("expected an object with from, to, protocol", file=path, place=place)
        unknown = set(item) - BATCH_KEYS
        if unknown:
            raise InputError(f"unknown key(s) {', '.join(sorted(unknown))}", file=path, place=place)
        missing = [k for k in ("from", "to", "protocol") if k not in item]
        if missing:
            raise InputError(f"missing {', '.join(missing)}", file=path, place=place)
        try:
            traffic = parse_traffic(
                str(item["protocol"]), _opt_int(item, "port"), _opt_int(item, "icmp_type"), _opt_int(item, "icmp_code")
            )
        except UsageError as exc:
            raise InputError(exc.detail, file=path, place=f"{place}: {exc.place}") from None
        queries.append((str(item["from"]), str(item["to"]), traffic))
    return queries


BATCH_KEYS = {"from", "to", "protocol", "port", "icmp_type", "icmp_code"}


def _opt_int(item: dict[str, object], key: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UsageError(f"{key} must be an integer", place=key)
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{key} must be an integer, got {value!r}", place=key) from None


# From this many questions, a worker answers the second half (edgeward/forking.py).
PARALLEL_QUESTIONS = 500


def run_batch(snapshot: Snapshot, path: str, block: int = 200) -> None:
    """Answer every question of the file in order, one JSON line each, written in blocks of lines.

    Every endpoint is resolved before the first answer is written, so a question that cannot be
    asked (an id the estate does not have) fails the run with nothing half-written. The cyclic
    garbage collector is paused meanwhile: answers and the engine's caches form no reference
    cycles, so its passes over them would only cost time. A long batch is split with a forked
    worker, whose answers are written after this process's, in question order; if the worker
    fails, this process answers its half too.
    """
    queries = read_batch(path)
    engine = Reachability(snapshot)
    resolved = []
    for number, (source, destination, traffic) in enumerate(queries, 1):
        try:
            src = resolve_endpoint(snapshot, source, "from")
            dst = resolve_endpoint(snapshot, destination, "to")
            engine.check_askable(src, dst)
        except UsageError as exc:
            raise InputError(exc.detail, file=path, place=f"query {number}: {exc.place}") from None
        resolved.append((src, dst, traffic))
    def answers(questions: list[tuple[Endpoint, Endpoint, Traffic]]) -> Iterator[str]:
        for src, dst, traffic in questions:
            yield json.dumps(engine.reach_endpoints(src, dst, traffic).to_json(), separators=(",", ":"))

    def write(questions: list[tuple[Endpoint, Endpoint, Traffic]]) -> None:
        lines: list[str] = []
        for line in answers(questions):
            lines.append(line)
            if len(lines) >= block:
                click.echo("\n".join(lines))
                lines.clear()
        if lines:
            click.echo("\n".join(lines))

    with collector.paused():
        mine, theirs = resolved, resolved[:0]
        worker: Forked | None = None
        if len(resolved) >= PARALLEL_QUESTIONS and forking.available():
            mine, theirs = resolved[: len(resolved) // 2], resolved[len(resolved) // 2 :]
            worker = Forked(lambda: "\n".join(answers(theirs)).encode())
        with worker or contextlib.nullcontext():
            write(mine)
            sent = worker.result() if worker is not None else None
        if sent is not None and sent.count(b"\n") + 1 == len(theirs):
            click.echo(sent.decode())
        else:
            write(theirs)


@click.command()
@SOURCE
@click.option("--from", "from_", metavar="FROM", help="internet, an IP address, eni-... or i-...")
@click.option("--to", "to", metavar="TO", help="internet, an IP address, eni-... or i-...")
@click.option("--protocol", help="tcp, udp, icmp, icmpv6, or a protocol number.")
@click.option("--port", type=int, default=None, help="Destination port (tcp, udp).")
@click.option("--icmp-type", type=int, default=None, help="ICMP type (default 8, echo request; 128 for icmpv6).")
@click.option("--icmp-code", type=int, default=None, help="ICMP code (default 0).")
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help='JSON lines {"from", "to", "protocol", "port"}: one JSON verdict per line comes out, in order.',
)
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
    batch: str | None,
    output_format: str,
    source_format: str | None,
) -> None:
    """Can FROM reach TO with this traffic? Prints the verdict and the hop-by-hop trace, both ways.

    Exit code 0 whether the verdict is allowed or denied; 2 for bad input.
    """
    if batch is not None:
        if from_ or to or protocol:
            raise UsageError("--batch takes the questions from the file; drop --from/--to/--protocol", place="--batch")
        read_batch(batch)  # fail on a bad file before loading the estate
        run_batch(_load(source, source_format), batch)
        return
    for name, value in (("--from", from_), ("--to", to), ("--protocol", protocol)):
        if not value:
            raise UsageError(f"Missing option '{name}' (or use --batch FILE)", place=name)
    assert from_ is not None and to is not None and protocol is not None
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
    analysis = Exposure(snapshot)
    items = analysis.all()
    unknown = analysis.unknown()  # only for inputs with unknown values (Terraform plans, templates)
    if output_format == "json":
        payload: dict[str, object] = {"exposed": [i.to_json() for i in items], "notes": list(snapshot.notes)}
        if unknown:
            payload["unknown"] = [u.to_json() for u in unknown]
        emit_json(payload)
    else:
        click.echo(render_exposure(items, snapshot, unknown))


@click.command()
@SOURCE
@click.option("--protocol", default=None, help="Only this traffic: tcp, udp, icmp, icmpv6, or a protocol number.")
@click.option("--port", type=int, default=None, help="Destination port (tcp, udp).")
@click.option("--icmp-type", type=int, default=None, help="ICMP type (default 8, echo request; 128 for icmpv6).")
@click.option("--icmp-code", type=int, default=None, help="ICMP code (default 0).")
@OUTPUT_FORMAT
@SOURCE_FORMAT
def matrix(
    source: str,
    protocol: str | None,
    port: int | None,
    icmp_type: int | None,
    icmp_code: int | None,
    output_format: str,
    source_format: str | None,
) -> None:
    """Who reaches whom privately: every interface pair at once, by class of interfaces that behave alike.

    Without --protocol each class pair lists every protocol and port allowed; with it, only that traffic.
    """
    traffic = None
    if protocol is not None:
        traffic = [parse_traffic(protocol, port, icmp_type, icmp_code)]
    elif port is not None or icmp_type is not None or icmp_code is not None:
        raise UsageError("--port/--icmp-type/--icmp-code need --protocol", place="--protocol")
    snapshot = _load(source, source_format)
    result = reachability_matrix(snapshot, traffic)
    if output_format == "json":
        for chunk in result.json_chunks():  # written piece by piece: a large estate has millions of cells
            click.echo(chunk, nl=False)
        return
    lines: list[str] = []
    for line in matrix_lines(result):
        lines.append(line)
        if len(lines) >= 10_000:
            click.echo("\n".join(lines))
            lines.clear()
    click.echo("\n".join(lines))


@click.command()
def schema() -> None:
    """Print the JSON Schema of the native estate format."""
    from edgeward.sources.native import native_json_schema

    click.echo(json.dumps(native_json_schema(), indent=2))


COMMANDS = [reach, exposure, matrix, schema]
