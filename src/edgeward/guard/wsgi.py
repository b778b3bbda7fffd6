"""WSGI middleware: reject requests that do not carry a valid origin secret."""

from __future__ import annotations

from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from ._core import (
    DEFAULT_HEADER_NAME,
    FORBIDDEN_BODY,
    FORBIDDEN_HEADERS,
    GuardConfig,
    SecretSet,
    log_rejection,
    log_started,
)


class OriginGuardWSGI:
    """Let a request reach `app` only if it carries the origin header with one of the accepted secrets.

    Otherwise a bare 403. Exact `exempt_paths` (matched against `PATH_INFO`, the path the wrapped
    application routes on) are let through for GET and HEAD only.

    WSGI servers join a repeated header into one value separated by commas; secrets cannot contain a
    comma, so such a request is rejected as "repeated header", as it is under ASGI.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        secrets: SecretSet | Iterable[str | bytes],
        header_name: str = DEFAULT_HEADER_NAME,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.config = GuardConfig(secrets, header_name=header_name, exempt_paths=exempt_paths)
        self._environ_key = "HTTP_" + self.config.header_name.upper().replace("-", "_")
        log_started(self.config, "WSGI")

    def __repr__(self) -> str:
        return f"OriginGuardWSGI({self.config!r})"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raw = environ.get(self._environ_key)
        values: list[bytes] = []
        if raw is not None:
            try:
                values.append(str(raw).encode("latin-1"))  # PEP 3333: header values are bytes decoded as latin-1
            except UnicodeEncodeError:
                values.append(b"\x00")  # not what any HTTP parser produces, and never a secret
        path = str(environ.get("PATH_INFO", ""))
        decision = self.config.check(values, method=str(environ.get("REQUEST_METHOD", "GET")), path=path)
        if decision.allowed:
            return self.app(environ, start_response)
        log_rejection("HTTP", path, decision.reason)
        start_response("403 Forbidden", list(FORBIDDEN_HEADERS))
        return [FORBIDDEN_BODY]
