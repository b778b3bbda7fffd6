"""Wildcard matching for actions, resources, condition strings and ARNs.

- Actions: `service:Name`, case-insensitive, `*` and `?` anywhere.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resources: per ARN segment (the parts between colons). `*` and `?` stay inside their segment,
  except that a `*` that is the last character of a segment "can expand to match beyond the
  colon boundaries". The resource part (after the fifth colon) is one segment in which `*` also
  matches `/` and `:`. The resource part is case-sensitive ("the IAM user name is case
  sensitive"); partition, service, region and account are compared ignoring case (undocumented;
  the same choice as iam-simulate).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- StringLike: `*` and `?` over the whole value, case-sensitive.
- ArnLike / ArnEquals: the six colon-delimited components compared separately.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN

Patterns are compiled to regular expressions once and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from edgeward.iam.principal import Principal
from edgeward.iam.variables import Piece

ARN_PREFIX_SEGMENTS = 5  # arn, partition, service, region, account


def _glob_body(pieces: Iterable[Piece]) -> str:
    out: list[str] = []
    for text, is_pattern in pieces:
        if not is_pattern:
            out.append(re.escape(text))
            continue
        for char in text:
            if char == "*":
                out.append(".*")
            elif char == "?":
                out.append(".")
            else:
                out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=65536)
def glob_regex(pieces: tuple[Piece, ...], ignore_case: bool = False) -> re.Pattern[str]:
    """A whole-string regex for a glob: `*` any run of characters, `?` exactly one."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(_glob_body(pieces), flags)


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Plain glob match of a whole string (StringLike semantics)."""
    return glob_regex(((pattern, True),), ignore_case).fullmatch(value) is not None


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


# --- resources ------------------------------------------------------------------------------


def _resource_body(pieces: tuple[Piece, ...]) -> str:
    chars: list[tuple[str, bool]] = [(c, pat) for text, pat in pieces for c in text]
    prefix: list[str] = []
    rest: list[str] = []
    segment = 0
    for i, (char, is_pattern) in enumerate(chars):
        target = prefix if segment < ARN_PREFIX_SEGMENTS else rest
        if char == ":" and segment < ARN_PREFIX_SEGMENTS:
            segment += 1
            prefix.append(":")
            continue
        if not is_pattern or char not in "*?":
            target.append(re.escape(char))
        elif segment >= ARN_PREFIX_SEGMENTS:
            target.append(".*" if char == "*" else ".")
        elif char == "?":
            target.append("[^:]")
        else:
            last_of_segment = i + 1 == len(chars) or chars[i + 1][0] == ":"
            target.append(".*" if last_of_segment else "[^:]*")
    body = f"(?i:{''.join(prefix)})" if prefix else ""
    return body + "".join(rest)


@lru_cache(maxsize=65536)
def resource_regex(pieces: tuple[Piece, ...]) -> re.Pattern[str]:
    """A whole-string regex for a Resource/NotResource pattern (segment rules above)."""
    return re.compile(_resource_body(pieces), re.DOTALL)


def resource_match(pattern: str, resource: str) -> bool:
    """Does the Resource pattern (no variables) match the resource ARN?"""
    return resource_regex(((pattern, True),)).fullmatch(resource) is not None


# --- ARN condition operators ----------------------------------------------------------------


def split_arn(value: str) -> list[str] | None:
    """The six components of an ARN, or None if `value` has fewer than six."""
    parts = value.split(":", 5)
    return parts if len(parts) == 6 else None


@lru_cache(maxsize=65536)
def _arn_component_regexes(pieces: tuple[Piece, ...]) -> tuple[re.Pattern[str], ...] | None:
    components: list[list[Piece]] = [[]]
    for text, is_pattern in pieces:
        for char in text:
            if char == ":" and len(components) < 6:
                components.append([])
            else:
                components[-1].append((char, is_pattern))
    if len(components) != 6:
        return None
    return tuple(re.compile(_glob_body(c), re.DOTALL) for c in components)


def arn_like(pieces: tuple[Piece, ...], value: str) -> bool:
    """ArnLike/ArnEquals: each of the six components matched separately (case-sensitive)."""
    if len(pieces) == 1 and pieces[0] == ("*", True):
        return True
    actual = split_arn(value)
    if actual is None:
        return False
    regexes = _arn_component_regexes(pieces)
    if regexes is None:
        return False
    return all(rx.fullmatch(part) is not None for rx, part in zip(regexes, actual, strict=True))


# --- actions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionMatcher:
    """Action or NotAction patterns of one statement, compiled once."""

    patterns: tuple[str, ...]
    negated: bool
    _exact: frozenset[str] = field(compare=False, repr=False)
    _regex: re.Pattern[str] | None = field(compare=False, repr=False)

    @classmethod
    def compile(cls, patterns: Sequence[str], *, negated: bool) -> ActionMatcher:
        exact = frozenset(p.lower() for p in patterns if not has_wildcard(p))
        wild = [p for p in patterns if has_wildcard(p)]
        regex = None
        if wild:
            body = "|".join(f"(?:{_glob_body(((p.lower(), True),))})" for p in wild)
            regex = re.compile(body, re.DOTALL | re.IGNORECASE)
        return cls(tuple(patterns), negated, exact, regex)

    def listed(self, action: str) -> bool:
        """Is the action matched by one of the listed patterns (ignoring NotAction)?"""
        return self.listed_lower(action.lower())

    def listed_lower(self, lowered: str) -> bool:
        """`listed` for an action name already in lower case (the evaluator lowers it once)."""
        if lowered in self._exact:
            return True
        return self._regex is not None and self._regex.fullmatch(lowered) is not None

    def matches(self, action: str) -> bool:
        """Does the statement's Action (or NotAction) element cover the action?"""
        return self.listed(action) != self.negated


