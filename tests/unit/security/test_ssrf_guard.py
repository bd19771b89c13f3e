"""The SSRF guard refuses non-public targets before any connection, on every redirect hop.

A stubbed resolver maps test names to addresses and a spy transport records every connection
attempt: the only connections ever made go to the loopback server the test itself runs.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from connectors.feedfetch import FeedError, fetch
from connectors.settings import RssSettings
from connectors.ssrf import (
    BlockedAddress,
    check_address,
    guarded_client,
    is_public,
    system_resolver,
)

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
    # The connection went to the checked IP, but the server saw the name the URL asked for.
    with client(spy, ("127.0.0.1/32",)) as http:
        response = http.get(f"http://feeds.test:{server}/feed")
    assert response.headers["X-Seen-Host"] == f"feeds.test:{server}"
    assert spy.hosts == ["127.0.0.1", "127.0.0.1"]


class RecordingTransport(httpx.BaseTransport):
    """Records each request as the guard hands it on, and answers 200 without a network."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=RSS, request=request)


def test_https_target_is_connected_by_ip_with_the_name_as_host_and_tls_server_name() -> None:
    inner = RecordingTransport()
    with guarded_client(resolver=lambda host, port: ["93.184.216.34"], inner=inner) as http:
        http.get("https://feeds.example.org/rss")
    (request,) = inner.requests
    assert request.url.host == "93.184.216.34" and request.url.port is None
    assert request.headers["Host"] == "feeds.example.org"
    # The certificate is checked against the name, not against the IP the guard chose.
    assert request.extensions["sni_hostname"] == "feeds.example.org"


def test_a_name_with_an_empty_dns_answer_is_not_fetched() -> None:
    inner = RecordingTransport()
    with (
        guarded_client(resolver=lambda host, port: [], inner=inner) as http,
        pytest.raises(FeedError, match="has no address"),
    ):
        fetch(http, "http://nowhere.test/feed", settings=RssSettings())
    assert inner.requests == []


def test_a_zone_id_is_stripped_before_the_address_is_checked_and_used() -> None:
    allowed = (ipaddress.ip_network("fe80::/10"),)
    assert check_address("h", "fe80::1%eth0", False, allowed) == ipaddress.ip_address("fe80::1")
    with pytest.raises(BlockedAddress, match=r"resolves to fe80::1, a non-public"):
        check_address("h", "fe80::1%eth0", False)


def test_system_resolver_returns_each_address_once(monkeypatch) -> None:
    calls: list[tuple[str, int]] = []

    def getaddrinfo(host: str, port: int, type: int = 0) -> list[tuple]:
        calls.append((host, port))
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800::1", port, 0, 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert system_resolver("feeds.example.org", 443) == ["93.184.216.34", "2606:2800::1"]
    assert calls == [("feeds.example.org", 443)]


def test_system_resolver_turns_a_lookup_failure_into_a_connect_error(monkeypatch) -> None:
    def getaddrinfo(host: str, port: int, type: int = 0) -> list[tuple]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(httpx.ConnectError, match=r"cannot resolve 'no\.such\.test'"):
        system_resolver("no.such.test", 80)


def test_the_guard_resolves_with_the_system_resolver_by_default(monkeypatch) -> None:
    def getaddrinfo(host: str, port: int, type: int = 0) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.9", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    inner = RecordingTransport()
    with guarded_client(inner=inner) as http, pytest.raises(BlockedAddress, match=r"10\.0\.0\.9"):
        http.get("http://intranet.example.org/")
    assert inner.requests == []


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
