"""Parse and validate IAM policy documents into frozen, pre-compiled statements.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
Version: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html

Every problem is an `InputError` whose place is the JSON path inside the document, such as
`Statement[2].Condition.StringLike`. Patterns are compiled here, once, so that evaluating a
request does no parsing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from edgeward.errors import InputError
from edgeward.iam.conditions import ConditionTest, parse_condition_test, parse_operator
from edgeward.iam.context import RequestContext
from edgeward.iam.matching import ActionMatcher, PrincipalElement, normalise_aws_principal, resource_regex
from edgeward.iam.principal import Principal
from edgeward.iam.variables import Template, parse_template

PolicyKind = Literal["identity", "resource", "trust", "boundary", "session", "scp", "rcp"]
Effect = Literal["Allow", "Deny"]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)

_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
# Policy types that are attached to a resource and therefore name principals.
RESOURCE_KINDS: frozenset[str] = frozenset({"resource", "trust", "rcp"})


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """Resource or NotResource patterns, compiled once (or per request when they hold variables)."""

    patterns: tuple[Template, ...]
    negated: bool
    _static: Any = field(repr=False, compare=False, default=None)  # compiled regex or None

    @classmethod
    def compile(cls, patterns: tuple[Template, ...], *, negated: bool) -> ResourceMatcher:
        static: re.Pattern[str] | bool | None = None
        if not any(t.has_variables for t in patterns):
            if any(t.raw == "*" for t in patterns):
                static = True
            else:
                body = "|".join(f"(?:{resource_regex(((t.raw, True),)).pattern})" for t in patterns)
                static = re.compile(body, re.DOTALL)
        return cls(patterns, negated, static)

    def listed(self, resource: str, context: RequestContext) -> bool:
        if self._static is True:
            return True
        if isinstance(self._static, re.Pattern):
            return self._static.fullmatch(resource) is not None
        for template in self.patterns:
            pieces = template.render(context)
            if pieces is None:
                continue  # a null variable: this pattern matches no resource
            if resource_regex(pieces).fullmatch(resource) is not None:
                return True
        return False

    def matches(self, resource: str, context: RequestContext) -> bool:
        return self.listed(resource, context) != self.negated


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; `index` is its position in the policy's Statement list (0-based)."""

    index: int
    sid: str | None
    effect: Effect
    actions: ActionMatcher
    resources: ResourceMatcher | None  # None: no Resource element (trust policies)
    principals: PrincipalElement | None  # None: no Principal element (identity-side policies)
    conditions: tuple[ConditionTest, ...]

    def matches_request(self, action: str, resource: str, context: RequestContext) -> bool:
        """Action, resource and conditions (the principal is checked separately)."""
        return self.matches_lowered(action.lower(), resource, context)

    def matches_lowered(self, action: str, resource: str, context: RequestContext) -> bool:
        """`matches_request` for an action name already in lower case."""
        if self.actions.listed_lower(action) == self.actions.negated:
            return False
        resources = self.resources
        if resources is not None and resources.listed(resource, context) == resources.negated:
            return False
        for test in self.conditions:  # noqa: SIM110 - a plain loop is measurably faster here
            if not test.evaluate(context):
                return False
        return True

    def principal_match(self, principal: Principal) -> str | None:
        """How the Principal/NotPrincipal element names the caller ("any" with no element)."""
        if self.principals is None:
            return "any"
        return self.principals.matches(principal)


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document. `name` says where it came from (file, ARN, inline name)."""

    name: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]

    @property
    def variables_enabled(self) -> bool:
        return self.version == VERSION_2012


def _path(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def _string_list(value: Any, *, place: str, file: str | None, what: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise InputError(f"{what} is an empty list", file=file, place=place)
    out: list[str] = []
    for n, item in enumerate(items):
        if not isinstance(item, str) or not item:
            where = f"{place}[{n}]" if isinstance(value, list) else place
            raise InputError(f"{what} must be a non-empty string", file=file, place=where)
        out.append(item)
    return out


def _parse_actions(value: Any, *, negated: bool, place: str, file: str | None) -> ActionMatcher:
    actions = _string_list(value, place=place, file=file, what="an action")
    for n, action in enumerate(actions):
        if action != "*" and ":" not in action:
            where = f"{place}[{n}]" if isinstance(value, list) else place
            raise InputError(f"action {action!r} is not of the form service:ActionName", file=file, place=where)
    return ActionMatcher.compile(actions, negated=negated)


def _parse_resources(value: Any, *, negated: bool, variables: bool, place: str, file: str | None) -> ResourceMatcher:
    resources = _string_list(value, place=place, file=file, what="a resource")
    templates = tuple(parse_template(r, variables=variables) for r in resources)
    return ResourceMatcher.compile(templates, negated=negated)


def _parse_principal(value: Any, *, negated: bool, place: str, file: str | None) -> PrincipalElement:
    if value == "*":
        return PrincipalElement(wildcard=True, negated=negated)
    if not isinstance(value, Mapping) or not value:
        raise InputError(
            'Principal must be "*" or an object with AWS, Service, Federated or CanonicalUser',
            file=file,
            place=place,
        )
    collected: dict[str, set[str]] = {k: set() for k in _PRINCIPAL_KEYS}
    wildcard = False
    for key, raw in value.items():
        if key not in collected:
            raise InputError(
                f"unknown principal type {key!r} (expected AWS, Service, Federated or CanonicalUser)",
                file=file,
                place=_path(place, key),
            )
        for n, item in enumerate(_string_list(raw, place=_path(place, key), file=file, what="a principal")):
            where = f"{_path(place, key)}[{n}]" if isinstance(raw, list) else _path(place, key)
            if item == "*" and key == "AWS":
                wildcard = True
                continue
            if "*" in item or "?" in item:
                raise InputError(
                    f"wildcards are not allowed in a principal ({item!r}); use a condition on aws:PrincipalArn instead",
                    file=file,
                    place=where,
                )
            if key == "AWS":
                collected[key].add(normalise_aws_principal(item))
            elif key == "Service":
                collected[key].add(item.lower())
            else:
                collected[key].add(item)
    return PrincipalElement(
        wildcard=wildcard,
        aws=frozenset(collected["AWS"]),
        service=frozenset(collected["Service"]),
        federated=frozenset(collected["Federated"]),
        canonical_user=frozenset(collected["CanonicalUser"]),
        negated=negated,
    )


def _parse_conditions(value: Any, *, variables: bool, place: str, file: str | None) -> tuple[ConditionTest, ...]:
    if not isinstance(value, Mapping):
        raise InputError("Condition must be an object of operators", file=file, place=place)
    tests: list[ConditionTest] = []
    for operator_name, block in value.items():
        op_place = _path(place, str(operator_name))
        spec = parse_operator(str(operator_name), place=op_place, file=file)
        if not isinstance(block, Mapping) or not block:
            raise InputError(f"{operator_name} must map condition keys to values", file=file, place=op_place)
        for key, raw_values in block.items():
            tests.append(
                parse_condition_test(
                    spec, key, raw_values, variables=variables, place=_path(op_place, str(key)), file=file
                )
            )
    return tuple(tests)


def _both(statement: Mapping[str, Any], a: str, b: str, place: str, file: str | None) -> None:
    if a in statement and b in statement:
        raise InputError(f"a statement cannot have both {a} and {b}", file=file, place=place)


def _parse_statement(
    raw: Any, index: int, place: str, *, kind: PolicyKind, variables: bool, file: str | None
) -> Statement:
    if not isinstance(raw, Mapping):
        raise InputError("a statement must be an object", file=file, place=place)
    for key in raw:
        if key not in _STATEMENT_KEYS:
            raise InputError(f"unknown statement element {key!r}", file=file, place=_path(place, str(key)))
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise InputError(f'Effect must be "Allow" or "Deny", not {effect!r}', file=file, place=_path(place, "Effect"))
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise InputError("Sid must be a string", file=file, place=_path(place, "Sid"))
    _both(raw, "Action", "NotAction", place, file)
    _both(raw, "Resource", "NotResource", place, file)
    _both(raw, "Principal", "NotPrincipal", place, file)
    if "Action" in raw:
        actions = _parse_actions(raw["Action"], negated=False, place=_path(place, "Action"), file=file)
    elif "NotAction" in raw:
        actions = _parse_actions(raw["NotAction"], negated=True, place=_path(place, "NotAction"), file=file)
    else:
        raise InputError("a statement needs Action or NotAction", file=file, place=place)
    resources: ResourceMatcher | None = None
    if "Resource" in raw:
        resources = _parse_resources(
            raw["Resource"], negated=False, variables=variables, place=_path(place, "Resource"), file=file
        )
    elif "NotResource" in raw:
        resources = _parse_resources(
            raw["NotResource"], negated=True, variables=variables, place=_path(place, "NotResource"), file=file
        )
    elif kind not in ("trust", "resource"):
        raise InputError("a statement needs Resource or NotResource", file=file, place=place)
    principals: PrincipalElement | None = None
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if has_principal and kind not in RESOURCE_KINDS:
        element = "Principal" if "Principal" in raw else "NotPrincipal"
        raise InputError(
            f"{element} is only allowed in resource-based policies, not in a {kind} policy",
            file=file,
            place=_path(place, element),
        )
    if kind in RESOURCE_KINDS and not has_principal:
        raise InputError(f"a statement of a {kind} policy needs Principal or NotPrincipal", file=file, place=place)
    if "Principal" in raw:
        principals = _parse_principal(raw["Principal"], negated=False, place=_path(place, "Principal"), file=file)
    elif "NotPrincipal" in raw:
        if kind == "trust":
            raise InputError(
                "NotPrincipal is not allowed in a role trust policy", file=file, place=_path(place, "NotPrincipal")
            )
        principals = _parse_principal(raw["NotPrincipal"], negated=True, place=_path(place, "NotPrincipal"), file=file)
    conditions: tuple[ConditionTest, ...] = ()
    if "Condition" in raw:
        conditions = _parse_conditions(
            raw["Condition"], variables=variables, place=_path(place, "Condition"), file=file
        )
    return Statement(index, sid, effect, actions, resources, principals, conditions)


def parse_policy(
    document: Any,
    *,
    name: str,
    kind: PolicyKind = "identity",
    file: str | None = None,
) -> Policy:
    """Validate a policy document (a dict, or JSON text) and compile it.

    `name` identifies the policy in explanations; `file` is used in error messages.
    """
    if isinstance(document, str | bytes):
        document = loads_policy_json(document, file=file or name)
    if not isinstance(document, Mapping):
        raise InputError("a policy document must be a JSON object", file=file)
    for key in document:
        if key not in _TOP_KEYS:
            raise InputError(f"unknown top-level element {key!r}", file=file, place=str(key))
    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        raise InputError(
            f"Version must be {VERSION_2012!r} or {VERSION_2008!r}, not {version!r}", file=file, place="Version"
        )
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise InputError("Id must be a string", file=file, place="Id")
    if "Statement" not in document:
        raise InputError("a policy needs a Statement element", file=file)
    raw_statements = document["Statement"]
    variables = version == VERSION_2012
    statements: list[Statement] = []
    if isinstance(raw_statements, list):
        for n, raw in enumerate(raw_statements):
            statements.append(_parse_statement(raw, n, f"Statement[{n}]", kind=kind, variables=variables, file=file))
    else:
        statements.append(_parse_statement(raw_statements, 0, "Statement", kind=kind, variables=variables, file=file))
    return Policy(name, kind, version, policy_id, tuple(statements))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def loads_policy_json(text: str | bytes, *, file: str | None = None) -> Any:
    """Parse JSON text, rejecting duplicate keys (AWS rejects them in a policy)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise InputError(f"duplicate key {exc.key!r} in policy JSON", file=file) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", file=file) from None


def empty_policy(name: str, kind: PolicyKind = "identity") -> Policy:
    """A policy with no statements (valid; it allows nothing)."""
    return Policy(name, kind, VERSION_2012, None, ())
