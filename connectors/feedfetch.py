"""Fetching one feed over HTTP with conditional GET, timeouts and a response size cap.

Only http and https (also after redirects). `check_url` is the hook for issue 7's SSRF guard: it
is called with every URL before a request is made to it (the first and each redirect target).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from connectors.settings import RssSettings


class FeedError(RuntimeError):
    """The feed could not be fetched or is not a feed; retried at the next interval.

    `status` is the HTTP status when the server answered with one other than 200/304.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when the feed did not change
    content: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    url: str = ""


def check_scheme(url: str) -> None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FeedError(f"refusing {url!r}: only http and https feeds are fetched")


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    settings: RssSettings | None = None,
    check_url: Callable[[str], None] = check_scheme,
    accept: str | None = None,
) -> Fetched:
    """GET the feed, sending If-None-Match / If-Modified-Since; redirects followed by hand.

    Also fetches article pages and robots.txt (`connectors.pagefetch`), with their `accept`.
    """
    settings = settings or RssSettings()
    headers = {"User-Agent": settings.user_agent, "Accept": accept or _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(settings.max_redirects + 1):
        check_scheme(url)
        check_url(url)
        try:
            with client.stream("GET", url, headers=headers, timeout=settings.timeout_s) as response:
                if response.is_redirect and response.headers.get("location"):
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code == 304:
                    return Fetched(304, etag=etag, last_modified=last_modified, url=url)
                if response.status_code != 200:
                    raise FeedError(
                        f"{url} answered HTTP {response.status_code}", response.status_code
                    )
                content = _read_capped(response, settings.max_feed_bytes)
                return Fetched(
                    200,
                    content=content,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    content_type=response.headers.get("content-type", ""),
                    url=url,
                )
        except httpx.TimeoutException as exc:
            raise FeedError(f"{url} timed out ({exc.__class__.__name__})") from None
        except httpx.HTTPError as exc:
            raise FeedError(
                f"{url} could not be fetched: {exc.__class__.__name__}: {exc}"
            ) from None
    raise FeedError(f"{url}: more than {settings.max_redirects} redirects")


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1"
)


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FeedError(f"{response.url} is {int(declared):,} bytes; the limit is {limit:,}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FeedError(f"{response.url} is larger than the {limit:,}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
