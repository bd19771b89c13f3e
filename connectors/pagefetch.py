"""The article page behind a short RSS entry, fetched the way a polite crawler fetches it.

Most feeds carry a headline and a sentence or two; enrichment needs the article. When an entry's
own text is shorter than `min_feed_chars`, `PageFetcher.for_entry` fetches the entry's link and
extracts the article with the one HTML extractor (`connectors.html_article`). What makes it
polite, and safe:

- every request (each redirect hop too) goes through the RSS connector's SSRF-guarded client and
  `feedfetch.fetch`: http/https only, timeouts, a size cap (`WIRESTREAM_HTML_MAX_BYTES`);
- robots.txt is honoured for the `wirestream` token (protego), fetched once per host and cached
  for `robots_ttl_s`. Following RFC 9309: a robots.txt answering 4xx (none there) allows
  everything; one that cannot be had (5xx, network error, too large) disallows the host until it
  is asked again after `robots_retry_s`, because "unreachable" must not read as "allowed";
- one host gets a request at most every `per_host_interval_s` (robots.txt included), or its
  robots.txt `Crawl-delay` when longer (capped at 60 s); the wait ends early on `stop()`;
- the User-Agent names wirestream and a contact (`WIRESTREAM_PAGE_CONTACT`);
- conditional GET: the validators and the extracted article of the last `remember_validators`
  pages are kept in memory, so an entry that changes without its page changing costs a 304.

A page that cannot be fetched, is disallowed, is not HTML or holds no article raises
`PageUnavailable`; `for_entry` turns that into a warning, and the entry goes out with its own
summary (`connectors.rss`): a teaser is never lost and never dead-lettered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from protego import Protego

from connectors.feedfetch import FeedError, check_scheme, fetch
from connectors.html_article import ExtractionError, PageArticle, extract_article, looks_like_html
from connectors.settings import HtmlSettings, PageFetchSettings, RssSettings
from pipeline import __version__

log = logging.getLogger(__name__)

ROBOTS_TOKEN = "wirestream"
MAX_CRAWL_DELAY_S = 60.0
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_ROBOTS_ACCEPT = "text/plain, */*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class PageUnavailable(RuntimeError):
    """The page was not fetched or gave no article; the message is the reason, for the record."""


def user_agent(contact: str) -> str:
    return f"wirestream/{__version__} (+{contact})"


def host_of(url: str) -> str:
    """`scheme://host[:port]`, the unit robots.txt and pacing apply to."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


@dataclass(frozen=True)
class FullText:
    """The page's article, or why the entry keeps its own text."""

    page: PageArticle | None = None
    warning: str | None = None


@dataclass
class _Robots:
    parser: Protego | None  # None: everything allowed (no robots.txt)
    refused: str | None  # set: the host is disallowed whole, for this reason
    expires: float

    def refusal(self, url: str) -> str | None:
        if self.refused:
            return self.refused
        if self.parser is not None and not self.parser.can_fetch(url, ROBOTS_TOKEN):
            return f"robots.txt of {host_of(url)} disallows {urlsplit(url).path or '/'}"
        return None

    def crawl_delay(self) -> float:
        delay = self.parser.crawl_delay(ROBOTS_TOKEN) if self.parser is not None else None
        return min(float(delay), MAX_CRAWL_DELAY_S) if delay else 0.0


@dataclass(frozen=True)
class _Remembered:
    etag: str | None
    last_modified: str | None
    article: PageArticle


