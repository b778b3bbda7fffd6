"""ASGI middleware: reject HTTP and WebSocket requests that do not carry a valid origin secret."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from ._core import (
    DEFAULT_HEADER_NAME,
    FORBIDDEN_BODY,
    FORBIDDEN_HEADERS,
    GuardConfig,
    SecretSet,
    log_rejection,
    log_started,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# WebSocket close code for "policy violation" (RFC 6455 7.4.1).
WS_POLICY_VIOLATION = 1008
_RESPONSE_HEADERS = [(name.encode("ascii"), value.encode("ascii")) for name, value in FORBIDDEN_HEADERS]


class OriginGuardASGI:
    """Let a request reach `app` only if it carries the origin header with one of the accepted secrets.

    - `http`: a bare 403 otherwise (exact `exempt_paths` are let through for GET and HEAD only).
    - `websocket`: denied before the handshake completes: a 403 response if the server supports the
      WebSocket Denial Response extension, else a close with code 1008. Exempt paths do not apply.
    - `lifespan`: passed through untouched.
    - Any other scope type raises: the guard fails closed on protocols it does not know.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        secrets: SecretSet | Iterable[str | bytes],
        header_name: str = DEFAULT_HEADER_NAME,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.config = GuardConfig(secrets, header_name=header_name, exempt_paths=exempt_paths)
        self._header = self.config.header_name.lower().encode("ascii")
        log_started(self.config, "ASGI")

    def __repr__(self) -> str:
        return f"OriginGuardASGI({self.config!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.app(scope, receive, send)
            return
        if kind not in ("http", "websocket"):
            raise RuntimeError(f"edgeward origin guard: unsupported ASGI scope type {kind!r}")
        values = [value for name, value in scope.get("headers", ()) if name.lower() == self._header]
        path: str = scope.get("path", "")
        method: str | None = scope.get("method", "GET") if kind == "http" else None
        decision = self.config.check(values, method=method, path=path)
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        log_rejection("WebSocket" if kind == "websocket" else "HTTP", path, decision.reason)
        if kind == "http":
            await _send_forbidden(send, "http")
        else:
            await _deny_websocket(scope, receive, send)


async def _send_forbidden(send: Send, prefix: str) -> None:
    await send({"type": f"{prefix}.response.start", "status": 403, "headers": list(_RESPONSE_HEADERS)})
    await send({"type": f"{prefix}.response.body", "body": FORBIDDEN_BODY, "more_body": False})


async def _deny_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()  # websocket.connect: the handshake request
    if message["type"] != "websocket.connect":
        return  # the client went away first
    if "websocket.http.response" in (scope.get("extensions") or {}):
        await _send_forbidden(send, "websocket.http")
    else:
        # Closing before accepting makes the server answer the handshake with 403.
        await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION})
