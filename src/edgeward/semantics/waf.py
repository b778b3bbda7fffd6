"""AWS WAF (v2) web ACLs judging requests that lack the origin secret (shared/facts/cloudfront.md 1a, option B).

AWS evaluates the rules of a web ACL by priority, lowest first. A rule whose statement matches and
whose action is Allow or Block ends the evaluation (CAPTCHA and Challenge too); Count does not. A
rule group reference applies the group's own rules unless its override action is Count. When no rule
ends the evaluation, the default action decides.

The question here is whether *every* request without the secret header is blocked. Each statement
is judged, for such a request, in four values:

- `T` / `F`: it matches / does not match every such request (a byte match on the secret header is
  `F`: the request lacks the secret; its negation is `T`);
- `C`: the sender chooses (a byte match on another part of the request, a geo match, a rate-based
  rule the sender can stay under, an IP set that holds some but not all of the senders that reach
  the load balancer);
- `O`: edgeward cannot tell (your own rule groups, whose rules the snapshot lacks; label matches;
  unrecognised statements).

Managed rule groups (AWS's or a vendor's) match attack signatures, bad reputations and bots; a plain
request avoids them, so they are `C`.

AND/OR/NOT combine them in Kleene logic (`O` wins over `C` where neither decides). A byte match is a
secret check only when its search string is the whole secret after the text transformations
(`NONE`, `LOWERCASE`; transformations that leave `[A-Za-z0-9._~-]` unchanged count as `NONE` for such
a secret); a search string that is a mere part of the secret (CONTAINS, STARTS_WITH, ...) lets other
values through and is judged `C`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgeward.algebra.addresses import Addresses
from edgeward.model.edge import EdgeEstate, OriginHeader, WafRule, WafStatement, WebAcl

# Transformations that do not change a value made of unreserved URL characters.
IDENTITY_FOR_PLAIN = frozenset(
    {"NONE", "URL_DECODE", "URL_DECODE_UNI", "HTML_ENTITY_DECODE", "COMPRESS_WHITE_SPACE", "NORMALIZE_PATH",
     "NORMALIZE_PATH_WIN", "REMOVE_NULLS", "REPLACE_NULLS", "JS_DECODE", "CSS_DECODE", "ESCAPE_SEQ_DECODE",
     "UTF8_TO_UNICODE", "REPLACE_COMMENTS", "TRIM"}
)  # fmt: skip
PLAIN = re.compile(r"^[A-Za-z0-9._~-]*$")

T, F, C, O = "T", "F", "C", "O"  # noqa: E741 - the four values of the module docstring


def transform(value: str, transforms: tuple[str, ...]) -> str | None:
    """The value after the text transformations, or None when edgeward cannot compute them."""
    out = value
    for name in transforms:
        upper = name.upper()
        if upper == "LOWERCASE":
            out = out.lower()
        elif upper in IDENTITY_FOR_PLAIN and PLAIN.match(out):
            continue
        else:
            return None
    return out


def byte_match(statement: WafStatement, value: str) -> bool | None:
    """Does the byte-match statement match this header value? None when a transformation is unknown."""
    if statement.search is None:
        return None
    seen = transform(value, statement.transforms)
    if seen is None:
        return None
    search = statement.search.reveal()
    constraint = statement.positional.upper()
    if constraint == "EXACTLY":
        return seen == search
    if constraint == "STARTS_WITH":
        return seen.startswith(search)
    if constraint == "ENDS_WITH":
        return seen.endswith(search)
    if constraint == "CONTAINS":
        return search in seen
    if constraint == "CONTAINS_WORD":
        return re.search(rf"(?<![A-Za-z0-9_]){re.escape(search)}(?![A-Za-z0-9_])", seen) is not None
    return None


def secret_statement(statement: WafStatement, headers: tuple[OriginHeader, ...]) -> tuple[str, OriginHeader] | None:
    """Classify a byte match on one of the distribution's headers: `secret`, `partial`, `mismatch`, `unknown`."""
    if statement.kind != "byte-match" or statement.header is None or statement.search is None:
        return None
    for header in headers:
        if header.name.lower() != statement.header:
            continue
        matched = byte_match(statement, header.value.reveal())
        if matched is None:
            return "unknown", header
        if not matched:
            return "mismatch", header
        whole = transform(header.value.reveal(), statement.transforms)
        return ("secret" if whole == statement.search.reveal() else "partial"), header
    return None


@dataclass(frozen=True, slots=True)
class StatementValue:
    value: str  # T F C O
    why: str


def _and(values: list[StatementValue]) -> str:
    vs = {v.value for v in values}
    if F in vs:
        return F
    if vs <= {T}:
        return T
    return O if O in vs else C


def _or(values: list[StatementValue]) -> str:
    vs = {v.value for v in values}
    if T in vs:
        return T
    if vs <= {F}:
        return F
    return O if O in vs else C


