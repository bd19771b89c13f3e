from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from connector_helpers import FIXTURES, consume

from connectors.producer import ArticleProducer
from connectors.rss import RssSource
from connectors.runner import run
from connectors.settings import RssSettings
from connectors.state import StateFile
from pipeline.contracts import schemas
from pipeline.settings import KafkaSettings, TopicSettings

pytestmark = pytest.mark.integration


class FeedHandler(BaseHTTPRequestHandler):
    """Serves /feed.xml with an ETag (304 on If-None-Match), /500, /html and /slow."""

    feed = (FIXTURES / "feeds" / "rss.xml").read_bytes()
    etag = '"v1"'
    seen: list[tuple[str, str | None]] = []  # noqa: RUF012 - reset per test by the fixture

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/500":
            self._reply(500, b"internal error", "text/plain")
        elif self.path == "/html":
            self._reply(200, b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html")
        elif self.path == "/slow":
            threading.Event().wait(3)
            self._reply(200, self.feed, "application/rss+xml")
        elif self.headers.get("If-None-Match") == self.etag:
            self._reply(304, b"", None)
        else:
            self._reply(200, self.feed, "application/rss+xml", {"ETag": self.etag})

    def _reply(
        self, status: int, body: bytes, ctype: str | None, headers: dict | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def allow_loopback_feeds(monkeypatch) -> None:
    """The feeds are served from 127.0.0.1, which the SSRF guard refuses unless allowed."""
    monkeypatch.setenv("WIRESTREAM_RSS_ALLOW_PRIVATE", "true")


@pytest.fixture
def feed_server() -> Iterator[str]:
    FeedHandler.seen = []
    FeedHandler.feed = (FIXTURES / "feeds" / "rss.xml").read_bytes()
    FeedHandler.etag = '"v1"'
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def producer(topics, kafka_bootstrap) -> Iterator[ArticleProducer]:
    producer = ArticleProducer(
        KafkaSettings(bootstrap=kafka_bootstrap),
        TopicSettings(article=topics["article"], deadletter=topics["deadletter"]),
    )
    yield producer
    producer.close()


def test_feed_entries_reach_kafka_and_a_restart_sends_nothing_again(
    feed_server, producer, topics, kafka_bootstrap, tmp_path
) -> None:
    url = f"{feed_server}/feed.xml"
    state = StateFile(tmp_path / "rss.json")
    assert run(RssSource([url], once=True), producer, state).sent == 2
    records = consume(kafka_bootstrap, topics["article"], 2)
    for key, article in records:
        schemas.validate(schemas.ARTICLE, article)
        assert key == article["id"]
        assert article["source"] == url

    # a restarted poller: conditional GET with the remembered ETag, 304, nothing re-sent
    assert run(RssSource([url], once=True), producer, state).sent == 0
    assert FeedHandler.seen[-1] == ("/feed.xml", '"v1"')

    # the feed changes: only the new and the changed entries are sent
    FeedHandler.feed, FeedHandler.etag = (
        (FIXTURES / "feeds" / "rss-updated.xml").read_bytes(),
        '"v2"',
    )
    assert run(RssSource([url], once=True), producer, state).sent == 2
    records = consume(kafka_bootstrap, topics["article"], 5, timeout_s=5)
    assert len(records) == 4
    assert records[3][1]["id"] == records[0][1]["id"]  # the changed entry updates its article


def test_broken_feeds_are_skipped_and_the_good_one_still_polled(
    feed_server, producer, topics, kafka_bootstrap, tmp_path
) -> None:
    feeds = [
        f"{feed_server}/500",
        f"{feed_server}/html",
        f"{feed_server}/slow",
        f"{feed_server}/feed.xml",
    ]
    source = RssSource(feeds, once=True, settings=RssSettings(timeout_s=0.5))
    assert run(source, producer, StateFile(tmp_path / "rss.json")).sent == 2
    assert len(consume(kafka_bootstrap, topics["article"], 2)) == 2
    assert [path for path, _ in FeedHandler.seen] == ["/500", "/html", "/slow", "/feed.xml"]


def test_connect_rss_command_polls_once_and_remembers(
    feed_server, wirestream, topics, kafka_bootstrap, tmp_path
) -> None:
    state = tmp_path / "cli-rss.json"
    for _ in range(2):
        result = wirestream(
            "connect", "rss", f"{feed_server}/feed.xml", "--once", "--state", str(state)
        )
        assert result.returncode == 0, result.stderr
    assert len(consume(kafka_bootstrap, topics["article"], 3, timeout_s=5)) == 2
    assert state.exists()
