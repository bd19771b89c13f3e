"""Short RSS entries get their linked page's article, politely; a failed page keeps the summary."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from connectors.feedfetch import FeedError
from connectors.pagefetch import PageFetcher
from connectors.rss import RssSource
from connectors.runner import run
from connectors.settings import HtmlSettings, PageFetchSettings

FEED = "https://feeds.example.org/wire.xml"
HTML = Path(__file__).resolve().parents[2] / "fixtures" / "html"
FIRE = "https://news.example.org/escape-room-fire"
LIMITS = "https://news.example.org/term-limits"
FIRE_LAST = "Mayor of Koszalin Piotr Jedlinski has declared tomorrow a day of mourning."


def feed(*entries: tuple[str, str, str]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{summary}</description></item>"
        for title, link, summary in entries
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>x</link>'
        f"<description>d</description><language>en</language>{items}</channel></rss>"
    ).encode()


TEASERS = feed(
    ("Escape room fire kills five", FIRE, "Five teenagers died in a fire in Koszalin."),
    ("Cruz proposes term limits", LIMITS, "A constitutional amendment was proposed."),
)


class Site:
    """An httpx transport for the feed, robots.txt and the article pages; records requests."""

    def __init__(self, feed_body: bytes = TEASERS, robots: str | int = "User-agent: *\n") -> None:
        self.feed = feed_body
        self.robots = robots
        self.pages = {
            "/escape-room-fire": (HTML / "escape-room-fire.html").read_bytes(),
            "/term-limits": (HTML / "term-limits.html").read_bytes(),
        }
        self.status: dict[str, int] = {}
        self.content_type = "text/html; charset=utf-8"
        self.etag = '"page-v1"'
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if str(request.url) == FEED:
            return httpx.Response(200, content=self.feed, headers={"content-type": "text/xml"})
        if path == "/robots.txt":
            if isinstance(self.robots, int):
                return httpx.Response(self.robots, text="no")
            return httpx.Response(200, text=self.robots, headers={"content-type": "text/plain"})
        if path in self.status:
            return httpx.Response(self.status[path], text="broken")
        if path in self.pages:
            if request.headers.get("if-none-match") == self.etag:
                return httpx.Response(304)
            headers = {"content-type": self.content_type, "etag": self.etag}
            return httpx.Response(200, content=self.pages[path], headers=headers)
        return httpx.Response(404, text="not found")

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def paths(self, host: str = "news.example.org") -> list[str]:
        return [r.url.path for r in self.requests if r.url.host == host]


class Clock:
    """A fake monotonic clock; waiting advances it and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(round(seconds, 3))
        self.now += seconds
        return False


def _fetcher(site: Site, clock: Clock | None = None, **settings) -> PageFetcher:
    clock = clock or Clock()
    html = HtmlSettings(**settings.pop("html", {}))
    page_settings = PageFetchSettings(contact="mailto:ops@example.org", **settings)
    return PageFetcher(site.client(), page_settings, html, clock=clock, wait=clock.wait)


def _records(site: Site, producer, fake_client, **settings) -> list[dict]:
    source = RssSource([FEED], once=True, client=site.client(), pages=_fetcher(site, **settings))
    counts = run(source, producer)
    assert counts.deadlettered == 0  # a teaser is never a dead letter
    return fake_client.records("articles")


def test_a_short_entry_gets_the_article_of_its_linked_page(producer, fake_client):
    site = Site()
    fire, limits = _records(site, producer, fake_client)
    assert fire["body_source"] == "page" and limits["body_source"] == "page"
    assert fire["body"].startswith("A fire yesterday afternoon killed five girls")
    assert fire["body"].endswith(FIRE_LAST)
    assert "Most read" not in fire["body"]
    assert fire["headline"] == "Escape room fire kills five"  # the entry's own fields win
    assert fire["url"] == FIRE
    assert fire["byline"] == "Jane Reporter"  # the feed had none; the page says so
    assert "warnings" not in fire


def test_an_entry_with_enough_text_of_its_own_is_not_fetched(producer, fake_client):
    site = Site(feed(("Long", FIRE, "Many words of the entry itself. " * 20)))
    [record] = _records(site, producer, fake_client)
    assert record["body_source"] == "feed"
    assert record["body"].startswith("Many words of the entry itself.")
    assert site.paths() == []


def test_the_min_length_is_configurable(producer, fake_client):
    site = Site()
    records = _records(site, producer, fake_client, min_feed_chars=10)
    assert [r["body_source"] for r in records] == ["feed", "feed"]
    assert site.paths() == []


