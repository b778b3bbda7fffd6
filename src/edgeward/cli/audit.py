"""Audit verbs: audit (findings in five formats, exit code by --fail-on), report (HTML), rules (the registry)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import click

from edgeward.cli._common import EXIT_FINDINGS, EXIT_OK
from edgeward.cli._live import load_source, source_argument
from edgeward.config import AuditConfig, load_config
from edgeward.errors import InputError, UsageError
from edgeward.model.snapshot import Snapshot
from edgeward.rules.audit import AuditResult, run_audit
from edgeward.rules.base import SEVERITY_NAMES, Severity
from edgeward.rules.registry import RULES, RULES_BY_ID
from edgeward.sources import FORMATS

AUDIT_FORMATS = ("text", "json", "sarif", "ocsf", "html")

SOURCE = source_argument  # a path, or aws: with the live-scan options
SOURCE_FORMAT = click.option(
    "--format", "source_format", type=click.Choice(FORMATS), default=None, help="Force the input format."
)
CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Configuration file (default: edgeward.toml or pyproject.toml [tool.edgeward], from here upward).",
)
OUTPUT_FILE = click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the output to FILE (atomically) instead of stdout.",
)


def write_output(text: str, path: Path | None) -> None:
    """Stdout, or FILE written whole or not at all (temporary file in the same folder, then rename)."""
    if path is None:
        click.echo(text)
        return
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the folder does not exist", file=str(path), place="-o")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=str(path), place="-o") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the mode a plain open() would
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror}", file=str(path), place="-o") from None


def _config(path: Path | None) -> AuditConfig:
    return load_config(path, known_rules=frozenset(RULES_BY_ID))


def _fail_on(option: str | None, config: AuditConfig) -> Severity:
    if option is not None:
        return Severity.parse(option)
    return config.fail_on or Severity.HIGH


def _audit(
    source: str, source_format: str | None, config: AuditConfig, today: date | None
) -> tuple[Snapshot, AuditResult]:
    snapshot = load_source(source, source_format)
    return snapshot, run_audit(snapshot, config.settings, today=today, input_path=source)


def _render_html(snapshot: Snapshot, result: AuditResult) -> str:
    from edgeward.analysis.exposure import Exposure
    from edgeward.report.html import render_html

    origins: list[Any] = []
    if getattr(snapshot.edge, "distributions", None):
        from edgeward.analysis.origins import origin_verdicts

        origins = list(origin_verdicts(snapshot))
    return render_html(snapshot, result, Exposure(snapshot).all(), origins)


def render(fmt: str, snapshot: Snapshot, result: AuditResult, fail_on: Severity, *, to_terminal: bool) -> str:
    if fmt == "json":
        from edgeward.report.findings import audit_json

        return json.dumps(audit_json(result, fail_on), indent=2)
    if fmt == "sarif":
        from edgeward.report.sarif import audit_sarif

        return json.dumps(audit_sarif(result), indent=2)
    if fmt == "ocsf":
        from edgeward.report.ocsf import audit_ocsf

        return json.dumps(audit_ocsf(result), indent=2)
    if fmt == "html":
        return _render_html(snapshot, result)
    from edgeward.report.audit_text import render_plain, render_rich

    return render_rich(result, fail_on) if to_terminal else render_plain(result, fail_on)


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"expected a date YYYY-MM-DD, got {value!r}", place="--today") from None


@click.command()
@SOURCE
@click.option(
    "--output-format",
    type=click.Choice(AUDIT_FORMATS),
    default="text",
    show_default=True,
    envvar="EDGEWARD_OUTPUT_FORMAT",
    help="text for people, json (docs/audit.md), sarif 2.1.0, ocsf (Detection Finding), html.",
)
@OUTPUT_FILE
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_NAMES, case_sensitive=False),
    default=None,
    help="Exit 1 when a finding is at or above this severity (default: the configuration's, else high).",
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when findings reach --fail-on (input errors still exit 2)."
)
@CONFIG
@click.option(
    "--today", default=None, metavar="YYYY-MM-DD", help="The date suppressions expire against (default: today)."
)
@SOURCE_FORMAT
def audit(
    source: str,
    output_format: str,
    output_file: Path | None,
    fail_on: str | None,
    exit_zero: bool,
    config_path: Path | None,
    today: str | None,
    source_format: str | None,
) -> int:
    """Audit an estate: every rule of 'edgeward rules', judged on actual reachability.

    Exit 0 when no finding reaches --fail-on, 1 when one does, 2 for a usage or input error.
    """
    config = _config(config_path)
    threshold = _fail_on(fail_on, config)
    snapshot, result = _audit(source, source_format, config, _parse_today(today))
    to_terminal = output_file is None and sys.stdout.isatty()
    write_output(render(output_format, snapshot, result, threshold, to_terminal=to_terminal), output_file)
    if exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if result.at_or_above(threshold) else EXIT_OK


@click.command()
@SOURCE
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (one self-contained file).",
)
@CONFIG
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="The date suppressions expire against.")
@SOURCE_FORMAT
def report(
    source: str, output_file: Path, config_path: Path | None, today: str | None, source_format: str | None
) -> None:
    """Write the HTML report: the estate as a graph, internet flows coloured by severity, the findings."""
    config = _config(config_path)
    snapshot, result = _audit(source, source_format, config, _parse_today(today))
    write_output(_render_html(snapshot, result), output_file)
    click.echo(f"wrote {output_file} ({len(result.active)} findings)", err=True)


@click.command()
@click.option("--markdown", is_flag=True, help="Print docs/rules.md (generated from the registry).")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(markdown: bool, output_format: str) -> None:
    """List every audit rule: id, severity, title."""
    if markdown:
        from edgeward.report.rules_doc import rules_markdown

        click.echo(rules_markdown(RULES), nl=False)
        return
    if output_format == "json":
        from edgeward.report.findings import rule_json

        click.echo(json.dumps([rule_json(r) for r in RULES], indent=2))
        return
    for rule in RULES:
        click.echo(f"{rule.id}  {rule.severity.value:8}  {rule.title}")


COMMANDS = [audit, report, rules]
