"""Ingestion flows: a folder of files, and news from feeds. Thin over corpus/ functions."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.tasks import exponential_backoff

from flows.caching import file_task_key


def _retry_if_retryable(task, task_run, state) -> bool:
    """Retry fetches only for errors that may pass (timeouts, 5xx), not for 404 or bad URLs."""
    from corpus.sources import FetchError

    try:
        state.result()
    except FetchError as exc:
        return exc.retryable
    except Exception:
        return False
    return False


@task(cache_key_fn=file_task_key, persist_result=True, cache_result_in_memory=False)
def ingest_file_task(path: str, db_url: str | None = None, city: str | None = None,
                     kind: str | None = None) -> dict:
    from corpus.ingest import ingest_file
    from corpus.store import CorpusStore
    from pipeline.types import DocumentMeta

    with CorpusStore.open(db_url) as store:
        status, item = ingest_file(Path(path), store, override=DocumentMeta(city=city, kind=kind))
    return {"status": status, **item}


@flow(name="ingest_folder", log_prints=True)
def ingest_folder(folder: str, db_url: str | None = None, city: str | None = None,
                  kind: str | None = None) -> dict:
    """Ingest every file under ``folder``; unchanged files are served from the task cache."""
    from corpus.ingest import check_overrides, iter_files

    check_overrides(city, kind)
    files = [str(p) for p in iter_files([folder])]
    results = [ingest_file_task(f, db_url, city, kind) for f in files]
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("added", "skipped", "failed")}
    return {"files": len(files), "counts": counts, "results": results}


@task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_jitter_factor=0.2,
      retry_condition_fn=_retry_if_retryable)
def fetch_task(url: str, max_bytes: int, timeout: float, allow_hosts: tuple[str, ...] = ()):
    from corpus.sources import FetchLimits, fetch

    return fetch(url, FetchLimits(max_bytes=max_bytes, timeout=timeout, allow_hosts=allow_hosts))


@task
def store_article_task(db_url: str | None, item, fetched, city: str | None, threshold: float) -> dict:
    from corpus.news import load_index, store_article
    from corpus.store import CorpusStore

    with CorpusStore.open(db_url) as store:
        status, detail = store_article(store, item, fetched, load_index(store, threshold), city=city)
    return {"status": status, **detail}


@flow(name="ingest_news", log_prints=True)
def ingest_news(feeds: list[str], pages: list[str] | None = None, db_url: str | None = None,
                city: str | None = None, max_items: int = 50, max_bytes: int = 5 * 1024 * 1024,
                timeout: float = 20.0, threshold: float = 0.8, allow_hosts: list[str] | None = None) -> dict:
    """Fetch feeds (with retries and backoff), then new articles; skip known URLs and near-duplicates.
    Internal addresses are refused unless ``allow_hosts`` names them (see ``corpus.netguard``)."""
    from corpus.sources import FeedItem, FetchError, FetchLimits, parse_feed
    from corpus.store import CorpusStore
    from pipeline.types import Failure

    allow = FetchLimits(allow_hosts=tuple(allow_hosts or ())).allow_hosts  # a bad entry fails here, not per URL
    items: list[FeedItem] = []
    results: list[dict] = []
    with CorpusStore.open(db_url) as store:
        for url in feeds:
            try:
                got = fetch_task(url, max_bytes, timeout, allow)
                items.extend(parse_feed(got.data, got.final_url)[:max_items])
            except FetchError as exc:
                store.record_failure(Failure(url, exc.reason, "feed"))
                results.append({"status": "failed", "url": url, "reason": exc.reason})
        items.extend(FeedItem(url=u, title=None, published_iso=None, summary=None) for u in pages or [])
        new = []
        for item in dict((i.url, i) for i in items).values():
            known = store.find_by_source(item.url)
            if known:
                results.append({"status": "skipped", "url": item.url, "reason": "URL already ingested"})
            else:
                new.append(item)
        for item in new:
            try:
                fetched = fetch_task(item.url, max_bytes, timeout, allow)
            except FetchError as exc:
                store.record_failure(Failure(item.url, exc.reason, "fetch"))
                results.append({"status": "failed", "url": item.url, "reason": exc.reason})
                continue
            results.append(store_article_task(db_url, item, fetched, city, threshold))
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("added", "skipped", "failed")}
    return {"discovered": len(items), "counts": counts, "results": results}
