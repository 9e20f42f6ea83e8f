"""News ingestion: discover article URLs from feeds, fetch them, drop near-duplicates, store.

Building blocks (used one by one as Prefect tasks in ``flows/``) and one
plain function, :func:`ingest_news`, that runs them in order for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.dedup import DEFAULT_THRESHOLD, NearDuplicateIndex, signature
from corpus.sources import FeedItem, Fetched, FetchError, FetchLimits, fetch_with_retries, parse_feed
from corpus.store import CorpusStore
from pipeline.errors import ExtractionError
from pipeline.extract import ExtractConfig, extract_bytes
from pipeline.types import DocumentMeta, Failure


@dataclass
class NewsReport:
    discovered: int = 0
    added: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"discovered": self.discovered, "added": self.added, "skipped": self.skipped,
                "failed": self.failed,
                "counts": {"added": len(self.added), "skipped": len(self.skipped), "failed": len(self.failed)}}


def discover(feed_urls: list[str], page_urls: list[str], limits: FetchLimits, *, max_items: int = 50,
             retries: int = 3, backoff: float = 1.0) -> tuple[list[FeedItem], list[dict]]:
    """Article URLs from feeds (newest first as the feed lists them) plus listed pages; feed errors returned."""
    items: list[FeedItem] = []
    errors: list[dict] = []
    for url in feed_urls:
        try:
            got = fetch_with_retries(url, limits, retries=retries, backoff=backoff)
            items.extend(parse_feed(got.data, got.final_url)[:max_items])
        except FetchError as exc:
            errors.append({"url": url, "error": "feed", "reason": exc.reason})
    items.extend(FeedItem(url=u, title=None, published_iso=None, summary=None) for u in page_urls)
    seen: set[str] = set()
    unique = [i for i in items if not (i.url in seen or seen.add(i.url))]
    return unique, errors


def load_index(store: CorpusStore, threshold: float = DEFAULT_THRESHOLD) -> NearDuplicateIndex:
    index = NearDuplicateIndex(threshold=threshold)
    for doc_id, sig in store.signatures().items():
        index.add(doc_id, sig)
    return index


def store_article(store: CorpusStore, item: FeedItem, fetched: Fetched, index: NearDuplicateIndex,
                  *, city: str | None = None, config: ExtractConfig | None = None) -> tuple[str, dict]:
    """Extract and store one fetched article unless it is a duplicate. Returns (status, detail)."""
    try:
        doc = extract_bytes(fetched.data, item.url, config)
    except ExtractionError as exc:
        store.record_failure(Failure(item.url, exc.reason, exc.code))
        return "failed", {"url": item.url, "error": exc.code, "reason": exc.reason}
    if store.has_document(doc.doc_id):
        return "skipped", {"url": item.url, "doc_id": doc.doc_id, "reason": "already stored (same SHA-256)"}
    sig = signature(doc.text)
    dup = index.find(sig)
    if dup:
        return "skipped", {"url": item.url, "reason": f"near-duplicate of {dup[0][:12]} (Jaccard≈{dup[1]:.2f})",
                           "duplicate_of": dup[0]}
    meta = DocumentMeta(kind="news", url=item.url, city=city, title=None if doc.meta.title else item.title,
                        date_iso=None if doc.meta.date_iso else item.published_iso)
    doc = doc.with_meta(meta)
    if store.add_document(doc):
        store.put_signature(doc.doc_id, sig)
        index.add(doc.doc_id, sig)
        return "added", {"url": item.url, "doc_id": doc.doc_id, "title": doc.meta.title,
                         "date": doc.meta.date_iso, "segments": len(doc.segments)}
    return "skipped", {"url": item.url, "doc_id": doc.doc_id, "reason": "already stored (same SHA-256)"}


def ingest_news(store: CorpusStore, feed_urls: list[str], page_urls: list[str] | None = None, *,
                city: str | None = None, limits: FetchLimits | None = None, max_items: int = 50,
                retries: int = 3, backoff: float = 1.0, threshold: float = DEFAULT_THRESHOLD) -> NewsReport:
    """Fetch feeds and pages, store new articles, skip URLs already stored and near-duplicates."""
    limits = limits or FetchLimits()
    report = NewsReport()
    items, errors = discover(feed_urls, page_urls or [], limits, max_items=max_items, retries=retries,
                             backoff=backoff)
    report.discovered = len(items)
    report.failed.extend(errors)
    for e in errors:
        store.record_failure(Failure(e["url"], e["reason"], "feed"))
    index = load_index(store, threshold)
    for item in items:
        known = store.find_by_source(item.url)
        if known:
            report.skipped.append({"url": item.url, "doc_id": known, "reason": "URL already ingested"})
            continue
        try:
            fetched = fetch_with_retries(item.url, limits, retries=retries, backoff=backoff)
        except FetchError as exc:
            store.record_failure(Failure(item.url, exc.reason, "fetch"))
            report.failed.append({"url": item.url, "error": "fetch", "reason": exc.reason})
            continue
        status, detail = store_article(store, item, fetched, index, city=city)
        getattr(report, status).append(detail)
    return report
