"""The `origins` verb: one verdict per CloudFront origin, with its proof and the smallest fix."""

from __future__ import annotations

import click

from edgeward.analysis.origins import OriginAnalysis
from edgeward.cli._common import OUTPUT_FORMAT, emit_json
from edgeward.cli._live import load_source, source_argument
from edgeward.report.origins_text import render_origins
from edgeward.sources import FORMATS

SOURCE_FORMAT = click.option(
    "--format",
    "source_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Force the input format instead of detecting it.",
)


@click.command()
@source_argument
@OUTPUT_FORMAT
@SOURCE_FORMAT
def origins(source: str, output_format: str, source_format: str | None) -> None:
    """Can each CloudFront origin be reached only through its distribution?

    One verdict per origin: only-via-cloudfront, other-distributions-can-reach, bypassable or
    unknown, with the evidence and the smallest fix. Secrets are shown as fingerprints only.
    Exit code 0 whatever the verdicts (gating belongs to audit); 2 for bad input.
    """
    snapshot = load_source(source, source_format)
    verdicts = OriginAnalysis(snapshot).all()
    notes = tuple(snapshot.notes) + tuple(getattr(snapshot.edge, "notes", ()))
    if output_format == "json":
        emit_json([v.to_json() for v in verdicts])
    else:
        click.echo(render_origins(verdicts, notes))


COMMANDS = [origins]
