"""Analysis stages over the stored corpus: each reads from the store, calls pipeline/, writes back.

Stages are idempotent and skip unchanged work: statements are recomputed only
for documents whose segmenter version differs; embeddings are cached by
(text hash, model, revision, prompt).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pipeline
from corpus import work_cache_dir
from corpus.store import CorpusStore

SEGMENTER_VERSION = f"{pipeline.__version__}+seg1"


def segment_document_stored(store: CorpusStore, doc_id: str, normalise: Callable | None = None) -> dict:
    """Segment one stored document, attribute its city, store statements (one transaction)."""
    from pipeline.attribution import attribute_city
    from pipeline.segment import segment_document

    doc = store.get_document(doc_id)
    statements = segment_document(doc, normalise)
    attribution = attribute_city(doc.meta.city, statements)
    n = store.put_statements(doc.doc_id, statements, segmenter_version=SEGMENTER_VERSION,
                             city=attribution.city, city_source=attribution.source, city_scores=attribution.scores)
    return {"doc_id": doc.doc_id, "statements": n, "city": attribution.city, "city_source": attribution.source}


def pending_documents(store: CorpusStore, doc_ids: Iterable[str] | None = None) -> list[str]:
    ids = list(doc_ids) if doc_ids is not None else store.document_ids()
    return [d for d in ids if store.segmenter_version(d) != SEGMENTER_VERSION]


def segment_corpus(store: CorpusStore, *, force: bool = False, normalise: Callable | None = None) -> dict:
    """Segment every document that is new or was segmented by an older segmenter."""
    todo = store.document_ids() if force else pending_documents(store)
    done = [segment_document_stored(store, d, normalise) for d in todo]
    return {"segmented": len(done), "skipped": len(store.document_ids()) - len(done), "documents": done}


def embed_corpus(store: CorpusStore, embedder, *, progress: bool = False, batch_size: int = 32):
    """Embed every stored statement, computing only what the store's cache lacks.

    Returns ``(statements, vectors, stats)`` with vectors aligned to statements.
    """
    from pipeline.embed import embed_with_cache_stats

    statements = store.statements()
    vectors, stats = embed_with_cache_stats(embedder, [s.text for s in statements], store,
                                            batch_size=batch_size, progress=progress)
    return statements, vectors, stats


def content_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts: the identity of a stage's inputs and settings."""
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def corpus_fingerprint(statements) -> list[tuple[str, str]]:
    return [(s.statement_id, s.text_hash) for s in statements]


def statement_context(store: CorpusStore) -> tuple[dict[str, dict], dict[str, Any]]:
    """Per document: city (metadata, else attribution), kind, date; and the summaries by id."""
    rows = store.analysis_rows()
    summaries = {s.doc_id: s for s in store.summaries()}
    ctx = {d: {"city": r["city"], "city_source": r["city_source"], "kind": summaries[d].kind,
               "date_iso": summaries[d].date_iso} for d, r in rows.items()}
    return ctx, summaries


def themes_stage(store: CorpusStore, statements, vectors, embedder, taxonomy, *, config=None,
                 with_stability: bool = True, cache_dir: Path | None = None):
    """Discover themes, or load them when this corpus, model and configuration were seen before."""
    from dataclasses import asdict

    from pipeline.embed import embed_with_cache
    from pipeline.normalise import normalise
    from pipeline.themes import SeedGoal, ThemeConfig, ThemeInputs, load_themes, run_themes

    config = config or ThemeConfig()
    key = content_key("themes", corpus_fingerprint(statements), asdict(config), embedder.name, embedder.revision,
                      taxonomy.version if taxonomy else None, with_stability, pipeline.__version__)
    folder = (cache_dir or work_cache_dir()) / "themes" / key[:20]
    if (folder / "themes.json").exists():
        return load_themes(folder), folder, True
    ctx, _ = statement_context(store)
    goals = [SeedGoal.from_node(g) for g in taxonomy.goals()] if taxonomy else []
    goal_vecs = None
    if goals:
        texts = [normalise(g.text_fa, lang="fa").text for g in goals]
        goal_vecs = dict(zip([g.goal_id for g in goals], embed_with_cache(embedder, texts, store), strict=True))
    inputs = ThemeInputs(statements, vectors, embedding_model=f"{embedder.name}@{embedder.revision}",
                         city_of=lambda st: ctx.get(st.doc_id, {}).get("city"),
                         date_of=lambda st: ctx.get(st.doc_id, {}).get("date_iso")
                         if ctx.get(st.doc_id, {}).get("kind") == "news" else None,
                         goals=goals, goal_embeddings=goal_vecs)
    result = run_themes(inputs, config, with_stability=with_stability, out=folder)
    return result, folder, False
