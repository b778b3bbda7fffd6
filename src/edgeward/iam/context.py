"""The request context: condition keys and their values, as AWS builds it for one request.

Key names are case-insensitive, including the tag part of `aws:RequestTag/<key>`, so keys are
stored lower-cased. A key is *multivalued* when AWS defines it so (`aws:TagKeys`, ...) or when the
request carries more than one value for it; a multivalued key with one value is a set of one.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

# Global keys AWS documents as multivalued (value type "Multivalued" / ArrayOf...).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
KNOWN_MULTIVALUED_KEYS: frozenset[str] = frozenset(
    {
        "aws:tagkeys",
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "aws:resourceorgpaths",
        "aws:sourceorgpaths",
    }
)


@dataclass(frozen=True, slots=True)
class ContextValue:
    """The values of one key in the request; `multi` marks a set (even a set of one)."""

    values: tuple[str, ...]
    multi: bool

    def single(self) -> str | None:
        """The value of a single-valued key, or None for a set."""
        if self.multi or len(self.values) != 1:
            return None
        return self.values[0]


def _is_multivalued_name(key: str, extra: frozenset[str]) -> bool:
    return key in KNOWN_MULTIVALUED_KEYS or key in extra


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Condition keys of one request. Absent keys are simply not in `entries`."""

    entries: Mapping[str, ContextValue] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def build(
        cls,
        values: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] = (),
        *,
        multivalued_keys: Iterable[str] = (),
    ) -> RequestContext:
        """Build from a mapping (a list value is a set) or from repeated (key, value) pairs.

        Repeating a key makes it multivalued; a key AWS defines as multivalued is a set even
        with one value. Key case is ignored.
        """
        extra = frozenset(k.lower() for k in multivalued_keys)
        collected: dict[str, list[str]] = {}
        forced_multi: set[str] = set()
        items: Iterable[tuple[str, str | Sequence[str]]]
        items = values.items() if isinstance(values, Mapping) else values
        for raw_key, raw_value in items:
            key = raw_key.lower()
            bucket = collected.setdefault(key, [])
            if isinstance(raw_value, str):
                bucket.append(raw_value)
            else:
                forced_multi.add(key)
                bucket.extend(str(v) for v in raw_value)
        entries = {
            key: ContextValue(
                tuple(vals),
                multi=len(vals) != 1 or key in forced_multi or _is_multivalued_name(key, extra),
            )
            for key, vals in collected.items()
        }
        return cls(MappingProxyType(entries))

    def get(self, key: str) -> ContextValue | None:
        """The values of `key` (any case), or None when the key is absent."""
        return self.entries.get(key.lower())

    def single(self, key: str) -> str | None:
        """The value of a single-valued key, or None when absent or multivalued."""
        entry = self.entries.get(key.lower())
        return None if entry is None else entry.single()

    def with_defaults(self, defaults: Mapping[str, str | Sequence[str]]) -> RequestContext:
        """A context where each key of `defaults` is added unless already present."""
        merged = dict(self.entries)
        for raw_key, raw_value in defaults.items():
            key = raw_key.lower()
            if key in merged:
                continue
            if isinstance(raw_value, str):
                merged[key] = ContextValue((raw_value,), multi=key in KNOWN_MULTIVALUED_KEYS)
            else:
                merged[key] = ContextValue(tuple(raw_value), multi=True)
        return RequestContext(MappingProxyType(merged))

    def as_dict(self) -> dict[str, str | list[str]]:
        """Plain form for reports: a set is a list, a single value a string."""
        return {
            key: (list(entry.values) if entry.multi else entry.values[0]) for key, entry in sorted(self.entries.items())
        }
