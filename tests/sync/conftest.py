"""Corpus fixtures: generated cases are cached outside the checkout between runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    root = Path(
        os.environ.get("MULTICAM_CORPUS_CACHE", Path.home() / ".cache" / "multicam" / "corpus")
    )
    root.mkdir(parents=True, exist_ok=True)
    return root
