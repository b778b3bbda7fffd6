"""The one place where the guard decides: secret validation, loading, and the per-request check.

The ASGI and WSGI adapters only extract the header values, method and path from their protocol and
turn a rejection into a 403; everything that could leak or mis-compare a secret lives here.

Secrets are kept only as SHA-256 digests (plus their `fingerprint()`): a presented value is hashed
and compared with `hmac.compare_digest` against *every* accepted digest, without early exit. Hashing
first makes every comparison the same length, so not even the length of a secret leaks through
timing, and no raw secret stays in memory where a repr or a traceback could show it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from edgeward.errors import EdgewardError
from edgeward.secrets import fingerprint

logger = logging.getLogger("edgeward.guard")

DEFAULT_HEADER_NAME = "X-Origin-Verify"
DEFAULT_ENV_VAR = "EDGEWARD_GUARD_SECRETS"
DEFAULT_MIN_SECRET_LENGTH = 16
# CloudFront quota: an origin custom header value is at most 1,783 characters; a longer secret could never arrive.
MAX_SECRET_LENGTH = 1783
# CloudFront quota: an origin custom header name is at most 256 characters.
MAX_HEADER_NAME_LENGTH = 256
# Methods that may use an exempt path. Load balancer and orchestrator health checks use GET (or HEAD).
EXEMPT_METHODS = frozenset({"GET", "HEAD"})

# Headers CloudFront refuses to add to origin requests (add-origin-custom-headers.html); a guard on
# one of them could never let a request through.
_FORBIDDEN_HEADER_NAMES = frozenset(
    name.lower()
    for name in (
        "Cache-Control", "Connection", "Content-Length", "Cookie", "Host", "If-Match", "If-Modified-Since",
        "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Pragma", "Proxy-Authenticate",
        "Proxy-Authorization", "Proxy-Connection", "Range", "Request-Range", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Via", "X-Real-Ip",
    )
)  # fmt: skip
_FORBIDDEN_HEADER_PREFIXES = ("x-amz-", "x-edge-")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field-name (token)
# Visible ASCII except the comma: header values travel as ASCII, surrounding whitespace is stripped by
# HTTP parsers, and a comma is how repeated headers are combined (RFC 9110 5.3), so a secret holding
# one could not be told apart from two values.
_SECRET_CHARS = re.compile(r"[\x21-\x2b\x2d-\x7e]+")


class GuardConfigError(EdgewardError, ValueError):
    """The guard cannot start with this configuration. The message never contains a secret."""


class Reason(StrEnum):
    """Why a request was let through or rejected; the rejection reasons are what the debug log shows."""

    VALID = "valid"
    EXEMPT = "exempt path"
    MISSING = "missing header"
    REPEATED = "repeated header"
    WRONG = "wrong value"


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one check."""

    allowed: bool
    reason: Reason


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


