"""Run the registry over a snapshot: settings (enable, disable, severity), suppressions, expiries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from edgeward.model.network import NO_SOURCE, SourceRef
from edgeward.model.snapshot import Snapshot
from edgeward.rules.base import Finding, Rule, Severity, Suppression
from edgeward.rules.context import AuditContext
from edgeward.rules.settings import Settings


def _no_check(ctx: AuditContext) -> Iterator[Finding]:
    """Meta rules are raised by the audit itself (suppression bookkeeping), not by a check."""
    del ctx
    yield from ()


META_RULES: tuple[Rule, ...] = (
    Rule(
        id="EW001",
        name="SuppressionExpired",
        title="Suppression expired",
        severity=Severity.LOW,
        family="configuration",
        rationale=(
            "A suppression accepts a finding for a reason until a date. After that date it stops suppressing, the "
            "finding it hid comes back at its own severity, and this finding says which suppression expired."
        ),
        remediation="Fix the finding, or renew the suppression with a new reason and expiry date.",
        references=(),
        run=_no_check,
        tags=("configuration",),
    ),
    Rule(
        id="EW002",
        name="SuppressionUnused",
        title="Suppression matches no finding",
        severity=Severity.INFO,
        family="configuration",
        rationale="A suppression that matches nothing is either obsolete (the problem was fixed) or mistyped.",
        remediation="Remove the suppression, or correct its rule id or resource.",
        references=(),
        run=_no_check,
        tags=("configuration",),
    ),
)


@dataclass(frozen=True, slots=True)
class AuditResult:
    """Every finding of one audit (suppressed ones included, marked), sorted by severity then rule."""

    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]  # the rules that ran
    settings: Settings
    notes: tuple[str, ...] = ()
    input_path: str = ""
    today: date = field(default_factory=date.today)

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed)

    def at_or_above(self, threshold: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.active if f.severity.rank >= threshold.rank)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.active:
            out[f.severity.value] += 1
        return out


def _config_ref(settings: Settings, suppression: Suppression) -> SourceRef:
    if not settings.source:
        return NO_SOURCE
    return SourceRef(file=settings.source, place=suppression.place)


def _meta_finding(rule_id: str, settings: Settings, s: Suppression, title: str, message: str) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.LOW if rule_id == "EW001" else Severity.INFO,
        resource=s.place or f"suppression {s.rule} {s.resource}",
        resource_id=f"suppression:{s.rule}:{s.resource}",
        resource_type="suppression",
        title=title,
        message=message,
        evidence=s.to_json(),
        evidence_text=(f"{s.rule} on {s.resource}: {s.reason} (expires {s.expires.isoformat()})",),
        location=_config_ref(settings, s),
        key=s.expires.isoformat(),
        remediation="Fix the finding or renew the suppression." if rule_id == "EW001" else "Remove the suppression.",
    )


def _sort_key(f: Finding) -> tuple[int, str, str, str]:
    return (-f.severity.rank, f.rule_id, f.resource, f.key)


def run_audit(
    snapshot: Snapshot,
    settings: Settings | None = None,
    *,
    rules: Sequence[Rule] | None = None,
    today: date | None = None,
    input_path: str = "",
) -> AuditResult:
    """Run every enabled rule once over `snapshot`, then apply severities and suppressions."""
    from edgeward.rules.registry import RULES

    settings = settings or Settings()
    today = today or date.today()
    ctx = AuditContext(snapshot, settings)
    selected = [r for r in (rules if rules is not None else RULES) if settings.is_enabled(r.id, r.enabled_by_default)]
    raw: list[Finding] = []
    for rule in selected:
        override = settings.severity_for(rule.id)
        for finding in rule.run(ctx):
            if override is not None:
                finding = replace(finding, severity=override)
            if not finding.location.file and input_path:
                # every finding points somewhere: the input itself when the resource has no file
                finding = replace(finding, location=replace(finding.location, file=input_path))
            raw.append(finding)
    findings, meta = _apply_suppressions(raw, settings, today)
    enabled_ids = {r.id for r in selected}
    for finding in meta:
        if finding.rule_id in enabled_ids:
            override = settings.severity_for(finding.rule_id)
            findings.append(replace(finding, severity=override) if override is not None else finding)
    findings.sort(key=_sort_key)
    return AuditResult(tuple(findings), tuple(selected), settings, snapshot.notes, input_path, today)


def _apply_suppressions(raw: Iterable[Finding], settings: Settings, today: date) -> tuple[list[Finding], list[Finding]]:
    used: set[int] = set()
    out: list[Finding] = []
    for finding in raw:
        for index, s in enumerate(settings.suppressions):
            if s.matches(finding):
                used.add(index)
                if not s.expired(today):
                    finding = replace(finding, suppression=s)
                    break
        out.append(finding)
    meta: list[Finding] = []
    for index, s in enumerate(settings.suppressions):
        if s.expired(today):
            meta.append(
                _meta_finding(
                    "EW001",
                    settings,
                    s,
                    f"Suppression of {s.rule} on {s.resource} expired on {s.expires.isoformat()}",
                    f"The suppression of {s.rule} on {s.resource} ({s.reason!r}) expired on "
                    f"{s.expires.isoformat()}; it no longer hides findings"
                    + (" and the findings it matched are reported again." if index in used else "."),
                )
            )
        elif index not in used:
            meta.append(
                _meta_finding(
                    "EW002",
                    settings,
                    s,
                    f"Suppression of {s.rule} on {s.resource} matches no finding",
                    f"The suppression of {s.rule} on {s.resource} ({s.reason!r}) matched no finding in this audit.",
                )
            )
    return out, meta
