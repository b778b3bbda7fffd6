"""Policy variables: `${key}`, `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}`.

Variables exist only under `"Version": "2012-10-17"`; under `2008-10-17` or with no Version the
text `${aws:username}` is literal (so are the escapes). A variable whose key is missing (or
multivalued) and has no default makes the value "effectively null": it equals nothing and a
Resource containing it matches no resource.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html

A template is parsed once, when the policy is parsed, into parts. Rendering yields *pieces*:
(text, is_pattern) pairs, where text from a substituted value or an escape is literal and never
acts as a wildcard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from edgeward.iam.context import RequestContext

PartKind = Literal["text", "literal", "variable"]

_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Part:
    """`text`: policy text (wildcards active); `literal`: an escape; `variable`: a context key."""

    kind: PartKind
    text: str
    default: str | None = None


Piece = tuple[str, bool]  # (text, True when * and ? in it are wildcards)


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string, split into parts once at parse time."""

    raw: str
    parts: tuple[Part, ...]
    has_variables: bool

    def render(self, context: RequestContext) -> tuple[Piece, ...] | None:
        """Substitute variables; None when a variable has no value and no default."""
        if not self.has_variables:
            return tuple((p.text, p.kind == "text") for p in self.parts)
        pieces: list[Piece] = []
        for part in self.parts:
            if part.kind == "text":
                pieces.append((part.text, True))
            elif part.kind == "literal":
                pieces.append((part.text, False))
            else:
                entry = context.entries.get(part.text)  # part.text is already lower-case
                value = None if entry is None else entry.single()
                if value is None:
                    value = part.default
                if value is None:
                    return None
                pieces.append((value, False))
        return tuple(pieces)

    def render_text(self, context: RequestContext) -> str | None:
        """The rendered string (no wildcard meaning), or None when a variable is null."""
        if not self.has_variables:
            return self.raw if not self.parts else "".join(p.text for p in self.parts)
        pieces = self.render(context)
        return None if pieces is None else "".join(text for text, _ in pieces)


def _parse_variable(body: str) -> Part:
    if body in _ESCAPES:
        return Part("literal", _ESCAPES[body])
    key, sep, rest = body.partition(",")
    key = key.strip()
    if not sep:
        return Part("variable", key.lower())
    default = rest.strip()
    if len(default) >= 2 and default[0] == "'" and default[-1] == "'":
        return Part("variable", key.lower(), default[1:-1])
    # Not AWS's default syntax: keep the whole thing as a key that will not resolve.
    return Part("variable", body.strip().lower())


def parse_template(raw: str, *, variables: bool) -> Template:
    """Split `raw` into text, escapes and variables (variables only if `variables`)."""
    if not variables or "${" not in raw:
        return Template(raw, (Part("text", raw),), has_variables=False)
    parts: list[Part] = []
    position = 0
    buffer: list[str] = []
    while position < len(raw):
        start = raw.find("${", position)
        end = raw.find("}", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            buffer.append(raw[position:])
            break
        buffer.append(raw[position:start])
        if buffer and "".join(buffer):
            parts.append(Part("text", "".join(buffer)))
        buffer = []
        parts.append(_parse_variable(raw[start + 2 : end]))
        position = end + 1
    if buffer and "".join(buffer):
        parts.append(Part("text", "".join(buffer)))
    has_variables = any(p.kind != "text" for p in parts)
    return Template(raw, tuple(parts), has_variables=has_variables)


def variable_keys(template: Template) -> tuple[str, ...]:
    """The (lower-cased) context keys a template reads."""
    return tuple(p.text for p in template.parts if p.kind == "variable")