def _as_text(value: str | bytes, where: str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("ascii")
        except UnicodeDecodeError:
            raise GuardConfigError(
                f"secret {fingerprint(value)} ({where}) is not ASCII; CloudFront header values are ASCII"
            ) from None
    if isinstance(value, str):
        return value
    raise TypeError(f"secret ({where}) must be str or bytes, not {type(value).__name__}")


def _validated(secret: str, where: str, min_length: int) -> str:
    label = f"secret {fingerprint(secret)} ({where})"
    if len(secret) < min_length:
        raise GuardConfigError(f"{label} is shorter than the minimum of {min_length} characters")
    if len(secret) > MAX_SECRET_LENGTH:
        raise GuardConfigError(
            f"{label} is longer than {MAX_SECRET_LENGTH} characters, the most CloudFront sends in a header value"
        )
    if not _SECRET_CHARS.fullmatch(secret):
        raise GuardConfigError(
            f"{label} contains whitespace, a comma or a non-ASCII/control character; "
            "use visible ASCII without commas (letters and digits are safest)"
        )
    return secret


class SecretSet:
    """The accepted secrets, validated, held only as digests; repr and errors show fingerprints only.

    Build it from explicit values, from an environment variable (`from_env`) or from a file
    (`from_file`); `load_secrets` combines sources. An empty set is refused: a guard without a secret
    would either let everything through or nothing.
    """

    __slots__ = ("_digests", "_fingerprints")

    _digests: tuple[bytes, ...]
    _fingerprints: tuple[str, ...]

    def __init__(self, values: Iterable[str | bytes], *, min_length: int = DEFAULT_MIN_SECRET_LENGTH) -> None:
        self._init(_explicit(values), min_length)

    def _init(self, entries: Iterable[tuple[str | bytes, str]], min_length: int) -> None:
        if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 1:
            raise GuardConfigError(f"min_length must be a positive integer, got {min_length!r}")
        digests: list[bytes] = []
        fingerprints: list[str] = []
        for value, where in entries:
            secret = _validated(_as_text(value, where), where, min_length)
            digest = _digest(secret.encode("ascii"))
            if digest not in digests:
                digests.append(digest)
                fingerprints.append(fingerprint(secret))
        if not digests:
            raise GuardConfigError("no origin secret configured; the guard refuses to start without one")
        self._digests = tuple(digests)
        self._fingerprints = tuple(fingerprints)

    @classmethod
    def _from_entries(cls, entries: Iterable[tuple[str | bytes, str]], min_length: int) -> SecretSet:
        instance = cls.__new__(cls)
        instance._init(entries, min_length)
        return instance

    @classmethod
    def from_env(
        cls,
        name: str = DEFAULT_ENV_VAR,
        *,
        environ: Mapping[str, str] | None = None,
        min_length: int = DEFAULT_MIN_SECRET_LENGTH,
    ) -> SecretSet:
        """Secrets from environment variable `name`: separated by commas and/or newlines.

        Whitespace around each entry is ignored, as are empty entries (so a trailing comma is fine).
        """
        return cls._from_entries(_env_entries(name, os.environ if environ is None else environ), min_length)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, min_length: int = DEFAULT_MIN_SECRET_LENGTH) -> SecretSet:
        """Secrets from a UTF-8 file: one per line; blank lines and lines starting with `#` are ignored."""
        return cls._from_entries(_file_entries(Path(path)), min_length)

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """The fingerprint of each accepted secret, in the order given (duplicates removed)."""
        return self._fingerprints

    def __len__(self) -> int:
        return len(self._digests)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretSet):
            return NotImplemented
        return set(self._digests) == set(other._digests)

    def __hash__(self) -> int:
        return hash(frozenset(self._digests))

    def __repr__(self) -> str:
        return f"SecretSet({', '.join(self._fingerprints)})"

    def matches(self, presented: bytes) -> bool:
        """Whether `presented` equals one accepted secret, exactly (case-sensitive, byte for byte).

        Every accepted secret is compared, whatever the outcome, so the time taken does not depend on
        which one matched, or on whether one did.
        """
        digest = _digest(presented)
        matched = False
        for accepted in self._digests:
            matched |= hmac.compare_digest(digest, accepted)
        return matched


def _explicit(values: Iterable[str | bytes]) -> Iterator[tuple[str | bytes, str]]:
    if isinstance(values, str | bytes | bytearray):
        # Iterating a string would make one secret per character, and print fingerprints of single characters.
        raise TypeError("secrets must be a collection of values (e.g. a list), not a single string")
    for index, value in enumerate(values, start=1):
        yield value, f"value #{index}"


