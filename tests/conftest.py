"""Shared fixtures. Heavy objects (models) are session-scoped and live in tests/integration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def store(tmp_path):
    from corpus.store import CorpusStore

    s = CorpusStore.open(f"sqlite:///{tmp_path / 'test.sqlite'}")
    yield s
    s.close()


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.txt"))
