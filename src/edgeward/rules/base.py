"""Audit rules: metadata plus a check, and the findings they produce.

A rule is data (id, title, severity, rationale, remediation, references) and a pure check over an
`AuditContext` (the snapshot, the settings and the analyses computed once for every rule). A finding
names the resource, carries the evidence that proves it, and says where in the input to fix it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from edgeward.model.network import NO_SOURCE, SourceRef

if TYPE_CHECKING:
    from edgeward.model.snapshot import Snapshot
    from edgeward.rules.context import AuditContext
    from edgeward.rules.settings import Settings


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info: compare with `>=` for --fail-on."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """`high`, `HIGH`, `informational` -> Severity; ValueError naming the choices otherwise."""
        value = text.strip().lower()
        if value == "informational":
            value = "info"
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown severity {text!r}; expected one of {', '.join(SEVERITY_NAMES)}") from None


_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}
SEVERITY_NAMES: tuple[str, ...] = tuple(s.value for s in Severity)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A configured exception: findings of `rule` on `resource` (IaC address, AWS id or ARN, or `*`) are
    accepted until `expires` (inclusive)."""

    rule: str
    resource: str
    reason: str
    expires: date
    place: str = ""  # where in the configuration file, e.g. audit.suppressions[0]

    def matches(self, finding: Finding) -> bool:
        if self.rule != finding.rule_id:
            return False
        return self.resource == "*" or self.resource in (finding.resource, finding.resource_id, finding.arn)

    def expired(self, today: date) -> bool:
        return today > self.expires

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "rule": self.rule,
            "resource": self.resource,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one resource, with its proof.

    - `resource`: what a user recognises, the IaC address (Terraform address, CloudFormation logical
      id) when the input had one, else the AWS id; `resource_id` is always the AWS id.
    - `evidence`: structured, JSON-ready facts (rules, addresses, ports); `evidence_text` the same as
      lines a person reads.
    - `key`: what tells this finding apart from others of the same rule on the same resource (a port,
      a rule); with rule and resource it makes the stable fingerprint.
    - `related`: other resources involved (groups, interfaces, NACL entries), by AWS id.
    """

    rule_id: str
    severity: Severity
    resource: str
    resource_id: str
    resource_type: str
    title: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    evidence_text: tuple[str, ...] = ()
    location: SourceRef = NO_SOURCE
    key: str = ""
    related: tuple[str, ...] = ()
    remediation: str = ""
    arn: str | None = None
    account: str | None = None
    region: str | None = None
    suppression: Suppression | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def fingerprint(self) -> str:
        """Stable across runs and input reordering: rule, AWS id and the distinguishing key."""
        text = "\x1f".join((self.rule_id, self.resource_id, self.key))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


Check = Callable[["AuditContext"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """An audit rule: metadata and a pure check. `severity` is the default (the most a finding gets)."""

    id: str
    name: str  # CamelCase, for SARIF
    title: str
    severity: Severity
    family: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    run: Check
    tags: tuple[str, ...] = ()
    enabled_by_default: bool = True

    def check(self, snapshot: Snapshot, settings: Settings | None = None) -> list[Finding]:
        """The findings of this rule alone on `snapshot` (no suppressions, no overrides)."""
        from edgeward.rules.context import AuditContext
        from edgeward.rules.settings import Settings

        return list(self.run(AuditContext(snapshot, settings or Settings())))


def resource_label(ident: str, source: SourceRef) -> str:
    """The IaC address when the input had one, else the AWS id."""
    return source.address or ident


def arn_for(kind: str, ident: str, account: str | None, region: str | None) -> str | None:
    """The ARN of an EC2 resource, when account and region are known."""
    if not account or not region or account == "unknown" or region == "unknown":
        return None
    return f"arn:aws:ec2:{region}:{account}:{kind}/{ident}"


def merge_mappings(*parts: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in parts:
        out.update(part)
    return out


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)
