"""Pausing the cyclic garbage collector around work that makes many objects and no reference cycles.

Reference counting still frees whatever is dropped; only the collector's passes over the young
objects, which would find nothing to collect, are skipped. The previous state is restored on the
way out, even on error.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """No cyclic collection inside. With `freeze`, what survives a successful block (a loaded
    snapshot: immutable, long-lived, without cycles) is moved out of the collector's generations
    (`gc.freeze`), so later collections do not traverse it again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if enabled and freeze:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()
