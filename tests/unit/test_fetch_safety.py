"""News fetching may not reach internal addresses (SSRF), and every request ends by its deadline.

All servers here are real sockets on loopback; the local server is let through with an explicit
allow-list, exactly as a user would with --allow-host / UDIPLO_NEWS_ALLOW_HOSTS.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from ipaddress import ip_address

import pytest
from typer.testing import CliRunner

from corpus.netguard import AllowList, address_kind
from corpus.sources import FetchError, FetchLimits, fetch, fetch_with_retries
from pipeline.errors import ConfigError
from tests.unit.test_news import BODY, LOCAL, page, rss

ALLOWED = FetchLimits(timeout=5, allow_hosts=LOCAL)


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.0.0.2", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("fd00::1", "unique-local"), ("fc00::1", "unique-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "non-public"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.1.2.3", "private"),  # IPv4-mapped IPv6
    ("64:ff9b::a00:1", "private"), ("2002:7f00:1::", "loopback"),  # NAT64 and 6to4 embeddings
    ("93.184.215.14", None), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None), ("172.32.0.1", None),
])
def test_address_kinds(address, kind):
    assert address_kind(ip_address(address)) == kind


def test_allow_list_takes_names_addresses_and_networks():
    allow = AllowList.parse(["LocalHost.", "10.0.0.0/8 192.168.1.5", "feeds.intranet.example,::1"])
    assert allow.allows("localhost", ip_address("127.0.0.1"))
    assert allow.allows("anything.example", ip_address("10.20.30.40"))
    assert allow.allows("x", ip_address("192.168.1.5")) and not allow.allows("x", ip_address("192.168.1.6"))
    assert allow.allows("feeds.intranet.example", ip_address("172.16.0.9"))
    assert not allow.allows("evil.example", ip_address("127.0.0.1"))
    for bad in ["http://localhost:8000", "localhost:8000", "10.0.0.0/33", "a b/c"]:
        with pytest.raises(ConfigError, match="--allow-host takes a host name, an IP address or a network"):
            AllowList.parse([bad])


def test_loopback_is_refused_before_any_request(httpserver):
    httpserver.expect_request("/x").respond_with_data("secret")
    url = httpserver.url_for("/x")  # http://localhost:<port>/x
    with pytest.raises(FetchError) as err:
        fetch_with_retries(url, FetchLimits(timeout=5), retries=3, backoff=1.0)
    assert not err.value.retryable
    assert str(err.value) == (f"{url}: refused: localhost resolves to a loopback address 127.0.0.1 "
                              "(allow it with --allow-host localhost or UDIPLO_NEWS_ALLOW_HOSTS)") or \
        str(err.value) == (f"{url}: refused: localhost resolves to a loopback address ::1 "
                           "(allow it with --allow-host localhost or UDIPLO_NEWS_ALLOW_HOSTS)")
    assert not httpserver.log  # the server never saw a request


@pytest.mark.parametrize(("host", "shown"), [
    ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ("2130706433", "2130706433 resolves to a loopback address 127.0.0.1"),  # decimal
    ("0x7f.1", "0x7f.1 resolves to a loopback address 127.0.0.1"),  # hex, short form
    ("[::1]", "::1 is a loopback address"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
])
def test_disguised_loopback_hosts_are_refused(httpserver, host, shown):
    url = f"http://{host}:{httpserver.port}/x"
    with pytest.raises(FetchError, match=re.escape(f"refused: {shown}")) as err:
        fetch(url, FetchLimits(timeout=5))
    assert not err.value.retryable and not httpserver.log


@pytest.mark.parametrize(("url", "shown"), [
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://172.16.5.4:8080/", "172.16.5.4 is a private address"),
    ("http://192.168.0.1/", "192.168.0.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://[fd12:3456::1]/", "fd12:3456::1 is a unique-local address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ("http://0177.0.0.1/", "0177.0.0.1"),  # octal: refused, whether as a bad URL or as loopback
])
def test_internal_addresses_are_refused_without_connecting(url, shown):
    start = time.monotonic()
    with pytest.raises(FetchError, match=re.escape(shown)) as err:
        fetch(url, FetchLimits(timeout=5))
    assert not err.value.retryable
    assert time.monotonic() - start < 1.0  # refused, not a connect attempt that timed out


def test_allow_host_lets_the_local_server_through(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    assert fetch(httpserver.url_for("/x"), ALLOWED).data == b"ok"
    by_ip = f"http://127.0.0.1:{httpserver.port}/x"
    assert fetch(by_ip, FetchLimits(allow_hosts=("127.0.0.1",))).data == b"ok"
    assert fetch(by_ip, FetchLimits(allow_hosts=("127.0.0.0/8",))).data == b"ok"
    with pytest.raises(FetchError, match="refused: 127.0.0.1 is a loopback address"):
        fetch(by_ip, FetchLimits(allow_hosts=("10.0.0.0/8", "example.org")))


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/inside", "http://10.0.0.1/admin",
                                    "http://[::ffff:169.254.169.254]/latest"])
def test_redirect_from_an_allowed_server_to_an_internal_address_is_refused(httpserver, target):
    target = target.format(port=httpserver.port)
    httpserver.expect_request("/r").respond_with_data("", status=302, headers={"Location": target})
    start = time.monotonic()
    with pytest.raises(FetchError, match=re.escape(f"refused the redirect to {target}: ")) as err:
        fetch_with_retries(httpserver.url_for("/r"), ALLOWED, retries=3, backoff=1.0)
    assert not err.value.retryable and time.monotonic() - start < 1.0
    assert len(httpserver.log) == 1


def test_redirect_chain_is_checked_at_every_hop(httpserver):
    httpserver.expect_request("/1").respond_with_data("", status=301, headers={"Location": "/2"})
    httpserver.expect_request("/2").respond_with_data("", status=307, headers={"Location": "http://192.168.7.7/"})
    with pytest.raises(FetchError, match=r"refused the redirect to http://192\.168\.7\.7/: 192\.168\.7\.7 is a "
                                         r"private address"):
        fetch(httpserver.url_for("/1"), ALLOWED)


def test_redirects_within_the_allowed_server_are_followed(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("moved here")
    got = fetch(httpserver.url_for("/old"), ALLOWED)
    assert got.data == b"moved here" and got.final_url == httpserver.url_for("/new")
    assert got.url == httpserver.url_for("/old")


def test_too_many_redirects_is_a_final_error(httpserver):
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="more than 5 redirects") as err:
        fetch_with_retries(httpserver.url_for("/loop"), ALLOWED, retries=3, backoff=1.0)
    assert not err.value.retryable and len(httpserver.log) == 6


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:25/x"])
def test_redirect_to_another_scheme_is_a_final_error(httpserver, target):
    httpserver.expect_request("/r").respond_with_data("", status=302, headers={"Location": target})
    start = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch_with_retries(httpserver.url_for("/r"), ALLOWED, retries=3, backoff=1.0)
    assert str(err.value) == (f"{httpserver.url_for('/r')}: redirected to {target}: "
                              "only http:// and https:// URLs can be fetched")
    assert not err.value.retryable
    assert len(httpserver.log) == 1 and time.monotonic() - start < 1.0  # not retried


class DripServer:
    """A real HTTP server on loopback that sends its response one byte at a time."""

    def __init__(self, interval: float, head_first: bool):
        self.interval, self.head_first = interval, head_first
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                body = b"x" * 60
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 60\r\n\r\n"
                if self.head_first:
                    conn.sendall(head)
                    head = b""
                try:
                    for byte in head + body:
                        if self.stop.wait(self.interval):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    continue  # the client hung up

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize(("interval", "head_first"), [(1.0, True), (0.3, False)],
                         ids=["body-one-byte-a-second", "headers-dripped"])
def test_a_dripping_server_is_cut_at_the_whole_request_deadline(interval, head_first):
    server = DripServer(interval, head_first)
    try:
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out: no complete response within the 2 s deadline") as err:
            fetch(f"http://127.0.0.1:{server.port}/slow", FetchLimits(timeout=2, allow_hosts=("127.0.0.1",)))
        elapsed = time.monotonic() - start
    finally:
        server.close()
    assert 1.9 <= elapsed < 3.0  # the drip alone would take 60 s (headers-dripped: ~38 s)
    assert err.value.retryable


runner = CliRunner()


@pytest.fixture
def feed_site(httpserver):
    base = httpserver.url_for("")[:-1]
    httpserver.expect_request("/feed.xml").respond_with_data(rss(base, ["/a"]), content_type="application/rss+xml")
    httpserver.expect_request("/a").respond_with_data(page("شهروند دیپلمات", BODY), content_type="text/html")
    return base


def test_cli_news_refuses_loopback_and_says_how_to_allow_it(feed_site, tmp_path, monkeypatch):
    from udiplo.cli import app

    monkeypatch.delenv("UDIPLO_NEWS_ALLOW_HOSTS", raising=False)
    db = f"sqlite:///{tmp_path / 'n.sqlite'}"
    result = runner.invoke(app, ["news", f"{feed_site}/feed.xml", "--retries", "0", "--db", db])
    assert result.exit_code == 3
    line = result.stderr.strip()
    assert line.startswith(f"error: {feed_site}/feed.xml: refused: localhost resolves to a loopback address ")
    assert line.endswith("(allow it with --allow-host localhost or UDIPLO_NEWS_ALLOW_HOSTS)")


def test_cli_news_with_allow_host_option_or_variable(feed_site, tmp_path, monkeypatch):
    from udiplo.cli import app

    monkeypatch.delenv("UDIPLO_NEWS_ALLOW_HOSTS", raising=False)
    db = f"sqlite:///{tmp_path / 'n.sqlite'}"
    result = runner.invoke(app, ["news", f"{feed_site}/feed.xml", "--allow-host", "localhost", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["added"] == 1
    monkeypatch.setenv("UDIPLO_NEWS_ALLOW_HOSTS", "10.0.0.0/8 localhost")
    result = runner.invoke(app, ["news", f"{feed_site}/feed.xml", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["skipped"] == 1  # fetched the feed; the article is known


def test_cli_news_rejects_a_malformed_allow_host(tmp_path, monkeypatch):
    from udiplo.cli import app

    monkeypatch.delenv("UDIPLO_NEWS_ALLOW_HOSTS", raising=False)
    result = runner.invoke(app, ["news", "https://example.org/feed", "--allow-host", "http://localhost:8000",
                                 "--db", f"sqlite:///{tmp_path / 'n.sqlite'}"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: --allow-host takes a host name, an IP address or a network such as "
                                     "10.0.0.0/8; got 'http://localhost:8000'")


def test_serve_passes_the_allow_list_to_the_news_deployment(monkeypatch):
    from udiplo.cli import app

    monkeypatch.delenv("UDIPLO_NEWS_FEEDS", raising=False)
    monkeypatch.setenv("UDIPLO_NEWS_ALLOW_HOSTS", "feeds.intranet.example")
    result = runner.invoke(app, ["serve", "--dry-run", "--json", "--feed", "https://example.org/rss"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["news-hourly"]["parameters"]["allow_hosts"] == ["feeds.intranet.example"]
