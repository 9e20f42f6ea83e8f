"""Analysis stages over the stored corpus: each reads from the store, calls pipeline/, writes back.

Stages are idempotent and skip unchanged work: statements are recomputed only
for documents whose segmenter version differs; embeddings are cached by
(text hash, model, revision, prompt).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pipeline
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
