"""The ASGI guard in front of a real Starlette application."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from edgeward.guard import OriginGuardASGI, SecretSet
from edgeward.secrets import fingerprint

from .support import CURRENT, OLD, UNKNOWN, leaked_fragments

Message = dict[str, Any]


def make_app(events: list[str] | None = None) -> Starlette:
    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"app:{request.url.path}")

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("app:healthy")

    async def chat(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("app:hello")
        await websocket.close()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if events is not None:
            events.append("startup")
        yield
        if events is not None:
            events.append("shutdown")

    return Starlette(
        routes=[
            Route("/", home, methods=["GET", "POST"]),
            Route("/admin", home, methods=["GET"]),
            Route("/health", health, methods=["GET", "HEAD", "POST"]),
            WebSocketRoute("/ws", chat),
        ],
        lifespan=lifespan,
    )


def guarded(**options: Any) -> OriginGuardASGI:
    options.setdefault("secrets", [CURRENT, OLD])
    return OriginGuardASGI(make_app(), **options)


def request(app: Any, path: str = "/", headers: Sequence[tuple[str, str]] = (), method: str = "GET") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://origin.example") as client:
            return await client.request(method, path, headers=list(headers))

    return asyncio.run(go())


def drive(app: Any, scope: dict[str, Any], incoming: Iterable[Message]) -> list[Message]:
    """Run one ASGI call with scripted incoming messages; return what the app sent."""
    inbox = list(incoming)
    sent: list[Message] = []

    async def receive() -> Message:
        if inbox:
            return inbox.pop(0)
        await asyncio.sleep(3600)  # nothing more will come; the test fails on timeout rather than hang silently
        raise AssertionError

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=5))
    return sent


def websocket_scope(headers: Sequence[tuple[bytes, bytes]], *, denial_extension: bool) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "wss",
        "server": ("origin.example", 443),
        "path": "/ws",
        "raw_path": b"/ws",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"origin.example"), *headers],
        "subprotocols": [],
    }
    if denial_extension:
        scope["extensions"] = {"websocket.http.response": {}}
    return scope


# --- HTTP ------------------------------------------------------------------------------------------


def test_request_with_current_secret_reaches_the_app() -> None:
    response = request(guarded(), headers=[("X-Origin-Verify", CURRENT)])
    assert response.status_code == 200
    assert response.text == "app:/"


def test_request_with_previous_secret_reaches_the_app_during_rotation() -> None:
    response = request(guarded(), "/admin", headers=[("X-Origin-Verify", OLD)])
    assert response.status_code == 200
    assert response.text == "app:/admin"


def test_missing_header_gets_a_bare_403_without_hints() -> None:
    response = request(guarded(header_name="X-Origin-Proof"), "/admin")
    assert response.status_code == 403
    assert response.text == "Forbidden\n"
    everything = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    assert "origin" not in everything.lower()
    assert "proof" not in everything.lower()
    assert leaked_fragments(everything) == []


def test_wrong_value_gets_403() -> None:
    response = request(guarded(), headers=[("X-Origin-Verify", UNKNOWN)], method="POST")
    assert response.status_code == 403
    assert response.text == "Forbidden\n"


def test_value_is_case_sensitive() -> None:
    for variant in (CURRENT.swapcase(), CURRENT.lower(), CURRENT.upper()):
        assert request(guarded(), headers=[("X-Origin-Verify", variant)]).status_code == 403


def test_header_name_is_case_insensitive() -> None:
    # Configured in one spelling, sent in others (httpx lower-cases names, as ASGI servers do).
    app = guarded(header_name="x-ORIGIN-verify")
    for name in ("X-Origin-Verify", "x-origin-verify", "X-ORIGIN-VERIFY"):
        assert request(app, headers=[(name, CURRENT)]).status_code == 200
    # A server that passes names through unnormalised is handled too.
    sent = drive(
        guarded(),
        {"type": "http", "method": "GET", "path": "/", "headers": [(b"X-ORIGIN-VERIFY", CURRENT.encode())]},
        [{"type": "http.request", "body": b""}],
    )
    assert sent[0]["status"] == 200


def test_custom_header_name_replaces_the_default() -> None:
    app = guarded(header_name="X-Shared-Origin-Token")
    assert request(app, headers=[("x-shared-origin-token", CURRENT)]).status_code == 200
    assert request(app, headers=[("X-Origin-Verify", CURRENT)]).status_code == 403


def test_repeated_header_is_rejected_even_with_valid_values() -> None:
    both = [("X-Origin-Verify", CURRENT), ("X-Origin-Verify", OLD)]
    assert request(guarded(), headers=both).status_code == 403
    joined = [("X-Origin-Verify", f"{CURRENT}, {OLD}")]
    assert request(guarded(), headers=joined).status_code == 403


def test_exempt_health_path_works_without_header_and_nothing_else_does() -> None:
    app = guarded(exempt_paths=["/health"])
    assert request(app, "/health").status_code == 200
    assert request(app, "/health").text == "app:healthy"
    assert request(app, "/health", method="HEAD").status_code == 200
    assert request(app, "/health", method="POST").status_code == 403
    assert request(app, "/health/").status_code == 403
    assert request(app, "/health/../admin").status_code == 403
    assert request(app, "/admin").status_code == 403
    assert request(app, "/").status_code == 403


def test_without_exempt_paths_health_needs_the_header_too() -> None:
    assert request(guarded(), "/health").status_code == 403


def test_secrets_from_env_and_file_drive_the_middleware(tmp_path: Any) -> None:
    from_env = guarded(secrets=SecretSet.from_env("SECRETS", environ={"SECRETS": f"{CURRENT},{OLD}"}))
    assert request(from_env, headers=[("X-Origin-Verify", OLD)]).status_code == 200
    assert request(from_env, headers=[("X-Origin-Verify", UNKNOWN)]).status_code == 403
    path = tmp_path / "secrets"
    path.write_text(f"# current\n{CURRENT}\n", encoding="utf-8")
    from_file = guarded(secrets=SecretSet.from_file(path))
    assert request(from_file, headers=[("X-Origin-Verify", CURRENT)]).status_code == 200
    assert request(from_file, headers=[("X-Origin-Verify", OLD)]).status_code == 403


# --- logging ---------------------------------------------------------------------------------------


def test_rejections_are_logged_with_path_and_reason_but_no_value(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="edgeward.guard")
    app = guarded()
    request(app, "/admin")
    request(app, "/", headers=[("X-Origin-Verify", UNKNOWN)])
    request(app, "/", headers=[("X-Origin-Verify", CURRENT.swapcase())])
    request(app, "/", headers=[("X-Origin-Verify", CURRENT), ("X-Origin-Verify", OLD)])
    request(app, "/", headers=[("X-Origin-Verify", CURRENT)])
    rejections = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(rejections) == 4
    assert "'/admin'" in rejections[0] and "missing header" in rejections[0]
    assert "wrong value" in rejections[1] and "wrong value" in rejections[2]
    assert "repeated header" in rejections[3]
    assert all(r.levelno == logging.DEBUG for r in caplog.records if "rejected" in r.getMessage())
    assert leaked_fragments(caplog.text, CURRENT, OLD, UNKNOWN, CURRENT.swapcase()) == []


def test_startup_log_names_fingerprints_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="edgeward.guard")
    guarded(exempt_paths=["/health"])
    assert fingerprint(CURRENT) in caplog.text
    assert fingerprint(OLD) in caplog.text
    assert leaked_fragments(caplog.text) == []


# --- lifespan, WebSocket, other scopes -------------------------------------------------------------


def test_lifespan_passes_through_without_any_header() -> None:
    events: list[str] = []
    app = OriginGuardASGI(make_app(events), secrets=[CURRENT])
    sent = drive(
        app,
        {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
        [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}],
    )
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert events == ["startup", "shutdown"]


def test_websocket_without_secret_is_denied_with_403_when_the_server_supports_it() -> None:
    sent = drive(guarded(), websocket_scope([], denial_extension=True), [{"type": "websocket.connect"}])
    assert sent[0]["type"] == "websocket.http.response.start"
    assert sent[0]["status"] == 403
    assert sent[1]["body"] == b"Forbidden\n"
    assert not any(m["type"] == "websocket.accept" for m in sent)


def test_websocket_with_wrong_secret_is_closed_before_accept() -> None:
    scope = websocket_scope([(b"x-origin-verify", UNKNOWN.encode())], denial_extension=False)
    sent = drive(guarded(), scope, [{"type": "websocket.connect"}])
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_websocket_with_secret_reaches_the_app() -> None:
    scope = websocket_scope([(b"x-origin-verify", OLD.encode())], denial_extension=True)
    sent = drive(guarded(), scope, [{"type": "websocket.connect"}])
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert sent[1]["text"] == "app:hello"


def test_websocket_is_never_exempt() -> None:
    app = guarded(exempt_paths=["/ws"])
    sent = drive(app, websocket_scope([], denial_extension=False), [{"type": "websocket.connect"}])
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_unknown_scope_type_fails_closed() -> None:
    with pytest.raises(RuntimeError, match="unsupported ASGI scope type"):
        drive(guarded(), {"type": "webtransport", "path": "/", "headers": []}, [])


def test_works_as_starlette_middleware() -> None:
    from starlette.middleware import Middleware

    app = Starlette(
        routes=make_app().routes,
        middleware=[Middleware(OriginGuardASGI, secrets=[CURRENT], exempt_paths=["/health"])],
    )
    assert request(app, "/health").status_code == 200
    assert request(app, "/").status_code == 403
    assert request(app, "/", headers=[("X-Origin-Verify", CURRENT)]).text == "app:/"
