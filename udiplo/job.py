"""The main job behind `udiplo run`: analyse what is stored and write the report and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.store import CorpusStore


def run_job(store: CorpusStore, out: Path, *, embedder: str | None = None, stability: bool = True,
            progress: bool = False) -> dict[str, Any]:
    from corpus.job import run_analysis

    return run_analysis(store, out, embedder_spec=embedder, with_stability=stability, progress=progress)
