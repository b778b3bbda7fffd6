"""Command line: the only place that reads argv, prints and exits.

Each verb family lives in its own module of this package and is registered here explicitly.
Every user mistake becomes one line on stderr and exit code 2 (see `run_guarded`).
"""

from __future__ import annotations

import click

from edgeward import __version__
from edgeward.cli._common import EdgewardGroup


@click.group(cls=EdgewardGroup)
@click.version_option(__version__, prog_name="edgeward")
def main() -> None:
    """Prove who can reach what in an AWS estate, and why."""


def _register() -> None:
    from edgeward.cli import network

    for command in network.COMMANDS:
        main.add_command(command)
    from edgeward.cli import audit, origins

    for command in audit.COMMANDS + origins.COMMANDS:
        main.add_command(command)
    try:
        from edgeward.cli import iam
    except ImportError:  # pragma: no cover - the IAM verbs land separately
        return
    for command in iam.COMMANDS:
        main.add_command(command)


_register()
