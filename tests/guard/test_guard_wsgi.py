"""The WSGI guard in front of a plain WSGI application, through werkzeug's client and a real wsgiref server."""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from werkzeug.test import Client

from edgeward.guard import OriginGuardWSGI, SecretSet

from .support import CURRENT, OLD, UNKNOWN, leaked_fragments


def plain_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    body = f"app:{environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def guarded(**options: Any) -> OriginGuardWSGI:
    options.setdefault("secrets", [CURRENT, OLD])
    return OriginGuardWSGI(plain_app, **options)


def call(app: OriginGuardWSGI, path: str = "/", headers: Sequence[tuple[str, str]] = (), method: str = "GET") -> Any:
    return Client(app).open(path, method=method, headers=list(headers))


# --- werkzeug test client --------------------------------------------------------------------------


def test_current_and_previous_secret_reach_the_app() -> None:
    app = guarded()
    for secret in (CURRENT, OLD):
        response = call(app, "/orders", headers=[("X-Origin-Verify", secret)], method="POST")
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "app:POST /orders"


def test_missing_and_wrong_header_get_a_bare_403() -> None:
    app = guarded()
    for headers in ([], [("X-Origin-Verify", UNKNOWN)], [("X-Origin-Verify", "")]):
        response = call(app, "/orders", headers=headers)
        assert response.status_code == 403
        assert response.get_data() == b"Forbidden\n"
        assert "origin" not in str(response.headers).lower()
        assert leaked_fragments(str(response.headers)) == []


def test_header_name_case_insensitive_value_case_sensitive() -> None:
    app = guarded(header_name="x-origin-VERIFY")
    assert call(app, headers=[("X-ORIGIN-VERIFY", CURRENT)]).status_code == 200
    assert call(app, headers=[("x-origin-verify", OLD)]).status_code == 200
    assert call(app, headers=[("X-Origin-Verify", CURRENT.swapcase())]).status_code == 403
    assert call(app, headers=[("X-Origin-Verify", OLD.lower())]).status_code == 403


def test_repeated_header_is_rejected() -> None:
    response = call(guarded(), headers=[("X-Origin-Verify", CURRENT), ("X-Origin-Verify", OLD)])
    assert response.status_code == 403


def test_exempt_health_path_works_without_header_and_nothing_else_does() -> None:
    app = guarded(exempt_paths=["/health"])
    assert call(app, "/health").get_data(as_text=True) == "app:GET /health"
    assert call(app, "/health", method="HEAD").status_code == 200
    assert call(app, "/health", method="POST").status_code == 403
    assert call(app, "/health/").status_code == 403
    assert call(app, "/healthcheck").status_code == 403
    assert call(app, "/").status_code == 403


def test_secrets_from_file(tmp_path: Any) -> None:
    path = tmp_path / "secrets"
    path.write_text(f"{OLD}\n\n# {CURRENT} is not live yet\n", encoding="utf-8")
    app = guarded(secrets=SecretSet.from_file(path))
    assert call(app, headers=[("X-Origin-Verify", OLD)]).status_code == 200
    assert call(app, headers=[("X-Origin-Verify", CURRENT)]).status_code == 403


def test_rejections_logged_without_values(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="edgeward.guard")
    app = guarded()
    call(app, "/a")
    call(app, "/b", headers=[("X-Origin-Verify", UNKNOWN)])
    call(app, "/c", headers=[("X-Origin-Verify", CURRENT)])
    messages = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(messages) == 2
    assert "'/a'" in messages[0] and "missing header" in messages[0]
    assert "'/b'" in messages[1] and "wrong value" in messages[1]
    assert leaked_fragments(caplog.text) == []


# --- a real server on the wire ---------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[WSGIServer]:
    httpd = make_server("127.0.0.1", 0, guarded(exempt_paths=["/health"]), handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join(timeout=5)
    httpd.server_close()


def wire(server: WSGIServer, path: str, headers: Sequence[tuple[str, str]] = ()) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    try:
        connection.putrequest("GET", path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_wsgiref_server_end_to_end(server: WSGIServer) -> None:
    assert wire(server, "/", [("x-origin-verify", CURRENT)]) == (200, b"app:GET /")
    assert wire(server, "/", [("X-Origin-Verify", f"  {OLD}  ")]) == (200, b"app:GET /")
    assert wire(server, "/") == (403, b"Forbidden\n")
    assert wire(server, "/", [("X-Origin-Verify", UNKNOWN)]) == (403, b"Forbidden\n")
    assert wire(server, "/health") == (200, b"app:GET /health")


def test_wsgiref_joins_repeated_headers_and_the_guard_rejects_them(server: WSGIServer) -> None:
    status, _ = wire(server, "/", [("X-Origin-Verify", CURRENT), ("X-Origin-Verify", CURRENT)])
    assert status == 403
