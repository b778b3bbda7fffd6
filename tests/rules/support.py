"""Shared helpers for the audit tests: fixtures, running the CLI, loading estates."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeward.cli import main
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]


def native_available() -> bool:
    try:
        import edgeward.sources.native  # noqa: F401
    except ImportError:
        return False
    return True


needs_native = pytest.mark.skipif(not native_available(), reason="the native YAML loader is not in this tree yet")


def load(name: str) -> Snapshot:
    return load_snapshot(FIXTURES / name)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr
