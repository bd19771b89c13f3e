"""RSS/Atom poller: `RssSource` for `wirestream connect rss URL...`.

Each feed is polled every `interval_s` (or its own interval from `intervals`) with a conditional GET (ETag / Last-Modified). New entries,
and entries whose content changed, become articles (source = the feed URL, guid = the entry id or
link, so an updated entry keeps its article id). What was sent (entry id -> content hash, at most
`remember_entries` per feed) and the validators are the source's snapshot, persisted by the runner
after Kafka acknowledged, so restarts neither resend nor lose entries. A feed that fails (HTTP
error, timeout, HTML instead of a feed, refused XML) is logged and retried at its next interval.

An entry whose own text is short (a teaser) gets the article of its linked page instead
(`connectors.pagefetch`: robots.txt, per-host pacing, conditional GET, the SSRF guard);
`body_source` records which (`feed` or `page`). When the page cannot be had, the entry goes out
with its own text and a warning on the record, never as a dead letter. The page is fetched when
the entry is new or changed, not again for a page that changes later.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import feedparser
import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from feedparser.encodings import convert_to_utf8

from connectors.article import ParseError, build_article
from connectors.base import Source
from connectors.feedfetch import FeedError, check_scheme, fetch
from connectors.formats import ParseResult
from connectors.pagefetch import FullText, PageFetcher
from connectors.settings import PageFetchSettings, RssSettings
from connectors.ssrf import guarded_client
from connectors.text import html_to_text

log = logging.getLogger(__name__)
DEFAULT_PAGES = object()  # RssSource(pages=...) not given: a PageFetcher per the settings


_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def screen_feed(content: bytes, feed_url: str, content_type: str = "") -> bytes:
    """The feed as the UTF-8 bytes feedparser will parse, checked for entity tricks.

    The check runs on what feedparser will actually read, not on the raw bytes: feedparser
    transcodes first (shift_jis, euc-jp, big5, utf-7, EBCDIC ... which expat cannot read), so a
    check of the raw bytes could fail for the encoding alone and wave the feed through. Any
    entity declaration is refused, well-formed or not (feedparser's lenient parser expands the
    document's own declarations without a limit).
    """
    headers = {"content-location": feed_url, "content-type": content_type}
    try:
        converted = convert_to_utf8(headers, content, {})
    except Exception as exc:  # any failure to decode is a refusal
        raise FeedError(f"{feed_url}: refused feed (cannot decode: {type(exc).__name__})") from None
    if not isinstance(converted, bytes):
        raise FeedError(f"{feed_url}: refused feed (unknown character encoding)")
    try:
        fromstring(converted, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(f"{feed_url}: refused XML ({exc.__class__.__name__})") from None
    except Exception:
        # Not well-formed: feedparser's lenient parser may still read it, unless it declares
        # entities (that parser would expand them).
        if _ENTITY_DECLARATION.search(converted):
            raise FeedError(f"{feed_url}: refused XML (entity declaration)") from None
    return converted


def parse_feed(content: bytes, feed_url: str, content_type: str = "") -> Any:
    """feedparser's result for feed bytes; FeedError for HTML pages and entity tricks."""
    head = content[:1024].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
        raise FeedError(f"{feed_url} returned an HTML page, not a feed")
    # feedparser's own parsers are not hardened: they see only the screened UTF-8 bytes (with
    # the declaration rewritten to utf-8, so feedparser does not transcode a second time).
    screened = screen_feed(content, feed_url, content_type)
    parsed = feedparser.parse(
        io.BytesIO(screened),
        response_headers={"content-location": feed_url, "content-type": _utf8(content_type)},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom content"
        raise FeedError(f"{feed_url} is not a feed: {reason}")
    return parsed


def _utf8(content_type: str) -> str:
    """The content type with its charset replaced by utf-8 (the screened bytes are UTF-8)."""
    media = content_type.split(";", 1)[0].strip()
    return f"{media}; charset=utf-8" if media else ""


def entry_key(entry: Any) -> str | None:
    """The entry's identity within its feed: id/guid, else link, else title."""
    for field in ("id", "link", "title"):
        value = entry.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def entry_fingerprint(entry: Any) -> str:
    """Changes when the entry's content changes (the article is then sent again)."""
    parts = [str(entry.get(f, "")) for f in ("title", "summary", "updated", "published")]
    parts += [str(c.get("value", "")) for c in entry.get("content", [])]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:16]


def entry_to_article(
    entry: Any, feed_url: str, language: str | None = None, pages: PageFetcher | None = None
) -> dict[str, Any]:
    """The entry as an article; a short entry gets its linked page's article when `pages`."""
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "")
    body = html_to_text(html or "")
    headline = html_to_text(entry.get("title", "")) or None
    full = FullText()
    if pages is not None and len(body) < pages.settings.min_feed_chars:
        full = pages.for_entry(entry.get("link") or None)
    page = full.page
    if page is None and full.warning and not body:
        body = headline or ""  # a title-only entry whose page failed still goes out
    authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
    return build_article(
        source=feed_url,
        guid=entry.get("id") or None,
        url=entry.get("link") or None,
        headline=headline or (page.headline if page else None),
        byline=", ".join(authors) or entry.get("author") or (page.byline if page else None),
        body=page.body if page else body,
        language=entry.get("language") or (page.language if page else None) or language,
        published_at=entry.get("published")
        or entry.get("updated")
        or (page.published_at if page else None),
        subjects=[t.get("term") for t in entry.get("tags", []) if t.get("term")],
        fmt="rss",
        body_source="page" if page else "feed",
        warnings=[full.warning] if full.warning else None,
    )


class RssSource(Source):
    """Polls feeds; each poll that brings new or changed entries is one batch."""

    name = "rss"

    def __init__(
        self,
        feeds: list[str],
        settings: RssSettings | None = None,
        interval_s: float | None = None,
        intervals: dict[str, float] | None = None,
        once: bool = False,
        client: httpx.Client | None = None,
        check_url: Callable[[str], None] = check_scheme,
        pages: PageFetcher | object | None = DEFAULT_PAGES,
    ) -> None:
        self.settings = settings or RssSettings()
        self.feeds = list(dict.fromkeys([*feeds, *(intervals or {})]))
        self.interval_s = interval_s if interval_s is not None else self.settings.interval_s
        self.intervals = dict(intervals or {})
        self.once = once
        # The SSRF guard (connectors.ssrf) checks every request and redirect hop.
        self.client = client or guarded_client(
            self.settings.allow_private, allow_networks=self.settings.allow_networks
        )
        self.check_url = check_url
        # Short entries get their linked page (connectors.pagefetch), through the same client.
        if pages is DEFAULT_PAGES:
            page_settings = PageFetchSettings()
            pages = (
                PageFetcher(self.client, page_settings, check_url=check_url)
                if page_settings.enabled
                else None
            )
        self.pages: PageFetcher | None = pages  # type: ignore[assignment]
        self.state: dict[str, dict[str, Any]] = {}
        self.due: dict[str, float] = dict.fromkeys(self.feeds, 0.0)
        self._stop = threading.Event()

    def snapshot(self) -> dict[str, Any]:
        return {
            "feeds": {url: dict(s, entries=dict(s["entries"])) for url, s in self.state.items()}
        }

    def resume(self, state: dict[str, Any]) -> None:
        feeds = state.get("feeds") if isinstance(state.get("feeds"), dict) else {}
        self.state = {
            url: {
                "etag": feed.get("etag"),
                "last_modified": feed.get("last_modified"),
                "entries": dict(feed.get("entries") or {}),
            }
            for url, feed in feeds.items()
            if isinstance(feed, dict)
        }

    def stop(self) -> None:
        self._stop.set()
        if self.pages is not None:
            self.pages.stop()

    def close(self) -> None:
        self.client.close()

    def poll(self, feed_url: str) -> list[ParseResult]:
        """One conditional GET of one feed; the results of its new or changed entries."""
        feed = self.state.setdefault(feed_url, {"etag": None, "last_modified": None, "entries": {}})
        fetched = fetch(
            self.client,
            feed_url,
            etag=feed["etag"],
            last_modified=feed["last_modified"],
            settings=self.settings,
            check_url=self.check_url,
        )
        if fetched.status == 304:
            log.info("feed not modified", extra={"feed": feed_url})
            return []
        parsed = parse_feed(fetched.content, feed_url, fetched.content_type)
        language = parsed.get("feed", {}).get("language")
        results: list[ParseResult] = []
        for number, entry in enumerate(parsed.entries, start=1):
            key = entry_key(entry)
            fingerprint = entry_fingerprint(entry)
            if key is not None and feed["entries"].get(key) == fingerprint:
                continue
            origin = f"{feed_url}#{key or number}"
            try:
                article = entry_to_article(entry, feed_url, language, self.pages)
                results.append(ParseResult(origin, article=article))
            except ParseError as exc:
                results.append(ParseResult(origin, error=exc, raw=_raw(entry)))
            if key is not None:
                feed["entries"].pop(key, None)
                feed["entries"][key] = fingerprint  # most recent last, for trimming
        excess = len(feed["entries"]) - self.settings.remember_entries
        for key in list(feed["entries"])[: max(0, excess)]:
            del feed["entries"][key]
        feed["etag"], feed["last_modified"] = fetched.etag, fetched.last_modified
        log.info(
            "feed polled",
            extra={"feed": feed_url, "entries": len(parsed.entries), "new": len(results)},
        )
        return results

    def batches(self) -> Iterator[list[ParseResult]]:
        while not self._stop.is_set():
            for feed_url in self.feeds:
                if self._stop.is_set() or self.due[feed_url] > time.monotonic():
                    continue
                interval = self.intervals.get(feed_url, self.interval_s)
                self.due[feed_url] = time.monotonic() + interval
                try:
                    results = self.poll(feed_url)
                except Exception as exc:  # one broken feed must not stop the others
                    log.warning(
                        "feed failed; retrying at the next interval",
                        extra={"feed": feed_url, "error": f"{type(exc).__name__}: {exc}"},
                    )
                    continue
                yield results
            if self.once:
                return
            wait = min(self.due.values()) - time.monotonic()
            self._stop.wait(max(0.05, min(wait, 1.0)))


def _raw(entry: Any) -> bytes:
    import orjson

    return orjson.dumps(entry, default=str)
