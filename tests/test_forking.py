"""forking.py: a worker's bytes come back; a worker that fails, cannot start or is abandoned leaves
nothing behind and says None, so the caller does the work itself."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from edgeward import forking
from edgeward.forking import Forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_the_workers_bytes_come_back_whole() -> None:
    payload = bytes(range(256)) * 4096  # 1 MB: more than a pipe holds at once
    with Forked(lambda: payload) as worker:
        assert worker.result() == payload


def test_a_worker_that_fails_says_none() -> None:
    def broken() -> bytes:
        raise RuntimeError("the worker died")

    with Forked(broken) as worker:
        assert worker.result() is None


def test_a_worker_that_cannot_start_says_none_and_leaks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    before = _open_fds()
    monkeypatch.setattr(os, "fork", no_fork)
    with Forked(lambda: b"never") as worker:
        assert worker.result() is None
    assert _open_fds() == before


def test_an_abandoned_worker_is_stopped() -> None:
    started = time.monotonic()
    worker = Forked(lambda: (time.sleep(30), b"late")[1])
    pid = worker._pid
    with pytest.raises(KeyboardInterrupt), worker:
        raise KeyboardInterrupt  # the caller is interrupted before it asks for the result
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped


def test_workers_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEWARD_WORKERS", "1")
    assert not forking.available()
    monkeypatch.delenv("EDGEWARD_WORKERS")
    expected = sys.platform.startswith("linux") and threading.active_count() == 1 and len(os.sched_getaffinity(0)) >= 2
    assert forking.available() == expected