class WafJudge:
    """Judges statements for one kind of request.

    `secret_headers`: the distribution's origin headers (which byte matches are secret checks);
    `sent_headers`: the headers the judged request carries (none for a request without the secret,
    the distribution's own, or another distribution's); `senders`: the addresses it may come from.
    """

    def __init__(
        self,
        edge: EdgeEstate,
        secret_headers: tuple[OriginHeader, ...],
        sent_headers: tuple[OriginHeader, ...],
        senders: Addresses,
    ) -> None:
        self.edge = edge
        self.secret_headers = secret_headers
        self.sent_headers = sent_headers
        self.senders = senders

    def judge(self, statement: WafStatement) -> StatementValue:
        kind = statement.kind
        if kind == "byte-match":
            found = secret_statement(statement, self.secret_headers)
            if found is None:
                return StatementValue(C, f"{statement.describe()}: the sender chooses the request's contents")
            status, header = found
            if status == "unknown":
                return StatementValue(O, f"text transformations {'+'.join(statement.transforms)} are not modelled")
            sent = next((h for h in self.sent_headers if h.name.lower() == statement.header), None)
            if sent is None:
                if status == "partial":
                    return StatementValue(
                        C,
                        f"the search string {statement.search} is only part of the secret {header.value.fingerprint}: "
                        "values other than the secret match",
                    )
                return StatementValue(F, f"the request lacks the value {statement.search} of {header.name}")
            matched = byte_match(statement, sent.value.reveal())
            if matched is None:  # pragma: no cover - classified as unknown above
                return StatementValue(O, "text transformations not modelled")
            verb = "matches" if matched else "does not match"
            return StatementValue(T if matched else F, f"{sent.name} = {sent.value.fingerprint} {verb}")
        if kind == "ip-set":
            ip_set = self.edge.ip_set_by_arn.get(statement.reference or "")
            if ip_set is None:
                return StatementValue(O, f"IP set {statement.reference} is not in the snapshot")
            members = Addresses.from_cidrs(ip_set.addresses)
            inside = self.senders & members
            if inside.is_empty():
                return StatementValue(F, f"IP set {ip_set.name} holds none of the senders")
            if inside == self.senders:
                return StatementValue(T, f"IP set {ip_set.name} holds every sender")
            return StatementValue(C, f"IP set {ip_set.name} holds some senders ({inside.describe(4)})")
        if kind in ("and", "or"):
            parts = [self.judge(c) for c in statement.children]
            value = _and(parts) if kind == "and" else _or(parts)
            return StatementValue(value, "; ".join(p.why for p in parts))
        if kind == "not":
            inner = self.judge(statement.children[0]) if statement.children else StatementValue(O, "empty NOT")
            flipped = {T: F, F: T}.get(inner.value, inner.value)
            return StatementValue(flipped, f"NOT ({inner.why})")
        if kind in ("geo-match", "rate-based", "content"):
            return StatementValue(C, f"{statement.describe()}: the sender chooses")
        if kind == "managed-rule-group":
            return StatementValue(C, f"{statement.describe()} matches attack signatures the sender can avoid")
        if kind == "rule-group":
            return StatementValue(O, f"{statement.describe()}: its rules are not in the snapshot")
        return StatementValue(O, f"{statement.describe()} is not modelled")


@dataclass(frozen=True, slots=True)
class WafOutcome:
    """`blocked`, `allowed` or `maybe` for the judged requests, and the rule (or default) that decides."""

    result: str
    rule: WafRule | None
    reason: str
    trail: tuple[str, ...] = ()


TERMINATING = {"allow": "allow", "block": "block", "captcha": "block", "challenge": "block"}


def evaluate(acl: WebAcl, judge: WafJudge) -> WafOutcome:
    """Walk the rules by priority for the judged requests (see the module docstring).

    `allowed`: some such request is allowed; `blocked`: every one is blocked; `maybe`: an opaque rule
    decides. A statement the sender controls (`C`) is avoided under a Block and satisfied under an
    Allow, each rule independently of the others.
    """
    trail: list[str] = []
    maybe_allowed: list[str] = []  # opaque rules before that might have allowed it
    maybe_blocked: list[str] = []  # opaque rules before that might have blocked it
    for rule in acl.ordered():
        value = judge.judge(rule.statement)
        action = rule.action.lower()
        label = f"rule {rule.name} (priority {rule.priority})"
        if rule.statement.kind in ("rule-group", "managed-rule-group"):
            if action == "count":
                trail.append(f"{label}: rule group with override Count: it does not end the evaluation")
            elif value.value == O:
                maybe_allowed.append(rule.name)
                maybe_blocked.append(rule.name)
                trail.append(f"{label}: {value.why}")
            else:
                trail.append(f"{label}: {value.why}; a request without its signatures passes it")
            continue
        effect = TERMINATING.get(action)
        if effect is None:
            if value.value != F:
                trail.append(f"{label} is in Count mode: it matches but does not end the evaluation")
            continue
        if value.value == F:
            continue
        if effect == "block":
            if value.value == T:
                result = "maybe" if maybe_allowed else "blocked"
                return WafOutcome(result, rule, f"{label} blocks it: {value.why}", tuple(trail))
            if value.value == O:
                maybe_blocked.append(rule.name)
            trail.append(f"{label} blocks only some of it: {value.why}")
            continue
        if value.value in (T, C):
            result = "maybe" if maybe_blocked else "allowed"
            return WafOutcome(result, rule, f"{label} allows it: {value.why}", tuple(trail))
        maybe_allowed.append(rule.name)
        trail.append(f"{label} may allow it: {value.why}")
    if acl.default_action.lower() == "block":
        result = "maybe" if maybe_allowed else "blocked"
        return WafOutcome(result, None, f"the default action of web ACL {acl.name} blocks it", tuple(trail))
    result = "maybe" if maybe_blocked else "allowed"
    reason = f"no rule blocks it and the default action of web ACL {acl.name} allows it"
    return WafOutcome(result, None, reason, tuple(trail))
