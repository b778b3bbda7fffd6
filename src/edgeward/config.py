"""Read audit settings from `edgeward.toml` or `pyproject.toml` `[tool.edgeward]` (docs/audit.md).

Found from the working directory upward, or given with `--config FILE`. Every mistake is one
`InputError` naming the file and the key, e.g. `edgeward.toml: audit.severity.EW999: unknown rule`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from edgeward.algebra.addresses import AddressError, Addresses
from edgeward.errors import InputError
from edgeward.rules.base import Severity, Suppression
from edgeward.rules.settings import Quotas, Settings, TagPolicy

AUDIT_KEYS = frozenset(
    {
        "fail_on",
        "disable",
        "enable",
        "severity",
        "trusted_admin_cidrs",
        "admin_ports",
        "database_ports",
        "wide_port_range",
        "large_cidr_v4",
        "large_cidr_v6",
        "quotas",
        "tag_policy",
        "suppressions",
        "iam",
    }
)
IAM_KEYS = frozenset({"allowed_principals"})
QUOTA_KEYS = frozenset({"rules_per_group", "groups_per_interface", "rules_times_groups", "nacl_entries"})
TAG_KEYS = frozenset({"required_tags", "name_pattern"})
SUPPRESSION_KEYS = frozenset({"rule", "resource", "reason", "expires"})


@dataclass(frozen=True, slots=True)
class AuditConfig:
    settings: Settings
    fail_on: Severity | None = None
    path: str = ""


def find_config(start: Path) -> Path | None:
    """The nearest edgeward.toml, or pyproject.toml with a [tool.edgeward] table, from `start` upward."""
    for directory in (start, *start.parents):
        candidate = directory / "edgeward.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            doc = _read_toml(pyproject)
            tool = doc.get("tool")
            if isinstance(tool, dict) and "edgeward" in tool:
                return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", file=str(path)) from None


def load_config(path: Path | None, *, start: Path | None = None, known_rules: frozenset[str]) -> AuditConfig:
    """Settings from `path`, else from the nearest configuration file, else the defaults."""
    if path is None:
        path = find_config(start or Path.cwd())
        if path is None:
            return AuditConfig(Settings())
    elif not path.is_file():
        raise InputError("no such configuration file", file=str(path))
    doc = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = doc.get("tool", {})
        root: Any = tool.get("edgeward", {}) if isinstance(tool, dict) else {}
        prefix = "tool.edgeward"
    else:
        root, prefix = doc, ""
    parser = _Parser(str(path), known_rules)
    if not isinstance(root, dict):
        raise parser.error(prefix or "(top level)", "expected a table")
    unknown = set(root) - {"audit"}
    if unknown:
        raise parser.error(_join(prefix, sorted(unknown)[0]), "unknown key (expected [audit])")
    audit = root.get("audit", {})
    return parser.audit(audit, _join(prefix, "audit"))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


class _Parser:
    def __init__(self, file: str, known_rules: frozenset[str]) -> None:
        self.file = file
        self.known_rules = known_rules

    def error(self, place: str, message: str) -> InputError:
        return InputError(message, file=self.file, place=place)

    def table(self, value: Any, place: str, keys: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(place, "expected a table")
        for key in value:
            if key not in keys:
                raise self.error(_join(place, key), f"unknown key (expected one of {', '.join(sorted(keys))})")
        return value

    def integer(self, value: Any, place: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(place, "expected an integer")
        if not lo <= value <= hi:
            raise self.error(place, f"must be {lo}-{hi}, got {value}")
        return value

    def strings(self, value: Any, place: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(place, "expected a list of strings")
        return list(value)

    def rule_ids(self, value: Any, place: str) -> frozenset[str]:
        ids = self.strings(value, place)
        for i, rule_id in enumerate(ids):
            self.rule_id(rule_id, f"{place}[{i}]")
        return frozenset(ids)

    def rule_id(self, rule_id: str, place: str) -> str:
        if rule_id not in self.known_rules:
            raise self.error(place, f"unknown rule {rule_id!r} (see 'edgeward rules')")
        return rule_id

    def severity(self, value: Any, place: str) -> Severity:
        if not isinstance(value, str):
            raise self.error(place, "expected a severity string")
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.error(place, str(exc)) from None

    def ports(self, value: Any, place: str) -> tuple[int, ...]:
        if not isinstance(value, list):
            raise self.error(place, "expected a list of port numbers")
        return tuple(self.integer(v, f"{place}[{i}]", 0, 65535) for i, v in enumerate(value))

    def audit(self, value: Any, place: str) -> AuditConfig:
        audit = self.table(value, place, AUDIT_KEYS)
        defaults = Settings()
        fail_on = self.severity(audit["fail_on"], _join(place, "fail_on")) if "fail_on" in audit else None
        overrides: list[tuple[str, Severity]] = []
        if "severity" in audit:
            table = audit["severity"]
            if not isinstance(table, dict):
                raise self.error(_join(place, "severity"), "expected a table of RULE = severity")
            for rule_id, sev in table.items():
                where = _join(_join(place, "severity"), rule_id)
                overrides.append((self.rule_id(rule_id, where), self.severity(sev, where)))
        trusted_text: tuple[str, ...] = ()
        trusted = Addresses()
        if "trusted_admin_cidrs" in audit:
            where = _join(place, "trusted_admin_cidrs")
            cidrs = self.strings(audit["trusted_admin_cidrs"], where)
            for i, cidr in enumerate(cidrs):
                try:
                    trusted = trusted | Addresses.cidr(cidr)
                except AddressError as exc:
                    raise self.error(f"{where}[{i}]", str(exc)) from None
            trusted_text = tuple(cidrs)
        settings = Settings(
            disabled=self.rule_ids(audit["disable"], _join(place, "disable")) if "disable" in audit else frozenset(),
            enabled=self.rule_ids(audit["enable"], _join(place, "enable")) if "enable" in audit else frozenset(),
            severity_overrides=tuple(overrides),
            trusted_admin_cidrs=trusted,
            trusted_admin_text=trusted_text,
            admin_ports=self.ports(audit["admin_ports"], _join(place, "admin_ports"))
            if "admin_ports" in audit
            else defaults.admin_ports,
            database_ports=self.ports(audit["database_ports"], _join(place, "database_ports"))
            if "database_ports" in audit
            else defaults.database_ports,
            wide_port_range=self.integer(audit["wide_port_range"], _join(place, "wide_port_range"), 1, 65535)
            if "wide_port_range" in audit
            else defaults.wide_port_range,
            large_cidr_v4=self.integer(audit["large_cidr_v4"], _join(place, "large_cidr_v4"), 1, 32)
            if "large_cidr_v4" in audit
            else defaults.large_cidr_v4,
            large_cidr_v6=self.integer(audit["large_cidr_v6"], _join(place, "large_cidr_v6"), 1, 128)
            if "large_cidr_v6" in audit
            else defaults.large_cidr_v6,
            quotas=self.quotas(audit.get("quotas", {}), _join(place, "quotas")),
            tag_policy=self.tag_policy(audit.get("tag_policy", {}), _join(place, "tag_policy")),
            suppressions=self.suppressions(audit.get("suppressions", []), _join(place, "suppressions")),
            iam_allowed_principals=self.iam(audit.get("iam", {}), _join(place, "iam")),
            source=self.file,
        )
        return AuditConfig(settings, fail_on, self.file)

    def quotas(self, value: Any, place: str) -> Quotas:
        table = self.table(value, place, QUOTA_KEYS)
        d = Quotas()
        quotas = Quotas(
            rules_per_group=self.integer(
                table.get("rules_per_group", d.rules_per_group), _join(place, "rules_per_group"), 1, 1000
            ),
            groups_per_interface=self.integer(
                table.get("groups_per_interface", d.groups_per_interface), _join(place, "groups_per_interface"), 1, 16
            ),
            rules_times_groups=self.integer(
                table.get("rules_times_groups", d.rules_times_groups), _join(place, "rules_times_groups"), 1, 100000
            ),
            nacl_entries=self.integer(table.get("nacl_entries", d.nacl_entries), _join(place, "nacl_entries"), 1, 40),
        )
        product = quotas.rules_per_group * quotas.groups_per_interface
        if product > quotas.rules_times_groups:
            raise self.error(
                place,
                f"rules_per_group x groups_per_interface = {product} exceeds rules_times_groups "
                f"({quotas.rules_times_groups}); AWS does not allow that combination",
            )
        return quotas

    def iam(self, value: Any, place: str) -> tuple[str, ...]:
        table = self.table(value, place, IAM_KEYS)
        where = _join(place, "allowed_principals")
        patterns = self.strings(table.get("allowed_principals", []), where)
        for i, pattern in enumerate(patterns):
            if not pattern.startswith("arn:"):
                raise self.error(f"{where}[{i}]", f"expected an ARN pattern (arn:aws:iam::...), got {pattern!r}")
        return tuple(patterns)

    def tag_policy(self, value: Any, place: str) -> TagPolicy:
        table = self.table(value, place, TAG_KEYS)
        tags = (
            tuple(self.strings(table["required_tags"], _join(place, "required_tags")))
            if "required_tags" in table
            else ()
        )
        pattern = table.get("name_pattern")
        if pattern is not None:
            if not isinstance(pattern, str):
                raise self.error(_join(place, "name_pattern"), "expected a regular expression string")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.error(_join(place, "name_pattern"), f"invalid regular expression: {exc}") from None
        return TagPolicy(tags, pattern)

    def suppressions(self, value: Any, place: str) -> tuple[Suppression, ...]:
        if not isinstance(value, list):
            raise self.error(place, "expected an array of tables ([[audit.suppressions]])")
        out: list[Suppression] = []
        for i, item in enumerate(value):
            where = f"{place}[{i}]"
            table = self.table(item, where, SUPPRESSION_KEYS)
            for key in ("rule", "reason", "expires"):
                if key not in table:
                    raise self.error(
                        _join(where, key), "required: every suppression needs a rule, a reason and an expiry date"
                    )
            rule = table["rule"]
            if not isinstance(rule, str):
                raise self.error(_join(where, "rule"), "expected a rule id")
            reason = table["reason"]
            if not isinstance(reason, str) or not reason.strip():
                raise self.error(_join(where, "reason"), "expected a non-empty reason")
            resource = table.get("resource", "*")
            if not isinstance(resource, str) or not resource:
                raise self.error(_join(where, "resource"), "expected a resource id, IaC address or '*'")
            out.append(
                Suppression(
                    rule=self.rule_id(rule, _join(where, "rule")),
                    resource=resource,
                    reason=reason.strip(),
                    expires=self.date(table["expires"], _join(where, "expires")),
                    place=where,
                )
            )
        return tuple(out)

    def date(self, value: Any, place: str) -> date:
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(place, "expected a date (YYYY-MM-DD)")