def test_robots_disallow_is_respected_and_the_summary_goes_out_with_the_reason(
    producer, fake_client
):
    site = Site(robots="User-agent: *\nAllow: /\n\nUser-agent: wirestream\nDisallow: /escape\n")
    fire, limits = _records(site, producer, fake_client)
    assert fire["body_source"] == "feed"
    assert fire["body"] == "Five teenagers died in a fire in Koszalin."
    assert "robots.txt" in fire["warnings"][0] and "/escape-room-fire" in fire["warnings"][0]
    assert limits["body_source"] == "page"  # the same robots.txt allows the other page
    assert "/escape-room-fire" not in site.paths()
    assert site.paths().count("/robots.txt") == 1  # cached per host


def test_a_failing_page_gives_the_summary_with_a_warning(producer, fake_client):
    site = Site()
    site.status["/escape-room-fire"] = 500
    fire, limits = _records(site, producer, fake_client)
    assert fire["body"] == "Five teenagers died in a fire in Koszalin."
    assert fire["body_source"] == "feed"
    assert "HTTP 500" in fire["warnings"][0]
    assert limits["body_source"] == "page"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"content_type": "application/pdf"}, "not an HTML page"),
        ({"html": {"max_bytes": 1000}}, "limit is 1,000"),
    ],
)
def test_a_page_that_is_not_html_or_too_large_keeps_the_summary(
    producer, fake_client, change, reason
):
    site = Site(feed(("Fire", FIRE, "Short.")))
    settings = {}
    if "content_type" in change:
        site.content_type = change["content_type"]
    else:
        settings["html"] = change["html"]
    [record] = _records(site, producer, fake_client, **settings)
    assert record["body"] == "Short." and reason in record["warnings"][0]


def test_a_title_only_entry_whose_page_fails_goes_out_with_its_title(producer, fake_client):
    site = Site(feed(("Only a title here", FIRE, "")))
    site.status["/escape-room-fire"] = 404
    [record] = _records(site, producer, fake_client)
    assert record["body"] == "Only a title here"
    assert "HTTP 404" in record["warnings"][0]


def test_an_unreadable_robots_txt_skips_the_host_and_a_missing_one_allows_it():
    broken = Site(robots=503)
    result = _fetcher(broken).for_entry(FIRE)
    assert result.page is None and "robots.txt" in result.warning
    assert "/escape-room-fire" not in broken.paths()
    missing = Site(robots=404)
    assert _fetcher(missing).for_entry(FIRE).page is not None


def test_requests_name_wirestream_and_the_contact():
    site = Site()
    _fetcher(site).for_entry(FIRE)
    agents = {r.headers["user-agent"] for r in site.requests}
    assert len(agents) == 1
    [agent] = agents
    assert agent.startswith("wirestream/") and "mailto:ops@example.org" in agent


def test_one_host_is_asked_at_most_once_per_interval_or_its_crawl_delay():
    clock = Clock()
    site = Site()
    fetcher = _fetcher(site, clock, per_host_interval_s=2.0)
    fetcher.for_entry(FIRE)  # robots.txt at t, the page 2 s later
    fetcher.for_entry(LIMITS)  # 2 s after that
    assert clock.waits == [2.0, 2.0]
    slow = Site(robots="User-agent: *\nCrawl-delay: 7\n")
    clock = Clock()
    fetcher = _fetcher(slow, clock, per_host_interval_s=2.0)
    fetcher.for_entry(FIRE)
    fetcher.for_entry(LIMITS)
    assert clock.waits == [2.0, 7.0]  # robots.txt's own turn was booked before it was read


def test_a_page_fetched_again_is_a_conditional_get_and_a_304_reuses_the_article():
    site = Site()
    fetcher = _fetcher(site)
    first = fetcher.for_entry(FIRE).page
    again = fetcher.for_entry(FIRE).page
    page_requests = [r for r in site.requests if r.url.path == "/escape-room-fire"]
    assert page_requests[1].headers["if-none-match"] == '"page-v1"'
    assert again == first and again.body.endswith(FIRE_LAST)


def test_the_page_fetch_goes_through_the_url_check_of_the_source():
    site = Site()
    refused: list[str] = []

    def check(url: str) -> None:
        refused.append(url)
        raise FeedError(f"refusing {url}")

    fetcher = PageFetcher(site.client(), PageFetchSettings(), check_url=check, wait=lambda s: False)
    result = fetcher.for_entry(FIRE)
    assert result.page is None and refused
    assert site.requests == []
