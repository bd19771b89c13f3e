"""The SSRF guard refuses non-public targets before any connection, on every redirect hop.

A stubbed resolver maps test names to addresses and a spy transport records every connection
attempt: the only connections ever made go to the loopback server the test itself runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from connectors.feedfetch import FeedError, fetch
from connectors.settings import RssSettings
from connectors.ssrf import BlockedAddress, guarded_client, is_public

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


class SpyTransport(httpx.BaseTransport):
    """Records the host of every request that would open a connection, then makes it."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport(retries=0)
        self.hosts: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        assert request.url.host == "127.0.0.1", "a connection to a non-loopback address"
        return self.inner.handle_request(request)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", "http://" + self.path.removeprefix("/redirect/"))
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("X-Seen-Host", self.headers.get("Host", ""))
        self.end_headers()
        self.wfile.write(RSS)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


NAMES = {
    "feeds.test": ["127.0.0.1"],  # the test's own server, explicitly allowed below
    "metadata.test": ["169.254.169.254"],
    "intranet.test": ["10.0.0.7"],
    "router.test": ["192.168.1.1"],
    "corp.test": ["172.16.5.5"],
    "cgnat.test": ["100.64.0.1"],
    "localhost.test": ["127.0.0.1"],
    "v6local.test": ["::1"],
    "v6ula.test": ["fd00::1"],
    "v6mapped.test": ["::ffff:10.0.0.1"],
    "rebind.test": ["93.184.216.34", "10.0.0.8"],  # one public, one private answer
}


def resolver(host: str, port: int) -> list[str]:
    return NAMES[host]


def client(spy: SpyTransport, allow_networks: tuple[str, ...] = ()) -> httpx.Client:
    return guarded_client(resolver=resolver, allow_networks=allow_networks, inner=spy)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost.test/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.test/",
        "http://intranet.test/",
        "http://router.test/",
        "http://corp.test/",
        "http://cgnat.test/",
        "http://v6local.test/",
        "http://[::1]/",
        "http://v6ula.test/",
        "http://v6mapped.test/",
        "http://rebind.test/",
        "http://0.0.0.0/",
        "https://intranet.test/",
    ],
)
def test_non_public_targets_are_refused_before_any_connection(url: str) -> None:
    spy = SpyTransport()
    with client(spy) as http, pytest.raises(FeedError, match="non-public address"):
        fetch(http, url, settings=RssSettings())
    assert spy.hosts == []


def test_redirect_to_a_private_address_is_refused_before_following_it(server: int) -> None:
    spy = SpyTransport()
    url = f"http://feeds.test:{server}/redirect/intranet.test/secrets"
    with client(spy, ("127.0.0.1/32",)) as http, pytest.raises(FeedError, match=r"10\.0\.0\.7"):
        fetch(http, url, settings=RssSettings())
    assert spy.hosts == ["127.0.0.1"]  # the first hop only


@pytest.mark.parametrize("target", ["169.254.169.254/latest/", "127.0.0.2/", "[::1]/"])
def test_redirect_to_a_literal_internal_address_is_refused(server: int, target: str) -> None:
    spy = SpyTransport()
    url = f"http://feeds.test:{server}/redirect/{target}"
    with client(spy, ("127.0.0.1/32",)) as http, pytest.raises(FeedError, match="non-public"):
        fetch(http, url, settings=RssSettings())
    assert spy.hosts == ["127.0.0.1"]


def test_allowed_target_is_fetched_at_the_checked_address_with_its_own_host_header(
    server: int,
) -> None:
    spy = SpyTransport()
    with client(spy, ("127.0.0.1/32",)) as http:
        fetched = fetch(http, f"http://feeds.test:{server}/feed", settings=RssSettings())
    assert fetched.status == 200 and fetched.content == RSS
    assert spy.hosts == ["127.0.0.1"]


def test_guard_is_off_only_when_the_setting_says_so(server: int) -> None:
    spy = SpyTransport()
    with guarded_client(allow_private=True, resolver=resolver, inner=spy) as http:
        assert fetch(http, f"http://localhost.test:{server}/", settings=RssSettings()).status == 200


def test_only_http_and_https_are_fetched() -> None:
    spy = SpyTransport()
    with client(spy) as http:
        for url in ("file:///etc/passwd", "ftp://feeds.test/x", "gopher://feeds.test/"):
            with pytest.raises(FeedError, match="only http and https"):
                fetch(http, url, settings=RssSettings())
    assert spy.hosts == []


def test_the_transport_refuses_on_its_own_without_feedfetch() -> None:
    spy = SpyTransport()
    with client(spy) as http, pytest.raises(BlockedAddress):
        http.get("http://metadata.test/")
    assert spy.hosts == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("10.1.1.1", False),
        ("fe80::1", False),
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("198.18.0.1", False),
    ],
)
def test_public_means_global_unicast(address: str, public: bool) -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address(address)) is public


def test_rss_source_uses_the_guard_by_default(monkeypatch) -> None:
    from connectors.rss import RssSource
    from connectors.ssrf import GuardedTransport

    monkeypatch.delenv("WIRESTREAM_RSS_ALLOW_PRIVATE", raising=False)
    source = RssSource(["http://127.0.0.1:1/feed"], once=True)
    try:
        assert isinstance(source.client._transport, GuardedTransport)
        with pytest.raises(FeedError, match="non-public"):
            source.poll("http://127.0.0.1:1/feed")
    finally:
        source.close()