def action_match(pattern: str, action: str) -> bool:
    """Single Action pattern against an action name (case-insensitive)."""
    return glob_regex(((pattern, True),), True).fullmatch(action) is not None


# --- principals -----------------------------------------------------------------------------

# How a Principal element named the caller; it decides how far a same-account resource-based
# policy's Allow reaches (see evaluation.py).
PrincipalMatchKind = str  # "wildcard", "account", "user", "role", "role-session", ...


@dataclass(frozen=True, slots=True)
class PrincipalElement:
    """A parsed Principal or NotPrincipal element.

    `aws` holds ARNs as written, with account ids and `arn:...:root` normalised to
    `account:<id>` (both mean the whole account). Service names are lower-cased.
    """

    wildcard: bool = False
    aws: frozenset[str] = frozenset()
    service: frozenset[str] = frozenset()
    federated: frozenset[str] = frozenset()
    canonical_user: frozenset[str] = frozenset()
    negated: bool = False

    def match_kind(self, principal: Principal) -> PrincipalMatchKind | None:
        """How the (positive) element names the caller, or None if it does not."""
        if self.wildcard:
            return "wildcard"
        kind = principal.kind
        if kind == "service":
            return "service" if principal.arn.lower() in self.service else None
        if kind == "anonymous":
            return None
        if principal.kind == "role-session" and principal.arn in self.aws:
            return "role-session"
        if principal.kind == "federated-user" and principal.arn in self.aws:
            return "federated-user"
        if principal.kind == "user" and principal.arn in self.aws:
            return "user"
        if principal.role_arn is not None and _normalise_aws(principal.role_arn) in self.aws:
            return "role"
        if principal.parent_user_arn is not None and principal.parent_user_arn in self.aws:
            return "parent-user"
        if principal.account is not None and f"account:{principal.account}" in self.aws:
            return "account"
        return None

    def matches(self, principal: Principal) -> PrincipalMatchKind | None:
        """Match kind for Principal; for NotPrincipal, "not-principal" unless the caller is exempt.

        NotPrincipal exempts a caller only if every identity AWS may check for it is listed:
        the account, then the role, then the session ("AWS might validate the account first,
        then the role, then the assumed-role user").
        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        """
        if not self.negated:
            return self.match_kind(principal)
        if self.wildcard:
            return None
        if principal.kind == "service":
            return None if principal.arn.lower() in self.service else "not-principal"
        if principal.kind == "anonymous":
            return "not-principal"
        listed = {_normalise_aws(v) for v in principal.chain()}
        return None if listed <= self.aws else "not-principal"


def _normalise_aws(value: str) -> str:
    """Canonical form of an AWS principal value.

    An account id and `arn:...:iam::ACCOUNT:root` both mean the account. A role is identified by
    account and name (role names are unique in an account whatever their path), so a role ARN with
    a path names the same role as the ARN derived from a session `assumed-role/NAME/SESSION`,
    which carries no path.
    """
    if len(value) == 12 and value.isdigit():
        return f"account:{value}"
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam":
            if parts[5] == "root":
                return f"account:{parts[4]}"
            if parts[5].startswith("role/"):
                return f"role:{parts[1]}:{parts[4]}:{parts[5].rsplit('/', 1)[-1]}"
    return value


normalise_aws_principal = _normalise_aws
