"""The main job behind `udiplo run`: analyse what is stored and write the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.store import CorpusStore


def run_job(store: CorpusStore, out: Path) -> dict[str, Any]:
    from pipeline.report.overview import write_overview

    out.mkdir(parents=True, exist_ok=True)
    summaries = store.summaries()
    failures = store.failures()
    html_path = write_overview(summaries, failures, out / "report.html")
    return {"outputs": {"report": str(html_path)}, "documents": len(summaries), "failures": len(failures)}