def _env_entries(name: str, environ: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    raw = environ.get(name)
    if raw is None:
        raise GuardConfigError(f"environment variable {name} is not set; it should hold the accepted origin secrets")
    entries = [entry.strip() for entry in re.split(r"[,\n]", raw)]
    where = f"environment variable {name}"
    nonempty = [entry for entry in entries if entry]
    if not nonempty:
        raise GuardConfigError(f"{where} holds no secret; the guard refuses to start without one")
    for index, entry in enumerate(nonempty, start=1):
        yield entry, f"{where}, entry #{index}"


def _file_entries(path: Path) -> Iterator[tuple[str, str]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GuardConfigError(f"cannot read secrets file {path}: {error.strerror or type(error).__name__}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise GuardConfigError(f"secrets file {path} is not valid UTF-8") from None
    found = False
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        found = True
        yield entry, f"{path}, line {number}"
    if not found:
        raise GuardConfigError(f"secrets file {path} holds no secret; the guard refuses to start without one")


def load_secrets(
    values: Iterable[str | bytes] = (),
    *,
    env: str | None = None,
    file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    min_length: int = DEFAULT_MIN_SECRET_LENGTH,
) -> SecretSet:
    """Accepted secrets from any combination of explicit values, an environment variable and a file.

    The union is taken; a named source that is missing or empty is an error, and so is an empty union.
    """

    def entries() -> Iterator[tuple[str | bytes, str]]:
        yield from _explicit(values)
        if env is not None:
            yield from _env_entries(env, os.environ if environ is None else environ)
        if file is not None:
            yield from _file_entries(Path(file))

    return SecretSet._from_entries(entries(), min_length)


def _header_name(name: str) -> str:
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise GuardConfigError(f"header name {name!r} is not a valid HTTP field name")
    if len(name) > MAX_HEADER_NAME_LENGTH:
        raise GuardConfigError(f"header name is longer than {MAX_HEADER_NAME_LENGTH} characters, CloudFront's limit")
    lower = name.lower()
    if lower in _FORBIDDEN_HEADER_NAMES or lower.startswith(_FORBIDDEN_HEADER_PREFIXES):
        raise GuardConfigError(f"CloudFront cannot add the header {name} to origin requests; choose another name")
    return name


def _exempt_path(path: str) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise GuardConfigError(f"exempt path {path!r} must be an absolute path starting with '/'")
    if any(char in path for char in "?#*"):
        raise GuardConfigError(
            f"exempt path {path!r} must be a plain exact path: no query string, fragment or wildcard "
            "(exempt paths are matched exactly; prefixes and globs are not supported)"
        )
    return path


@dataclass(frozen=True, slots=True, init=False)
class GuardConfig:
    """What the guard enforces: header name, accepted secrets, and the exact paths exempt for GET/HEAD."""

    header_name: str
    secrets: SecretSet
    exempt_paths: frozenset[str]

    def __init__(
        self,
        secrets: SecretSet | Iterable[str | bytes],
        *,
        header_name: str = DEFAULT_HEADER_NAME,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        if isinstance(exempt_paths, str):
            raise TypeError("exempt_paths must be a collection of paths, not a single string")
        accepted = secrets if isinstance(secrets, SecretSet) else SecretSet(secrets)
        object.__setattr__(self, "header_name", _header_name(header_name))
        object.__setattr__(self, "secrets", accepted)
        object.__setattr__(self, "exempt_paths", frozenset(_exempt_path(path) for path in exempt_paths))

    def __repr__(self) -> str:
        return (
            f"GuardConfig(header_name={self.header_name!r}, secrets={self.secrets!r}, "
            f"exempt_paths={sorted(self.exempt_paths)!r})"
        )

    def check(self, values: Sequence[bytes], *, method: str | None, path: str) -> Decision:
        """Decide one request from every value it carries for the header (in any spelling of the name).

        `method` is None for a WebSocket handshake: exempt paths never apply to it. More than one value
        (repeated header, or values joined by commas, which RFC 9110 treats as the same) is rejected
        even if each is a valid secret: one request, one credential.
        """
        if method in EXEMPT_METHODS and path in self.exempt_paths:
            return Decision(True, Reason.EXEMPT)
        if not values:
            return Decision(False, Reason.MISSING)
        parts = [part for value in values for part in value.split(b",")]
        if len(parts) > 1:
            return Decision(False, Reason.REPEATED)
        # Parsers strip optional whitespace around a field value; secrets never have any.
        if self.secrets.matches(parts[0].strip(b" \t")):
            return Decision(True, Reason.VALID)
        return Decision(False, Reason.WRONG)


def log_rejection(kind: str, path: str, reason: Reason) -> None:
    """Debug-log a rejection with the path and reason only, never the presented value."""
    logger.debug("origin guard rejected %s request to %r: %s", kind, path, reason.value)


def log_started(config: GuardConfig, adapter: str) -> None:
    """Log, by fingerprint, which secrets the guard accepts: lets an operator verify a rotation step."""
    logger.info(
        "origin guard (%s) enforcing header %s with %d accepted secret(s): %s; exempt paths: %s",
        adapter,
        config.header_name,
        len(config.secrets),
        ", ".join(config.secrets.fingerprints),
        ", ".join(sorted(config.exempt_paths)) or "none",
    )


FORBIDDEN_BODY = b"Forbidden\n"
FORBIDDEN_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-type", "text/plain; charset=utf-8"),
    ("content-length", str(len(FORBIDDEN_BODY))),
    ("cache-control", "no-store"),
)
