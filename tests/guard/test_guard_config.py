"""Secrets: validation, loading from values, environment and file, and that no secret ever leaks."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from edgeward.errors import EdgewardError
from edgeward.guard import (
    DEFAULT_ENV_VAR,
    GuardConfig,
    GuardConfigError,
    OriginGuardASGI,
    OriginGuardWSGI,
    Reason,
    SecretSet,
    load_secrets,
)
from edgeward.secrets import fingerprint

from .support import CURRENT, OLD, UNKNOWN, leaked_fragments

SHORT = "ShrtQXZ9W"  # 9 characters


async def _asgi_app(scope: object, receive: object, send: object) -> None:  # never reached in these tests
    raise AssertionError


def _wsgi_app(environ: object, start_response: object) -> list[bytes]:  # never reached in these tests
    raise AssertionError


def _error(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    return str(excinfo.value) + repr(excinfo.value)


# --- refusing to start -----------------------------------------------------------------------------


def test_empty_secret_set_is_refused() -> None:
    with pytest.raises(GuardConfigError, match="no origin secret"):
        SecretSet([])
    with pytest.raises(GuardConfigError, match="no origin secret"):
        OriginGuardASGI(_asgi_app, secrets=[])


def test_config_errors_are_user_errors() -> None:
    with pytest.raises(EdgewardError):
        SecretSet([])
    with pytest.raises(ValueError):
        SecretSet([])


def test_short_secret_is_refused_naming_only_its_fingerprint() -> None:
    with pytest.raises(GuardConfigError) as excinfo:
        SecretSet([CURRENT, SHORT])
    message = _error(excinfo)
    assert fingerprint(SHORT) in message
    assert "value #2" in message
    assert "16" in message
    assert leaked_fragments(message, SHORT, CURRENT) == []


def test_minimum_length_is_configurable() -> None:
    assert len(SecretSet([SHORT], min_length=8)) == 1
    with pytest.raises(GuardConfigError, match="minimum of 32"):
        SecretSet([CURRENT], min_length=32)
    with pytest.raises(GuardConfigError, match="min_length"):
        SecretSet([CURRENT], min_length=0)


@pytest.mark.parametrize(
    "bad",
    [
        "With Space Inside QWERTYUIOP",
        "Comma,Inside,QWERTYUIOPASDF",
        "Tab\tInside\tQWERTYUIOPASDF",
        "Nicht-ÄÖÜ-QWERTYUIOPASDF",
    ],
)
def test_secret_that_cannot_travel_as_one_header_value_is_refused(bad: str) -> None:
    with pytest.raises(GuardConfigError) as excinfo:
        SecretSet([bad])
    message = _error(excinfo)
    assert fingerprint(bad) in message
    assert leaked_fragments(message, bad) == []


def test_secret_longer_than_cloudfront_can_send_is_refused() -> None:
    with pytest.raises(GuardConfigError, match="1783"):
        SecretSet(["Q" * 1784])
    assert len(SecretSet(["Q" * 1783])) == 1


def test_single_string_instead_of_a_list_is_refused() -> None:
    with pytest.raises(TypeError, match="not a single string"):
        SecretSet(CURRENT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a single string"):
        OriginGuardWSGI(_wsgi_app, secrets=CURRENT)


def test_bytes_secrets_are_accepted_and_non_ascii_bytes_refused() -> None:
    accepted = SecretSet([CURRENT.encode()])
    assert accepted.matches(CURRENT.encode())
    bad = "Ünicode".encode() + b"QWERTYUIOPASDFGH"
    with pytest.raises(GuardConfigError, match="not ASCII") as excinfo:
        SecretSet([bad])
    assert fingerprint(bad) in str(excinfo.value)


def test_duplicates_are_counted_once() -> None:
    assert len(SecretSet([CURRENT, OLD, CURRENT])) == 2
    assert SecretSet([CURRENT, OLD]) == SecretSet([OLD, CURRENT])
    assert SecretSet([CURRENT]) != SecretSet([OLD])


# --- matching --------------------------------------------------------------------------------------


def test_match_is_exact_and_case_sensitive() -> None:
    accepted = SecretSet([CURRENT, OLD])
    assert accepted.matches(CURRENT.encode())
    assert accepted.matches(OLD.encode())
    assert not accepted.matches(CURRENT.swapcase().encode())
    assert not accepted.matches(CURRENT.lower().encode())
    assert not accepted.matches(CURRENT[:-1].encode())
    assert not accepted.matches((CURRENT + "x").encode())
    assert not accepted.matches(b"")


def test_every_accepted_secret_is_compared_whichever_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(len(a))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    accepted = SecretSet([CURRENT, OLD, UNKNOWN])
    for presented in (CURRENT, UNKNOWN, "NoneOfThemQWERTYUIOP"):
        calls.clear()
        accepted.matches(presented.encode())
        assert len(calls) == 3
        assert set(calls) == {32}  # fixed-length digests: the length of a secret does not leak either


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([], Reason.MISSING),
        ([CURRENT.encode()], Reason.VALID),
        ([f"  {CURRENT}\t".encode()], Reason.VALID),
        ([UNKNOWN.encode()], Reason.WRONG),
        ([b""], Reason.WRONG),
        ([CURRENT.encode(), OLD.encode()], Reason.REPEATED),
        ([CURRENT.encode(), CURRENT.encode()], Reason.REPEATED),
        ([f"{CURRENT}, {OLD}".encode()], Reason.REPEATED),
    ],
)
def test_check_decides_from_every_value_of_the_header(values: list[bytes], reason: Reason) -> None:
    config = GuardConfig([CURRENT, OLD])
    decision = config.check(values, method="GET", path="/")
    assert decision.reason is reason
    assert decision.allowed == (reason is Reason.VALID)


def test_exempt_paths_apply_to_get_and_head_only_and_never_to_websockets() -> None:
    config = GuardConfig([CURRENT], exempt_paths=["/health"])
    assert config.check([], method="GET", path="/health").reason is Reason.EXEMPT
    assert config.check([], method="HEAD", path="/health").reason is Reason.EXEMPT
    assert config.check([], method="POST", path="/health").reason is Reason.MISSING
    assert config.check([], method=None, path="/health").reason is Reason.MISSING
    assert config.check([], method="GET", path="/health/").reason is Reason.MISSING
    assert config.check([], method="GET", path="/healthz").reason is Reason.MISSING


# --- environment and file --------------------------------------------------------------------------


def test_secrets_from_env_comma_and_newline_separated() -> None:
    environ = {"ORIGIN_SECRETS": f"  {CURRENT} ,\n{OLD},\n"}
    accepted = SecretSet.from_env("ORIGIN_SECRETS", environ=environ)
    assert len(accepted) == 2
    assert accepted.matches(CURRENT.encode())
    assert accepted.matches(OLD.encode())
    assert not accepted.matches(UNKNOWN.encode())


def test_secrets_from_default_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_ENV_VAR, f"{OLD}\n{CURRENT}")
    assert SecretSet.from_env().matches(CURRENT.encode())


def test_env_var_missing_or_empty_is_refused_by_name() -> None:
    with pytest.raises(GuardConfigError, match="ORIGIN_SECRETS is not set"):
        SecretSet.from_env("ORIGIN_SECRETS", environ={})
    with pytest.raises(GuardConfigError, match="ORIGIN_SECRETS holds no secret"):
        SecretSet.from_env("ORIGIN_SECRETS", environ={"ORIGIN_SECRETS": " ,\n, "})


def test_short_secret_in_env_names_variable_entry_and_fingerprint() -> None:
    with pytest.raises(GuardConfigError) as excinfo:
        SecretSet.from_env("ORIGIN_SECRETS", environ={"ORIGIN_SECRETS": f"{CURRENT},{SHORT}"})
    message = _error(excinfo)
    assert "ORIGIN_SECRETS, entry #2" in message
    assert fingerprint(SHORT) in message
    assert leaked_fragments(message, SHORT, CURRENT) == []


def test_secrets_from_file_ignore_blank_lines_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "origin-secrets"
    path.write_text(f"# rotation 2026-11: new first\n\n  {CURRENT}  \n# {UNKNOWN}\n{OLD}\n", encoding="utf-8")
    accepted = SecretSet.from_file(path)
    assert len(accepted) == 2
    assert accepted.matches(CURRENT.encode())
    assert accepted.matches(OLD.encode())
    assert not accepted.matches(UNKNOWN.encode())  # commented out


def test_file_missing_or_without_secrets_is_refused_by_path(tmp_path: Path) -> None:
    with pytest.raises(GuardConfigError, match="cannot read secrets file"):
        SecretSet.from_file(tmp_path / "absent")
    only_comments = tmp_path / "empty"
    only_comments.write_text("# nothing yet\n\n", encoding="utf-8")
    with pytest.raises(GuardConfigError, match="holds no secret"):
        SecretSet.from_file(only_comments)


def test_bad_line_in_file_names_line_and_fingerprint_only(tmp_path: Path) -> None:
    path = tmp_path / "origin-secrets"
    path.write_text(f"# header\n{CURRENT}\n{SHORT}\n", encoding="utf-8")
    with pytest.raises(GuardConfigError) as excinfo:
        SecretSet.from_file(path)
    message = _error(excinfo)
    assert "line 3" in message
    assert fingerprint(SHORT) in message
    assert leaked_fragments(message, SHORT, CURRENT) == []


def test_load_secrets_takes_the_union_of_sources(tmp_path: Path) -> None:
    path = tmp_path / "origin-secrets"
    path.write_text(f"{OLD}\n", encoding="utf-8")
    accepted = load_secrets([UNKNOWN], env="ORIGIN_SECRETS", file=path, environ={"ORIGIN_SECRETS": CURRENT})
    assert len(accepted) == 3
    assert all(accepted.matches(secret.encode()) for secret in (CURRENT, OLD, UNKNOWN))
    with pytest.raises(GuardConfigError, match="no origin secret"):
        load_secrets()


# --- header name and exempt paths ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Host", "x-amz-origin-secret", "X-Edge-Secret", "Cookie", "X Origin", ""])
def test_header_names_cloudfront_cannot_send_are_refused(name: str) -> None:
    with pytest.raises(GuardConfigError):
        GuardConfig([CURRENT], header_name=name)


@pytest.mark.parametrize("path", ["health", "/health*", "/health/*", "/health?full=1"])
def test_exempt_paths_must_be_exact(path: str) -> None:
    with pytest.raises(GuardConfigError, match="exempt path"):
        GuardConfig([CURRENT], exempt_paths=[path])


# --- representations -------------------------------------------------------------------------------


def test_reprs_show_fingerprints_only() -> None:
    accepted = SecretSet([CURRENT, OLD])
    texts = [
        repr(accepted),
        str(accepted),
        repr(GuardConfig(accepted, exempt_paths=["/health"])),
        repr(OriginGuardASGI(_asgi_app, secrets=[CURRENT, OLD])),
        repr(OriginGuardWSGI(_wsgi_app, secrets=accepted)),
    ]
    for text in texts:
        assert fingerprint(CURRENT) in text
        assert fingerprint(OLD) in text
        assert leaked_fragments(text) == []
    assert accepted.fingerprints == (fingerprint(CURRENT), fingerprint(OLD))
