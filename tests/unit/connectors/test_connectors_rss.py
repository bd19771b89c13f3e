from __future__ import annotations

import httpx
import pytest

from connectors.feedfetch import FeedError, fetch
from connectors.rss import RssSource, parse_feed
from connectors.runner import run
from connectors.settings import RssSettings
from connectors.state import StateFile

FEED = "https://feeds.example.org/wire.xml"


class FeedServer:
    """An httpx transport serving one feed body with an ETag, recording the requests."""

    def __init__(self, body: bytes, etag: str = '"v1"') -> None:
        self.body, self.etag = body, etag
        self.requests: list[httpx.Request] = []
        self.status: int | None = None
        self.content_type = "application/rss+xml"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status is not None:
            return httpx.Response(self.status, text="oops")
        if request.headers.get("if-none-match") == self.etag:
            return httpx.Response(304)
        headers = {"etag": self.etag, "content-type": self.content_type}
        return httpx.Response(200, content=self.body, headers=headers)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def _source(server: FeedServer, **kwargs) -> RssSource:
    """The feed alone: the linked pages are tested in test_connectors_rss_pages.py."""
    kwargs.setdefault("pages", None)
    return RssSource([FEED], once=True, client=server.client(), **kwargs)


def test_feed_entries_become_articles_keyed_by_feed_and_guid(
    fixtures, producer, fake_client
) -> None:
    server = FeedServer((fixtures / "feeds" / "rss.xml").read_bytes())
    assert run(_source(server), producer).sent == 2
    first, _ = fake_client.records("articles")
    assert first["source"] == FEED
    assert first["guid"] == "example-cricket-1"
    assert first["format"] == "rss"
    assert first["headline"] == "Australians talk tough ahead of Brisbane test match"
    assert first["body"].startswith("The Australian cricket team")
    assert "<p>" not in first["body"]
    assert first["language"] == "en"
    assert first["subjects"] == ["sport"]


def test_second_poll_sends_if_none_match_and_resends_nothing(
    fixtures, producer, fake_client, tmp_path
) -> None:
    server = FeedServer((fixtures / "feeds" / "rss.xml").read_bytes())
    state = StateFile(tmp_path / "rss.json")
    run(_source(server), producer, state)
    assert run(_source(server), producer, state).sent == 0  # a restart: state from the file
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert len(fake_client.records("articles")) == 2


def test_changed_feed_sends_new_and_changed_entries_only(
    fixtures, producer, fake_client, tmp_path
) -> None:
    server = FeedServer((fixtures / "feeds" / "rss.xml").read_bytes())
    state = StateFile(tmp_path / "rss.json")
    run(_source(server), producer, state)
    server.body, server.etag = (fixtures / "feeds" / "rss-updated.xml").read_bytes(), '"v2"'
    assert run(_source(server), producer, state).sent == 2  # almeria (new) + cricket (changed)
    records = fake_client.records("articles")
    assert records[0]["id"] == records[3]["id"]  # the changed cricket entry keeps its id
    assert "a yawn" in records[3]["body"]


def test_entries_are_remembered_even_without_validators(fixtures, producer, tmp_path) -> None:
    server = FeedServer((fixtures / "feeds" / "rss.xml").read_bytes(), etag="")
    state = StateFile(tmp_path / "rss.json")
    run(_source(server), producer, state)
    assert run(_source(server), producer, state).sent == 0


def test_atom_feed_is_read(fixtures, producer, fake_client) -> None:
    server = FeedServer((fixtures / "feeds" / "atom.xml").read_bytes())
    run(_source(server), producer)
    [article] = fake_client.records("articles")
    assert article["byline"] == "Wikinews"
    assert article["published_at"] == "2004-11-13T17:00:00Z"


@pytest.mark.parametrize("status", [500, 404])
def test_failing_feed_is_logged_and_nothing_is_sent(status, producer, fake_client) -> None:
    server = FeedServer(b"")
    server.status = status
    assert run(_source(server), producer).sent == 0
    assert fake_client.sent == []


def test_html_page_instead_of_a_feed_is_refused() -> None:
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(b"<!DOCTYPE html><html><body>Login</body></html>", FEED, "text/html")


def test_entity_declarations_in_a_feed_are_refused(fixtures) -> None:
    with pytest.raises(FeedError, match="refused XML"):
        parse_feed((fixtures / "newsml" / "billion-laughs.xml").read_bytes(), FEED)


def test_oversized_feed_is_refused() -> None:
    server = FeedServer(b"<rss>" + b" " * 5000 + b"</rss>")
    with pytest.raises(FeedError, match="limit"):
        fetch(server.client(), FEED, settings=RssSettings(max_feed_bytes=1000))


def test_timeout_is_a_feed_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(FeedError, match="timed out"):
        fetch(httpx.Client(transport=httpx.MockTransport(slow)), FEED)


def test_only_http_and_https_are_fetched() -> None:
    with pytest.raises(FeedError, match="only http and https"):
        fetch(httpx.Client(), "file:///etc/passwd")


def test_redirect_to_another_scheme_is_refused() -> None:
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "ftp://elsewhere/feed"})

    with pytest.raises(FeedError, match="only http and https"):
        fetch(httpx.Client(transport=httpx.MockTransport(redirect)), FEED)


def test_url_guard_hook_sees_every_url_before_it_is_fetched(fixtures) -> None:
    seen: list[str] = []
    server = FeedServer((fixtures / "feeds" / "rss.xml").read_bytes())
    fetch(server.client(), FEED, check_url=seen.append)
    assert seen == [FEED]


def test_each_feed_is_polled_at_its_own_interval(fixtures, producer) -> None:
    server = FeedServer((fixtures / "feeds" / "rss.xml").read_bytes())
    fast, slow = FEED, "https://feeds.example.org/slow.xml"
    source = RssSource(
        [fast], interval_s=0.05, intervals={slow: 3600}, client=server.client(), pages=None
    )
    for polls, _ in enumerate(source.batches(), start=1):
        if polls >= 4:
            source.stop()
    polled = [str(r.url) for r in server.requests]
    assert polled.count(slow) == 1
    assert polled.count(fast) >= 3
