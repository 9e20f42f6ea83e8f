"""Fetch news: RSS/Atom feeds and listed HTML pages over http(s), with limits.

Only ``http`` and ``https`` URLs are fetched (redirects included, each hop
checked); only public addresses are reached unless the user allows a host
(``corpus.netguard``); bodies are streamed and cut off at a size limit; every
request ends by one deadline. Parsing of pages is left to ``pipeline.extract``:
this module returns bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from pipeline.errors import UdiploError

if TYPE_CHECKING:
    from corpus.netguard import AllowList

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_REDIRECTS = 5
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
    """Limits of one fetch. ``timeout`` is a deadline for the whole request (every redirect hop,
    headers and body), not per read. ``allow_hosts`` lists internal hosts that may be reached
    anyway: names, addresses or networks (``--allow-host``, ``UDIPLO_NEWS_ALLOW_HOSTS``)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    allow_hosts: tuple[str, ...] = ()
    allow: AllowList = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        from corpus.netguard import AllowList

        object.__setattr__(self, "allow_hosts", tuple(self.allow_hosts))
        object.__setattr__(self, "allow", AllowList.parse(self.allow_hosts))  # ConfigError on a bad entry


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
    try:
        parsed = urlparse(url)
    except ValueError as exc:
        raise FetchError(url, f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FetchError(url, "only http:// and https:// URLs can be fetched")
    return url


def fetch(url: str, limits: FetchLimits | None = None) -> Fetched:
    """GET one URL within the limits. Raises FetchError (``retryable`` for timeouts and 5xx).

    Redirects are followed here, one hop at a time: each target must be http(s) and, like the
    first URL, may only reach a public address unless ``limits.allow_hosts`` allows it.
    """
    import httpx

    from corpus.netguard import RefusedAddress

    limits = limits or FetchLimits()
    check_url(url)
    current = url
    try:
        with _client(limits) as client:
            for _ in range(limits.max_redirects + 1):
                with client.stream("GET", current) as resp:
                    if not resp.is_redirect:
                        return _read(url, current, resp, limits)
                    target = resp.headers["location"]
                current = _redirect_target(url, current, target)
            raise FetchError(url, f"more than {limits.max_redirects} redirects")
    except RefusedAddress as exc:
        raise FetchError(url, f"refused{'' if current == url else f' the redirect to {current}'}: {exc}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"not a valid URL{'' if current == url else f' in the redirect to {current}'}: "
                              f"{exc}") from None
    except httpx.TimeoutException:
        raise FetchError(url, f"timed out: no complete response within the {limits.timeout:g} s deadline "
                              "(raise it with --timeout)", retryable=True) from None
    except httpx.TransportError as exc:
        raise FetchError(url, f"network error: {exc}", retryable=True) from None


def _client(limits: FetchLimits):
    """An httpx client whose connections go through the address guard and end by the deadline.

    Proxies from the environment are not used: a proxy would resolve names itself, out of the guard's sight.
    """
    import httpcore
    import httpx

    from corpus.netguard import Deadline, GuardedBackend

    transport = httpx.HTTPTransport()
    # httpx has no public way to pass httpcore a network backend; give its transport a pool that has ours.
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                              network_backend=GuardedBackend(limits.allow, Deadline(limits.timeout)))
    return httpx.Client(transport=transport, follow_redirects=False, timeout=limits.timeout,
                        headers={"User-Agent": USER_AGENT})


def _redirect_target(url: str, current: str, location: str) -> str:
    """The absolute URL a redirect from ``current`` points to; FetchError (final) unless it is http(s)."""
    try:
        target = urljoin(current, location)
    except ValueError:
        target = location
    try:
        return check_url(target)
    except FetchError as exc:
        raise FetchError(url, f"redirected to {target}: {exc.reason}") from None


def _read(url: str, final_url: str, resp, limits: FetchLimits) -> Fetched:
    """The body of a final (non-redirect) response, or FetchError for HTTP errors and oversize bodies."""
    if resp.status_code >= 400:
        raise FetchError(url, f"HTTP {resp.status_code}", retryable=resp.status_code >= 500 or resp.status_code == 429)
    declared = int(resp.headers.get("content-length") or 0)
    if declared > limits.max_bytes:
        raise FetchError(url, f"response is {declared} bytes, over the {limits.max_bytes} byte limit")
    chunks, total = [], 0
    for chunk in resp.iter_bytes():
        total += len(chunk)
        if total > limits.max_bytes:
            raise FetchError(url, f"response exceeds the {limits.max_bytes} byte limit")
        chunks.append(chunk)
    return Fetched(url, final_url, resp.status_code, resp.headers.get("content-type", ""), b"".join(chunks),
                   datetime.now(UTC).isoformat(timespec="seconds"))


def fetch_with_retries(url: str, limits: FetchLimits | None = None, retries: int = 3,
                       backoff: float = 1.0) -> Fetched:
    """fetch() with exponential backoff on retryable errors (1 s, 2 s, 4 s … by default)."""
    for attempt in range(retries + 1):
        try:
            return fetch(url, limits)
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
