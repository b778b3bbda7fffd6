"""Condition operators, exactly as AWS documents them.

- A Condition block is true when every operator is true; an operator is true when every key
  under it is true; a key is true when any policy value matches (OR), except for the negated
  operators (StringNotEquals, StringNotLike, ArnNot*, NotIpAddress, NumericNotEquals,
  DateNotEquals), which are true when *no* policy value matches (NOR).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
- Key absent: the condition is false, except for negated operators (true), `...IfExists`
  (true) and `ForAllValues:` (true). `ForAnyValue:` with the key absent is false.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
- `ForAllValues:` / `ForAnyValue:` apply the base operator to each request value (a negated base
  operator per value). A set operator on a single-valued key treats the value as a set of one.
- A plain operator (no set prefix) on a multivalued key never matches: AWS says set operators are
  required for such keys; this follows iam-simulate's model of AWS (unverified against AWS).
- Policy variables are allowed only in String, ARN and Bool values.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from edgeward.errors import InputError
from edgeward.iam.context import RequestContext
from edgeward.iam.matching import arn_like, glob_regex
from edgeward.iam.variables import Template, parse_template

Family = Literal["string", "numeric", "date", "bool", "binary", "ip", "arn", "null"]
SetOperator = Literal["ForAnyValue", "ForAllValues"]

_Cmp = Callable[[Any, Any], bool]


@dataclass(frozen=True, slots=True)
class BaseOperator:
    name: str
    family: Family
    negated: bool = False
    compare: str = "eq"  # eq, like, ieq, lt, le, gt, ge


_BASES: tuple[BaseOperator, ...] = (
    BaseOperator("StringEquals", "string"),
    BaseOperator("StringNotEquals", "string", True),
    BaseOperator("StringEqualsIgnoreCase", "string", compare="ieq"),
    BaseOperator("StringNotEqualsIgnoreCase", "string", True, compare="ieq"),
    BaseOperator("StringLike", "string", compare="like"),
    BaseOperator("StringNotLike", "string", True, compare="like"),
    BaseOperator("NumericEquals", "numeric"),
    BaseOperator("NumericNotEquals", "numeric", True),
    BaseOperator("NumericLessThan", "numeric", compare="lt"),
    BaseOperator("NumericLessThanEquals", "numeric", compare="le"),
    BaseOperator("NumericGreaterThan", "numeric", compare="gt"),
    BaseOperator("NumericGreaterThanEquals", "numeric", compare="ge"),
    BaseOperator("DateEquals", "date"),
    BaseOperator("DateNotEquals", "date", True),
    BaseOperator("DateLessThan", "date", compare="lt"),
    BaseOperator("DateLessThanEquals", "date", compare="le"),
    BaseOperator("DateGreaterThan", "date", compare="gt"),
    BaseOperator("DateGreaterThanEquals", "date", compare="ge"),
    BaseOperator("Bool", "bool"),
    BaseOperator("BinaryEquals", "binary"),
    BaseOperator("IpAddress", "ip"),
    BaseOperator("NotIpAddress", "ip", True),
    BaseOperator("ArnEquals", "arn", compare="like"),
    BaseOperator("ArnLike", "arn", compare="like"),
    BaseOperator("ArnNotEquals", "arn", True, compare="like"),
    BaseOperator("ArnNotLike", "arn", True, compare="like"),
    BaseOperator("Null", "null"),
)
BASE_OPERATORS: Mapping[str, BaseOperator] = {b.name.lower(): b for b in _BASES}

_ORDER: Mapping[str, _Cmp] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}

VARIABLE_FAMILIES: frozenset[str] = frozenset({"string", "arn", "bool"})


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """A condition operator as written: optional set prefix, base operator, optional IfExists."""

    written: str
    base: BaseOperator
    set_operator: SetOperator | None
    if_exists: bool

    @property
    def negated(self) -> bool:
        return self.base.negated


def parse_operator(written: str, *, place: str, file: str | None = None) -> OperatorSpec:
    """Parse `ForAnyValue:StringLikeIfExists` and the like; unknown operators are errors."""
    name = written
    set_operator: SetOperator | None = None
    prefix, sep, rest = written.partition(":")
    if sep:
        lowered = prefix.lower()
        if lowered == "foranyvalue":
            set_operator = "ForAnyValue"
        elif lowered == "forallvalues":
            set_operator = "ForAllValues"
        else:
            raise InputError(
                f"unknown set operator {prefix!r} (expected ForAnyValue or ForAllValues)",
                file=file,
                place=place,
            )
        name = rest
    if_exists = False
    lowered_name = name.lower()
    if lowered_name.endswith("ifexists") and lowered_name != "ifexists":
        if_exists = True
        lowered_name = lowered_name[: -len("ifexists")]
    base = BASE_OPERATORS.get(lowered_name)
    if base is None:
        raise InputError(f"unknown condition operator {written!r}", file=file, place=place)
    if base.family == "null" and (if_exists or set_operator is not None):
        raise InputError(f"{written!r}: Null takes neither IfExists nor a set operator", file=file, place=place)
    return OperatorSpec(written, base, set_operator, if_exists)


# --- value parsing --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def parse_date(text: str) -> datetime | None:
    """W3C ISO 8601 date/time or epoch seconds; None when neither."""
    value = text.strip()
    if not value:
        return None
    if value.lstrip("-").isdigit():
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _decode_binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4096)
def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None


# --- the test -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConditionTest:
    """One key under one operator, with its policy values parsed for that operator."""

    operator: OperatorSpec
    key: str  # as written
    values: tuple[Any, ...]
    _lookup: str = field(repr=False, compare=False, default="")
    _static: frozenset[str] | None = field(repr=False, compare=False, default=None)

    @property
    def lookup_key(self) -> str:
        return self._lookup

    # one request value against the policy values: True / False, or None when the request
    # value cannot be read as the operator's type
    def _positive(self, value: str, context: RequestContext) -> bool | None:
        static = self._static
        if static is not None:
            return value in static
        base = self.operator.base
        family = base.family
        if family == "string":
            if base.compare == "eq":
                return any(t.render_text(context) == value for t in self.values)
            if base.compare == "ieq":
                lowered = value.lower()
                for t in self.values:
                    rendered = t.render_text(context)
                    if rendered is not None and rendered.lower() == lowered:
                        return True
                return False
            for t in self.values:
                pieces = t.render(context)
                if pieces is not None and glob_regex(pieces).fullmatch(value) is not None:
                    return True
            return False
        if family == "arn":
            for t in self.values:
                pieces = t.render(context)
                if pieces is not None and arn_like(pieces, value):
                    return True
            return False
        if family == "bool":
            lowered = value.strip().lower()
            for t in self.values:
                rendered = t.render_text(context)
                if rendered is not None and rendered.strip().lower() == lowered:
                    return True
            return False
        if family == "numeric":
            number = parse_number(value)
            if number is None:
                return None
            cmp = _ORDER[base.compare]
            return any(cmp(number, v) for v in self.values)
        if family == "date":
            moment = parse_date(value)
            if moment is None:
                return None
            cmp = _ORDER[base.compare]
            return any(cmp(moment, v) for v in self.values)
        if family == "binary":
            data = _decode_binary(value)
            if data is None:
                data = value.encode()
            return data in self.values
        if family == "ip":
            address = _ip(value)
            if address is None:
                return None
            return any(address.version == n.version and address in n for n in self.values)
        raise AssertionError(family)  # pragma: no cover - null is handled in evaluate

    def value_result(self, value: str, context: RequestContext) -> bool:
        """The base operator applied to one request value (negated operators per value)."""
        positive = self._positive(value, context)
        if positive is None:
            return False
        return not positive if self.operator.negated else positive

    def evaluate(self, context: RequestContext) -> bool:
        spec = self.operator
        entry = context.entries.get(self._lookup)
        present = entry is not None and len(entry.values) > 0
        if spec.base.family == "null":
            return (not present) in self.values
        if entry is None or not present:
            if spec.set_operator == "ForAllValues":
                return True
            if spec.if_exists:
                return True
            if spec.set_operator == "ForAnyValue":
                return False
            return spec.negated
        if spec.set_operator is None:
            if entry.multi:
                return False
            return self.value_result(entry.values[0], context)
        if spec.set_operator == "ForAnyValue":
            return any(self.value_result(v, context) for v in entry.values)
        return all(self.value_result(v, context) for v in entry.values)


def parse_condition_test(
    spec: OperatorSpec,
    key: str,
    raw_values: Any,
    *,
    variables: bool,
    place: str,
    file: str | None,
) -> ConditionTest:
    """Parse the values of one key for its operator (types checked now, not per request)."""
    if not isinstance(key, str) or not key:
        raise InputError("condition key must be a non-empty string", file=file, place=place)
    items = raw_values if isinstance(raw_values, list) else [raw_values]
    if not items:
        raise InputError(f"condition key {key!r} has no values", file=file, place=place)
    texts: list[str] = []
    for item in items:
        text = _scalar_text(item)
        if text is None:
            raise InputError(f"condition value for {key!r} must be a string, number or boolean", file=file, place=place)
        texts.append(text)
    family = spec.base.family
    values: list[Any] = []
    static: frozenset[str] | None = None
    if family in VARIABLE_FAMILIES:
        templates = [parse_template(t, variables=variables) for t in texts]
        values = templates
        if family == "string" and spec.base.compare == "eq" and not any(t.has_variables for t in templates):
            static = frozenset(t.raw for t in templates)
    elif family == "numeric":
        for t in texts:
            number = parse_number(t)
            if number is None:
                raise InputError(f"{t!r} is not a number", file=file, place=place)
            values.append(number)
    elif family == "date":
        for t in texts:
            moment = parse_date(t)
            if moment is None:
                raise InputError(f"{t!r} is not an ISO 8601 date or epoch time", file=file, place=place)
            values.append(moment)
    elif family == "binary":
        for t in texts:
            data = _decode_binary(t)
            if data is None:
                raise InputError(f"{t!r} is not base64", file=file, place=place)
            values.append(data)
    elif family == "ip":
        for t in texts:
            try:
                values.append(ipaddress.ip_network(t.strip(), strict=False))
            except ValueError:
                raise InputError(f"{t!r} is not an IP address or CIDR", file=file, place=place) from None
    else:  # null
        for t in texts:
            lowered = t.lower()
            if lowered not in ("true", "false"):
                raise InputError(f"Null takes true or false, not {t!r}", file=file, place=place)
            values.append(lowered == "true")
    return ConditionTest(spec, key, tuple(values), key.lower(), static)


def conditions_hold(tests: tuple[ConditionTest, ...], context: RequestContext) -> bool:
    """AND over every operator and key of a Condition block."""
    return all(test.evaluate(context) for test in tests)


__all__ = [
    "BASE_OPERATORS",
    "ConditionTest",
    "OperatorSpec",
    "Template",
    "conditions_hold",
    "parse_condition_test",
    "parse_date",
    "parse_operator",
]
