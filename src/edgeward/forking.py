"""A second core for large inputs: a function run in a forked worker, its answer sent back as bytes.

Used where the work splits into independent parts whose answers are plain data (reading a large AWS
JSON directory, computing many exposure classes). A worker is used only where forking is safe and
pays: on Linux, with two CPUs available to this process, and no other thread running (a fork copies
only the calling thread). EDGEWARD_WORKERS=1 turns workers off. A worker that fails in any way
returns None, and the caller does that part itself, so the answer never depends on the worker.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import BinaryIO


def available() -> bool:
    """True when a forked worker is safe here and can run beside this process."""
    if os.environ.get("EDGEWARD_WORKERS", "").strip() == "1" or not sys.platform.startswith("linux"):
        return False
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    return len(os.sched_getaffinity(0)) >= 2


class Forked:
    """`work()` running in a forked child from construction; `result()` waits for its bytes.

    The child never returns into the caller's code and exits without cleanup (what it built dies
    with it). Use as a context manager so an interrupted caller never leaves the child behind.
    """

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._pid = 0
        self._pipe: BinaryIO | None = None
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            return  # no worker: `result()` is None and the caller does the work
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:
            status = 1
            try:
                os.close(read_fd)
                payload = work()
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        self._pid = pid
        self._pipe = os.fdopen(read_fd, "rb")

    def result(self) -> bytes | None:
        """The child's bytes, or None if it failed (or could not be started)."""
        if self._pipe is None:
            return None
        try:
            payload = self._pipe.read()
        finally:
            self._pipe.close()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return payload if status == 0 else None

    def __enter__(self) -> Forked:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pipe is not None:
            self._pipe.close()
        if self._pid:  # not waited for: the caller was interrupted
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._pid = 0
