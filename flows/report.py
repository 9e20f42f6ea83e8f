"""The report flow: the HTML report and the exports from what the store and the theme model hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task

from flows.caching import digest, pipeline_version

OUTPUT_FILES = ("report.html", "statements.csv", "statements.json", "udiplo.qdpx")


def _report_key(context, p: dict[str, Any]) -> str:
    return digest("report", p["corpus_key"], p["themes_dir"], p["classifier_key"], str(Path(p["out"]).resolve()),
                  pipeline_version())


@task(cache_key_fn=_report_key, persist_result=True)
def report_task(db_url: str | None, out: str, themes_dir: str | None, classifier_key: str | None,
                corpus_key: str) -> dict:
    from corpus.job import saved_themes, write_outputs
    from corpus.store import CorpusStore
    from pipeline.taxonomy import load_taxonomy

    themes = saved_themes(themes_dir)
    with CorpusStore.open(db_url) as store:
        return write_outputs(store, Path(out), themes, load_taxonomy())


@flow(name="build_report", log_prints=True)
def build_report(db_url: str | None = None, out: str = "outputs", themes_dir: str | None = None,
                 classifier_key: str | None = None, corpus_key: str | None = None) -> dict:
    """Write report.html, statements.csv/json and udiplo.qdpx into ``out``; skipped when nothing changed.

    Without arguments it reports on the store's last analysis (see ``corpus.job.report_from_last_run``)."""
    if corpus_key is None:
        from corpus.analysis import content_key, corpus_fingerprint
        from corpus.store import CorpusStore
        from pipeline.errors import AnalysisError

        with CorpusStore.open(db_url) as store:
            corpus_key = content_key(corpus_fingerprint(store.statements()))
            last = store.last_run()
        if last is None or last["corpus_key"] != corpus_key:
            raise AnalysisError("no analysis of the current corpus is stored; run the analyse_corpus flow "
                                "(`udiplo analyse --flow`) first")
        themes_dir, classifier_key = last["themes_dir"], last["classifier_key"]
    missing = not all((Path(out) / f).exists() for f in OUTPUT_FILES)  # deleted outputs are rebuilt
    return report_task.with_options(refresh_cache=missing)(db_url, out, themes_dir, classifier_key, corpus_key)