class PageFetcher:
    """Fetches and extracts article pages: robots.txt, pacing, conditional GET, size cap."""

    def __init__(
        self,
        client: httpx.Client,
        settings: PageFetchSettings | None = None,
        html: HtmlSettings | None = None,
        *,
        check_url: Callable[[str], None] = check_scheme,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.client = client
        self.settings = settings or PageFetchSettings()
        self.html = html or HtmlSettings()
        self.check_url = check_url
        self.clock = clock
        agent = user_agent(self.settings.contact)
        common = {
            "user_agent": agent,
            "timeout_s": self.settings.timeout_s,
            "max_redirects": self.settings.max_redirects,
        }
        self._page_fetch = RssSettings(**common, max_feed_bytes=self.html.max_bytes)
        self._robots_fetch = RssSettings(**common, max_feed_bytes=self.settings.max_robots_bytes)
        self._robots: dict[str, _Robots] = {}
        self._next_turn: dict[str, float] = {}
        self._pages: OrderedDict[str, _Remembered] = OrderedDict()
        self._stop = threading.Event()
        self.wait = wait or self._stop.wait  # True when stopped while waiting

    def stop(self) -> None:
        """End any wait for a host's turn now (the entry then keeps its summary)."""
        self._stop.set()

    def for_entry(self, link: str | None) -> FullText:
        """The linked page's article, or a warning saying why the entry keeps its own text."""
        if not link:
            return FullText(warning=_warning("the entry has no link"))
        try:
            return FullText(page=self.get(link))
        except PageUnavailable as exc:
            log.info("page not used", extra={"url": link, "reason": str(exc)})
            return FullText(warning=_warning(str(exc)))
        except Exception as exc:  # whatever breaks on the page, the entry is not lost
            log.warning("page failed", extra={"url": link, "error": repr(exc)})
            return FullText(warning=_warning(f"{type(exc).__name__}: {exc}"))

    def get(self, url: str) -> PageArticle:
        """The article of the page at `url`, or PageUnavailable with the reason."""
        remembered = self._pages.get(url)
        try:
            fetched = fetch(
                self.client,
                url,
                etag=remembered.etag if remembered else None,
                last_modified=remembered.last_modified if remembered else None,
                settings=self._page_fetch,
                check_url=self._before_page_request,
                accept=_PAGE_ACCEPT,
            )
        except (FeedError, httpx.HTTPError) as exc:
            raise PageUnavailable(str(exc)) from None
        if fetched.status == 304 and remembered is not None:
            self._pages.move_to_end(url)
            return remembered.article
        content_type = fetched.content_type.split(";")[0].strip().lower()
        if content_type not in _HTML_TYPES and not (
            not content_type and looks_like_html(fetched.content)
        ):
            raise PageUnavailable(
                f"{fetched.url} is not an HTML page ({content_type or 'no type'})"
            )
        try:
            article = extract_article(fetched.content, url=fetched.url, settings=self.html)
        except ExtractionError as exc:
            raise PageUnavailable(f"{fetched.url}: {exc}") from None
        if fetched.etag or fetched.last_modified:
            self._pages[url] = _Remembered(fetched.etag, fetched.last_modified, article)
            self._pages.move_to_end(url)
            while len(self._pages) > self.settings.remember_validators:
                self._pages.popitem(last=False)
        return article

    def _before_page_request(self, url: str) -> None:
        """Called by `fetch` before the page request and before each redirect hop."""
        self.check_url(url)
        refusal = self._robots_for(url).refusal(url)
        if refusal:
            raise PageUnavailable(refusal)
        self._take_turn(url)

    def _before_robots_request(self, url: str) -> None:
        self.check_url(url)
        self._take_turn(url)

    def _robots_for(self, url: str) -> _Robots:
        host = host_of(url)
        cached = self._robots.get(host)
        if cached is not None and cached.expires > self.clock():
            return cached
        robots = self._fetch_robots(host)
        self._robots[host] = robots
        return robots

    def _fetch_robots(self, host: str) -> _Robots:
        try:
            fetched = fetch(
                self.client,
                f"{host}/robots.txt",
                settings=self._robots_fetch,
                check_url=self._before_robots_request,
                accept=_ROBOTS_ACCEPT,
            )
        except (FeedError, httpx.HTTPError) as exc:
            status = getattr(exc, "status", None)
            if status is not None and 400 <= status < 500 and status != 429:
                return _Robots(None, None, self.clock() + self.settings.robots_ttl_s)
            reason = f"robots.txt of {host} could not be read ({exc}); the host is skipped"
            return _Robots(None, reason, self.clock() + self.settings.robots_retry_s)
        parser = Protego.parse(fetched.content.decode("utf-8", "replace"))
        return _Robots(parser, None, self.clock() + self.settings.robots_ttl_s)

    def _take_turn(self, url: str) -> None:
        """Wait until the host may be asked again; then book its next turn."""
        host = host_of(url)
        robots = self._robots.get(host)
        interval = max(self.settings.per_host_interval_s, robots.crawl_delay() if robots else 0.0)
        now = self.clock()
        turn = self._next_turn.get(host, now)
        if turn > now and self.wait(turn - now):
            raise PageUnavailable("the connector is stopping")
        self._next_turn[host] = max(turn, now) + interval


def _warning(reason: str) -> str:
    return f"full text not fetched: {reason}; the body is the feed's own text"
