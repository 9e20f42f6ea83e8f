"""The analysis flow: segment → embed → themes → classify → report, thin over corpus/ and pipeline/.

Tasks pass ids and paths, not arrays: the store holds statements and
embeddings. Cache keys are content hashes plus pipeline/model versions, so a
re-run on an unchanged corpus is served from the cache. Documents are
segmented and embedded one task per document, which is what a Dask cluster
runs in parallel (``with_dask``).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from flows.caching import digest, pipeline_version
from flows.report import build_report

MIN_THEMES = 20  # fewer statements: no themes (as corpus.job)


def _store(db_url: str | None):
    from corpus.store import CorpusStore

    return CorpusStore.open(db_url)


def _segment_key(context, p: dict[str, Any]) -> str:
    from corpus.analysis import SEGMENTER_VERSION

    return digest("segment", p["doc_id"], SEGMENTER_VERSION, p.get("db_url"))


@task(cache_key_fn=_segment_key, persist_result=True)
def segment_task(doc_id: str, db_url: str | None) -> dict:
    from corpus.analysis import SEGMENTER_VERSION, segment_document_stored

    with _store(db_url) as store:
        if store.segmenter_version(doc_id) == SEGMENTER_VERSION:
            return {"doc_id": doc_id, "status": "already segmented"}
        return {"status": "segmented", **segment_document_stored(store, doc_id)}


def _embed_key(context, p: dict[str, Any]) -> str:
    return digest("embed", p["doc_key"], p["model"], p.get("db_url"))


@task(cache_key_fn=_embed_key, persist_result=True)
def embed_doc_task(doc_id: str, db_url: str | None, embedder: str | None, doc_key: str, model: list) -> dict:
    from pipeline.embed import embed_with_cache_stats, get_embedder

    with _store(db_url) as store:
        texts = [s.text for s in store.statements(doc_id)]
        _, stats = embed_with_cache_stats(get_embedder(embedder), texts, store)
    return {"doc_id": doc_id, **stats.to_dict()}


def _corpus_key(name: str):
    def key(context, p: dict[str, Any]) -> str:
        return digest(name, p["corpus_key"], p["model"], p.get("db_url"), p.get("stability"), p.get("labels"),
                      pipeline_version())

    return key


@task(cache_key_fn=_corpus_key("themes"), persist_result=True)
def themes_task(db_url: str | None, embedder: str | None, stability: bool, corpus_key: str, model: list) -> dict:
    from corpus.analysis import embed_corpus, themes_stage
    from pipeline.embed import get_embedder
    from pipeline.taxonomy import load_taxonomy

    emb = get_embedder(embedder)
    with _store(db_url) as store:
        statements, vectors, _ = embed_corpus(store, emb)
        result, folder, reused = themes_stage(store, statements, vectors, emb, load_taxonomy(),
                                              with_stability=stability)
    return {"model_dir": str(folder), "themes": sum(1 for t in result.themes if t.theme_id >= 0), "reused": reused,
            "stability": result.stability and {k: result.stability.get(k) for k in ("ari_mean", "ari_min")}}


@task(cache_key_fn=_corpus_key("classify"), persist_result=True)
def classify_task(db_url: str | None, embedder: str | None, corpus_key: str, model: list,
                  labels: str = "") -> dict:
    from corpus.analysis import classify_stage, embed_corpus
    from pipeline.embed import get_embedder
    from pipeline.taxonomy import load_taxonomy

    emb = get_embedder(embedder)
    with _store(db_url) as store:
        statements, vectors, _ = embed_corpus(store, emb)
        return classify_stage(store, statements, vectors, emb, load_taxonomy())


@flow(name="analyse_corpus", log_prints=True)
def analyse_corpus(db_url: str | None = None, out: str = "outputs", embedder: str | None = None,
                   stability: bool = True) -> dict:
    """Analyse everything stored; unchanged inputs come from the task cache."""
    from corpus.analysis import SEGMENTER_VERSION, content_key, corpus_fingerprint
    from pipeline.embed import get_embedder

    with _store(db_url) as store:
        doc_ids = store.document_ids()
        pending = {d for d in doc_ids if store.segmenter_version(d) != SEGMENTER_VERSION}
    # documents the store lacks statements for are recomputed even if a stale cache entry exists
    seg = [segment_task.with_options(refresh_cache=d in pending).submit(d, db_url) for d in doc_ids]
    seg_results = [f.result() for f in seg]
    emb = get_embedder(embedder)
    model = [emb.name, emb.revision, emb.prompt]
    with _store(db_url) as store:
        per_doc = {d: corpus_fingerprint(store.statements(d)) for d in doc_ids}
        labels = content_key([(x["statement_id"], x["node_id"], x["coder"]) for x in store.labels()])
    embeds = [embed_doc_task.submit(d, db_url, embedder, content_key(per_doc[d]), model) for d in doc_ids]
    embed_results = [f.result() for f in embeds]
    fingerprint = [x for d in sorted(doc_ids) for x in per_doc[d]]  # the order of store.statements()
    corpus_key = content_key(fingerprint)
    n_statements = len(fingerprint)
    themes = themes_task(db_url, embedder, stability, corpus_key, model) if n_statements >= MIN_THEMES else {}
    cls = classify_task(db_url, embedder, corpus_key, model, labels) if n_statements else {}
    outputs = build_report(db_url, out, themes.get("model_dir"), cls.get("classifier_key"), corpus_key)
    summary = {"documents": len(doc_ids), "statements": n_statements,
               "segment": {"segmented": sum(r["status"] == "segmented" for r in seg_results)},
               "embed": {"computed": sum(r.get("computed", 0) for r in embed_results),
                         "cached": sum(r.get("cached", 0) for r in embed_results)},
               "themes": themes, "classify": cls, "outputs": outputs}
    with _store(db_url) as store:
        store.record_run(corpus_key=corpus_key, n_statements=n_statements,
                         embedder=f"{emb.name}@{emb.revision}", themes_dir=themes.get("model_dir"),
                         classifier_key=cls.get("classifier_key"), summary=summary)
    return summary


def with_dask(f, n_workers: int = 2, address: str | None = None):
    """The same flow with its tasks on Dask: a local cluster of ``n_workers`` processes, or an existing
    scheduler at ``address`` (default: the ``UDIPLO_DASK_ADDRESS`` setting)."""
    import os

    from prefect_dask import DaskTaskRunner

    address = address or os.environ.get("UDIPLO_DASK_ADDRESS") or None
    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1,
                                                "processes": True, "dashboard_address": None})
    return f.with_options(task_runner=runner)
