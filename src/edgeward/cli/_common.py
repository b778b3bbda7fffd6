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


class EdgewardGroup(click.Group):
    """A click group that turns every EdgewardError into one line on stderr and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EdgewardError as exc:
            click.echo(f"edgeward: error: {exc}", err=True)
            sys.exit(EXIT_INPUT_ERROR)


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
