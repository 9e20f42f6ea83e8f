"""News ingestion against a feed served on loopback (pytest-httpserver); nothing touches the internet.

Loopback is refused unless allowed, so every fetch here allows the test server's host explicitly.
"""

import pytest

from corpus.news import ingest_news
from corpus.sources import FetchError, FetchLimits, check_url, fetch, parse_feed

BODY = ("مدیرکل ارتباطات و امور بین‌الملل شهرداری اصفهان گفت: نشستی بین دانشگاه اصفهان و دانشگاه سن پترزبورگ "
        "برگزار می‌شود تا اتفاقات علمی خوبی بین دانشجویان و استادان در راستای اعتلای شهر رقم بخورد. "
        "شهرداری‌ها به نمایندگی از شهرها با سایر شهرها وارد مبادلاتی می‌شوند که به خواهرخواندگی مرسوم است.")
LOCAL = ("localhost",)  # pytest-httpserver's host
OTHER = ("معاون امور بین‌الملل شهرداری تهران گفت: رویکرد شهرداری در حوزه ارتباطات فرامرزی با تقویت دیپلماسی "
         "در سه حوزه شهری، اقتصادی و شهروندی متمرکز شده است و برند شهر تهران باید تعریف شود.")


def page(title: str, body: str, footer: str = "") -> str:
    return (f'<html lang="fa"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f"<article><h1>{title}</h1><p>{body}</p><p>{body[:120]}</p></article>"
            f"<footer>{footer}</footer></body></html>")


def rss(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>خبر {i}</title><link>{base}{p}</link><pubDate>Mon, 25 Jul 2022 0{i}:00:00 GMT</pubDate></item>"
        for i, p in enumerate(paths)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


@pytest.fixture
def site(httpserver):
    base = httpserver.url_for("")[:-1]
    paths = ["/a", "/a-syndicated", "/b", "/missing", "/huge"]
    httpserver.expect_request("/feed.xml").respond_with_data(rss(base, paths), content_type="application/rss+xml")
    httpserver.expect_request("/a").respond_with_data(page("شهروند دیپلمات", BODY), content_type="text/html")
    httpserver.expect_request("/a-syndicated").respond_with_data(
        page("بازنشر: شهروند دیپلمات", BODY, "منبع: ایمنا"), content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(page("دیپلماسی تهران", OTHER), content_type="text/html")
    httpserver.expect_request("/missing").respond_with_data("gone", status=404)
    httpserver.expect_request("/huge").respond_with_data("x" * 300_000, content_type="text/html")
    return base


def test_feed_ingestion_dedups_limits_and_records_failures(store, site):
    limits = FetchLimits(max_bytes=200_000, timeout=5, allow_hosts=LOCAL)
    report = ingest_news(store, [f"{site}/feed.xml"], city="Isfahan", limits=limits, retries=0)
    assert report.discovered == 5
    added = {a["url"].rsplit("/", 1)[-1]: a for a in report.added}
    assert set(added) == {"a", "b"}
    assert added["a"]["date"] == "2022-07-25"  # from the feed when the page has no date
    skipped = report.skipped[0]
    assert skipped["url"].endswith("/a-syndicated") and skipped["reason"].startswith("near-duplicate of")
    failed = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in report.failed}
    assert failed == {"missing": "HTTP 404", "huge": "response is 300000 bytes, over the 200000 byte limit"}
    docs = store.summaries()
    assert {d.kind for d in docs} == {"news"} and {d.city for d in docs} == {"Isfahan"}
    # a second run fetches nothing new: URLs already ingested are skipped before fetching
    again = ingest_news(store, [f"{site}/feed.xml"], limits=limits, retries=0)
    assert not again.added
    assert sum(1 for s in again.skipped if s["reason"] == "URL already ingested") == 2


def test_retries_with_backoff_on_server_errors(httpserver):
    from corpus.sources import fetch_with_retries

    httpserver.expect_ordered_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/flaky").respond_with_data("ok", status=200)
    got = fetch_with_retries(httpserver.url_for("/flaky"), FetchLimits(allow_hosts=LOCAL), retries=2, backoff=0.01)
    assert got.data == b"ok"
    httpserver.expect_request("/down").respond_with_data("no", status=500)
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch_with_retries(httpserver.url_for("/down"), FetchLimits(allow_hosts=LOCAL), retries=1, backoff=0.01)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "http://"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="only http:// and https://"):
        check_url(url)


def test_redirect_to_another_scheme_is_refused(httpserver):
    httpserver.expect_request("/r").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="redirected to file:///etc/passwd: only http:// and https://"):
        fetch(httpserver.url_for("/r"), FetchLimits(allow_hosts=LOCAL))


def test_streamed_body_without_length_is_cut_at_the_limit(httpserver):
    def chunks():
        for _ in range(100):
            yield b"x" * 10_000

    from werkzeug import Response

    httpserver.expect_request("/stream").respond_with_handler(lambda req: Response(chunks(), direct_passthrough=True))
    with pytest.raises(FetchError, match="response exceeds the 50000 byte limit"):
        fetch(httpserver.url_for("/stream"), FetchLimits(max_bytes=50_000, allow_hosts=LOCAL))


def test_atom_feed():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title>Isfahan and Xi'an</title><link href="/news/1"/><updated>2023-12-12T10:00:00Z</updated></entry></feed>"""
    items = parse_feed(atom, "https://news.example.org/feed")
    assert [(i.url, i.title, i.published_iso) for i in items] == [
        ("https://news.example.org/news/1", "Isfahan and Xi'an", "2023-12-12")]


def test_garbage_is_not_a_feed():
    with pytest.raises(FetchError, match="not a readable RSS/Atom feed"):
        parse_feed(b"\x00\x01 not xml", "https://x.example/feed")
