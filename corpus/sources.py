"""Fetch news: RSS/Atom feeds and listed HTML pages over http(s), with limits.

Only ``http`` and ``https`` URLs are fetched (redirects included); bodies are
streamed and cut off at a size limit; every request has a timeout. Parsing
of pages is left to ``pipeline.extract``: this module returns bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

from pipeline.errors import UdiploError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
USER_AGENT = "udiplo/0.1 (+research crawler; urban diplomacy studies)"


class FetchError(UdiploError):
    """A URL could not be fetched. ``retryable`` tells whether trying again may help."""

    def __init__(self, url: str, reason: str, retryable: bool = False):
        self.url = url
        self.reason = reason
        self.retryable = retryable
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Fetched:
    url: str
    final_url: str
    status: int
    content_type: str
    data: bytes
    fetched_at: str


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None
    published_iso: str | None
    summary: str | None


def check_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FetchError(url, "only http:// and https:// URLs can be fetched")
    return url


def fetch(url: str, limits: FetchLimits | None = None, client=None) -> Fetched:
    """GET one URL within the limits. Raises FetchError (``retryable`` for timeouts and 5xx)."""
    import httpx

    limits = limits or FetchLimits()
    check_url(url)
    own = client is None
    client = client or httpx.Client(
        follow_redirects=True, timeout=limits.timeout, headers={"User-Agent": USER_AGENT}, max_redirects=5
    )
    try:
        with client.stream("GET", url) as resp:
            check_url(str(resp.url))  # a redirect must not leave http(s)
            if resp.status_code >= 400:
                raise FetchError(url, f"HTTP {resp.status_code}", retryable=resp.status_code >= 500 or
                                 resp.status_code == 429)
            declared = int(resp.headers.get("content-length") or 0)
            if declared > limits.max_bytes:
                raise FetchError(url, f"response is {declared} bytes, over the {limits.max_bytes} byte limit")
            chunks, total = [], 0
            for chunk in resp.iter_bytes():
                total += len(chunk)
                if total > limits.max_bytes:
                    raise FetchError(url, f"response exceeds the {limits.max_bytes} byte limit")
                chunks.append(chunk)
            return Fetched(url, str(resp.url), resp.status_code, resp.headers.get("content-type", ""),
                           b"".join(chunks), datetime.now(UTC).isoformat(timespec="seconds"))
    except httpx.TimeoutException:
        raise FetchError(url, f"timed out after {limits.timeout:g} s", retryable=True) from None
    except httpx.TooManyRedirects:
        raise FetchError(url, "too many redirects") from None
    except httpx.TransportError as exc:
        raise FetchError(url, f"network error: {exc}", retryable=True) from None
    finally:
        if own:
            client.close()


def fetch_with_retries(url: str, limits: FetchLimits | None = None, retries: int = 3,
                       backoff: float = 1.0, client=None) -> Fetched:
    """fetch() with exponential backoff on retryable errors (1 s, 2 s, 4 s … by default)."""
    for attempt in range(retries + 1):
        try:
            return fetch(url, limits, client)
        except FetchError as exc:
            if not exc.retryable or attempt == retries:
                raise
            time.sleep(backoff * (2**attempt))
    raise AssertionError("unreachable")


def parse_feed(data: bytes, feed_url: str) -> list[FeedItem]:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed, links made absolute, dates as ISO."""
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": feed_url})
    if parsed.bozo and not parsed.entries:
        raise FetchError(feed_url, f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}")
    items = []
    for e in parsed.entries:
        link = e.get("link")
        if not link:
            continue
        when = e.get("published_parsed") or e.get("updated_parsed")
        iso = time.strftime("%Y-%m-%d", when) if when else None
        items.append(FeedItem(url=link, title=e.get("title"), published_iso=iso, summary=e.get("summary")))
    return items
