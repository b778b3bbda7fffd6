"""Shared test paths: the read-only `shared/` folder that sits beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EDGEWARD_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "batfish-aws"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (set EDGEWARD_SHARED)")
    return CORPUS
