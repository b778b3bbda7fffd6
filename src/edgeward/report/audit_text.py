"""The audit for people: a rich table on a terminal, plain lines when piped (both say the same)."""

from __future__ import annotations

import io

from edgeward.rules.audit import AuditResult
from edgeward.rules.base import Finding, Severity

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _summary(result: AuditResult, fail_on: Severity) -> str:
    counts = result.counts()
    parts = [f"{counts[s.value]} {s.value}" for s in Severity if counts[s.value]]
    text = f"{len(result.active)} finding(s)" + (f": {', '.join(parts)}" if parts else "")
    if result.suppressed:
        text += f"; {len(result.suppressed)} suppressed"
    failing = len(result.at_or_above(fail_on))
    text += f". {failing} at or above --fail-on {fail_on.value}."
    return text


def _location(f: Finding) -> str:
    return f.location.describe() if f.location.file else ""


def render_plain(result: AuditResult, fail_on: Severity, *, show_suppressed: bool = False) -> str:
    if not result.findings:
        return "No findings." + (f"\nNote: {chr(10).join(result.notes)}" if result.notes else "")
    lines: list[str] = []
    for f in result.findings:
        if f.suppressed and not show_suppressed:
            continue
        mark = " (suppressed)" if f.suppressed else ""
        lines.append(f"{f.severity.value.upper():8} {f.rule_id} {f.resource}: {f.title}{mark}")
        lines.append(f"         {f.message}")
        lines.extend(f"         | {line}" for line in f.evidence_text[:8])
        if len(f.evidence_text) > 8:
            lines.append(f"         | ... {len(f.evidence_text) - 8} more")
        if f.remediation:
            lines.append(f"         fix: {f.remediation}")
        where = _location(f)
        if where:
            lines.append(f"         at: {where}")
        if f.suppression is not None:
            lines.append(f"         suppressed: {f.suppression.reason} (until {f.suppression.expires.isoformat()})")
        lines.append("")
    lines.append(_summary(result, fail_on))
    lines.extend(f"Note: {note}" for note in result.notes)
    return "\n".join(lines)


def render_rich(result: AuditResult, fail_on: Severity, width: int = 120) -> str:
    """Rendered with rich into a string (colours kept), for a terminal."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, highlight=False)
    table = Table(title="edgeward audit", show_lines=True, expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Resource", overflow="fold")
    table.add_column("Finding", ratio=3)
    for f in result.active:
        body = f"[bold]{_escape(f.title)}[/bold]\n{_escape(f.message)}"
        if f.evidence_text:
            body += "\n[dim]" + _escape("\n".join(f.evidence_text[:6])) + "[/dim]"
        if f.remediation:
            body += f"\n[green]fix:[/green] {_escape(f.remediation)}"
        where = _location(f)
        if where:
            body += f"\n[dim]at {_escape(where)}[/dim]"
        table.add_row(f"[{STYLE[f.severity]}]{f.severity.value}[/]", f.rule_id, _escape(f.resource), body)
    if result.active:
        console.print(table)
    else:
        console.print("No findings.")
    console.print(_escape(_summary(result, fail_on)))
    for note in result.notes:
        console.print(f"[dim]Note: {_escape(note)}[/dim]")
    return buffer.getvalue().rstrip("\n")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
