"""Shared CLI plumbing: error handling and output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from edgeward.errors import EdgewardError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT_ERROR = 2
EXIT_PARTIAL = 3  # a live scan had failed calls: the output covers only what was collected

# ctx.meta key set (by cli/_live.py) when a live scan was partial and --allow-partial was not given
PARTIAL_META = "edgeward.partial"


class EdgewardGroup(click.Group):
    """A click group whose every user mistake is one line on stderr and exit code 2.

    Covers edgeward's own input errors (file and place) and click's usage errors (missing or bad
    options). A command may return an int to set the exit code (audit's --fail-on). A partial
    live scan exits 3 once the command has printed its output (it outranks 0 and 1).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except EdgewardError as exc:
            click.echo(f"edgeward: error: {exc}", err=True)
            sys.exit(EXIT_INPUT_ERROR)
        if ctx.meta.get(PARTIAL_META) is not None:
            click.echo("edgeward: the live scan was incomplete (see above); --allow-partial accepts it", err=True)
            return EXIT_PARTIAL
        return result

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("edgeward: aborted", err=True)
            sys.exit(1)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "edgeward"
            click.echo(f"edgeward: error: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(EXIT_INPUT_ERROR)
        except click.ClickException as exc:
            click.echo(f"edgeward: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) else EXIT_OK)


def emit_json(payload: Any) -> None:
    """Write machine output to stdout as indented JSON."""
    click.echo(json.dumps(payload, indent=2, sort_keys=False))


OUTPUT_FORMAT = click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
