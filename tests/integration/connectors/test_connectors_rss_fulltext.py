"""RSS full text end to end: a feed of teasers and its article pages served on loopback, the
articles on the real Kafka and in the real Elasticsearch with the pages' full bodies; robots.txt
and a failing page leave the summary, with the reason on the record."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from connector_helpers import FIXTURES, consume
from elasticsearch import AsyncElasticsearch

from connectors.producer import ArticleProducer
from connectors.rss import RssSource
from connectors.runner import run
from connectors.state import StateFile
from pipeline.contracts import schemas
from pipeline.enrich.runner import EnrichmentRunner
from pipeline.settings import ElasticsearchSettings, KafkaSettings, TopicSettings
from pipeline.sinks.elasticsearch import ElasticsearchSink
from pipeline.sinks.index_setup import ensure_index, template_name

pytestmark = pytest.mark.integration

FIRE_FIRST = "A fire yesterday afternoon killed five girls, all aged fifteen"
FIRE_LAST = "Mayor of Koszalin Piotr Jedlinski has declared tomorrow a day of mourning."
LIMITS_LAST = (
    "The 22nd amendment establishing a legal limit on presidential terms was passed in 1947."
)


def _feed(base: str) -> bytes:
    entries = [
        ("Escape room fire kills five", "/news/escape-room-fire", "Five teenagers died."),
        ("Cruz proposes term limits", "/news/term-limits", "An amendment was proposed."),
        ("Members only story", "/private/story", "A story robots.txt keeps out."),
        ("A broken page", "/news/broken", "This page answers 500."),
    ]
    items = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<description>{s}</description></item>"
        for t, p, s in entries
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback news</title>'
        f"<link>{base}/</link><description>d</description>{items}</channel></rss>"
    ).encode()


class SiteHandler(BaseHTTPRequestHandler):
    """The feed, robots.txt (Disallow: /private/) and the article pages."""

    base = ""
    seen: list[tuple[str, str]] = []  # noqa: RUF012 - reset per test by the fixture
    pages = {  # noqa: RUF012 - read only
        "/news/escape-room-fire": (FIXTURES / "html" / "escape-room-fire.html").read_bytes(),
        "/news/term-limits": (FIXTURES / "html" / "term-limits.html").read_bytes(),
        "/private/story": (FIXTURES / "html" / "term-limits.html").read_bytes(),
    }

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("User-Agent", "")))
        if self.path == "/feed.xml":
            self._reply(200, _feed(self.base), "application/rss+xml")
        elif self.path == "/robots.txt":
            self._reply(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path in self.pages:
            self._reply(200, self.pages[self.path], "text/html; charset=utf-8")
        elif self.path == "/news/broken":
            self._reply(500, b"internal error", "text/plain")
        else:
            self._reply(404, b"not found", "text/plain")

    def _reply(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(monkeypatch) -> Iterator[str]:
    # Loopback is private: allowed here only, as a deployment would for an intranet feed.
    monkeypatch.setenv("WIRESTREAM_RSS_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("WIRESTREAM_PAGE_PER_HOST_INTERVAL_S", "0.1")
    monkeypatch.setenv("WIRESTREAM_PAGE_CONTACT", "mailto:ops@example.org")
    SiteHandler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    SiteHandler.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SiteHandler.base
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


@pytest.fixture
def es_settings(es, unique_name) -> Iterator[ElasticsearchSettings]:
    name = unique_name("ws-fulltext")
    settings = ElasticsearchSettings(alias=name, index_prefix=f"{name}-v", refresh="true")
    ensure_index(es, settings)
    yield settings
    for index in es.indices.get(index=f"{settings.index_prefix}*").body:
        es.indices.delete(index=index)
    es.indices.delete_index_template(name=template_name(settings), ignore=[404])


def _index(settings: ElasticsearchSettings, articles: list[dict]) -> list[str]:
    """The articles through the enrichment runner (wire copy only) into the real index."""
    enriched, failures = EnrichmentRunner.from_names(("wirecopy.v1",)).run(articles)
    assert failures == []

    async def write() -> list[str]:
        client = AsyncElasticsearch(settings.url)
        try:
            result = await ElasticsearchSink(client, settings).write(enriched)
            return result.indexed
        finally:
            await client.close()

    return asyncio.run(write())


def test_teasers_go_out_with_full_page_bodies_robots_and_failures_keep_the_summary(
    site, producer, topics, kafka_bootstrap, tmp_path, es, es_settings
) -> None:
    feed_url = f"{site}/feed.xml"
    counts = run(RssSource([feed_url], once=True), producer, StateFile(tmp_path / "rss.json"))
    assert (counts.sent, counts.deadlettered) == (4, 0)
    records = {a["guid"]: a for _, a in consume(kafka_bootstrap, topics["article"], 4)}
    assert len(records) == 4
    for article in records.values():
        schemas.validate(schemas.ARTICLE, article)
    fire = records[f"{site}/news/escape-room-fire"]
    limits = records[f"{site}/news/term-limits"]
    private = records[f"{site}/private/story"]
    broken = records[f"{site}/news/broken"]

    assert fire["body_source"] == limits["body_source"] == "page"
    assert fire["body"].startswith(FIRE_FIRST) and fire["body"].endswith(FIRE_LAST)
    assert limits["body"].endswith(LIMITS_LAST)
    assert "Most read" not in fire["body"] and "warnings" not in fire

    assert private["body_source"] == "feed"
    assert private["body"] == "A story robots.txt keeps out."
    assert "robots.txt" in private["warnings"][0] and "/private/story" in private["warnings"][0]
    assert "/private/story" not in [path for path, _ in SiteHandler.seen]

    assert broken["body_source"] == "feed"
    assert broken["body"] == "This page answers 500."
    assert "HTTP 500" in broken["warnings"][0]
    assert consume(kafka_bootstrap, topics["deadletter"], 1, timeout_s=3) == []

    paths = [path for path, _ in SiteHandler.seen]
    assert paths.count("/robots.txt") == 1
    page_agents = {agent for path, agent in SiteHandler.seen if path != "/feed.xml"}
    assert all(a.startswith("wirestream/") and "ops@example.org" in a for a in page_agents)

    assert sorted(_index(es_settings, list(records.values()))) == sorted(
        a["id"] for a in records.values()
    )
    doc = es.get(index=es_settings.alias, id=fire["id"]).body["_source"]
    assert doc["body"].endswith(FIRE_LAST) and doc["body_source"] == "page"
    hits = es.search(
        index=es_settings.alias, query={"match_phrase": {"body": "Piotr Jedlinski"}}
    ).body["hits"]["hits"]
    assert [h["_id"] for h in hits] == [fire["id"]]
    warned = es.search(index=es_settings.alias, query={"term": {"body_source": "feed"}}).body
    assert {h["_id"] for h in warned["hits"]["hits"]} == {private["id"], broken["id"]}
