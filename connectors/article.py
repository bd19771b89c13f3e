"""Article ids and `wire.article.v1` records: the one place a connector's output is shaped.

`article_id` is the Kafka key and the Elasticsearch `_id`, so a re-sent article updates its
document instead of duplicating it. `build_article` turns parsed fields into a schema-valid record
or raises `ParseError` with a message a human can act on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from connectors.errors import MalformedInput, ParseError
from connectors.headline import derive_headline
from connectors.text import clean_line, clean_text, language_tag, parse_datetime
from pipeline.contracts import schemas
from pipeline.contracts.schemas import SchemaError
from pipeline.contracts.timestamps import utc_now

FORMATS = ("plaintext", "ninjs", "newsml-g2", "jsonl", "rss", "http", "wire.article.v1", "html")
BODY_SOURCES = ("feed", "page")
MAX_WARNINGS = 20  # schemas/wire.article.v1.json warnings.maxItems
__all__ = ["MalformedInput", "ParseError", "article_id", "build_article", "normalise_url"]
MAX_BODY_CHARS = 2_000_000  # schemas/wire.article.v1.json body.maxLength
# revision = source version x REVISION_SPAN + receive time in ms (see `compose_revision`).
REVISION_SPAN = 10**13  # ms until the year 2286
MAX_SOURCE_VERSION = (2**63 - 1) // REVISION_SPAN - 1  # Elasticsearch versions are signed longs
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000  # a receive time later than now + this counts as now
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalise_url(url: str) -> str:
    """The same page under cosmetic URL differences maps to one string.

    Lower-cased scheme and host, default port, fragment, tracking parameters and a trailing slash
    do not make a different article.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port is not None and str(parts.port) != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING_PARAMS)
        )
    )
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((scheme, host, path, query, ""))


def normalise_body(body: str) -> str:
    """Whitespace folded and case folded: re-keyed or re-wrapped copy keeps its id."""
    return " ".join(body.split()).casefold()


def article_id(
    source: str, guid: str | None = None, url: str | None = None, body: str | None = None
) -> str:
    """32 hex characters: sha256 of source + guid, else source + normalised URL, else the body."""
    if guid and guid.strip():
        material = f"{source}\x1fguid\x1f{guid.strip()}"
    elif url and url.strip():
        material = f"{source}\x1furl\x1f{normalise_url(url)}"
    elif body and body.strip():
        material = f"body\x1f{normalise_body(body)}"
    else:
        raise ParseError("cannot identify the article: no guid, no url and no body")
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def parse_revision(value: object) -> int | None:
    """A source version (`3`, `"3"`) as a non-negative integer, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value.strip())
    return None


def build_article(
    *,
    source: str,
    body: str,
    fmt: str,
    guid: str | None = None,
    url: str | None = None,
    headline: str | None = None,
    byline: str | None = None,
    language: str | None = None,
    published_at: object = None,
    revision: object = None,
    subjects: list[str] | None = None,
    targets: list[str] | None = None,
    received_at: str | None = None,
    body_source: str | None = None,
    warnings: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A validated `wire.article.v1` record, or ParseError naming what is wrong.

    `body_source` says where the body came from (`feed`: the entry itself, `page`: extracted
    from the article's web page); `warnings` are what went wrong on the way without costing
    the article (e.g. the page could not be fetched, so the body is the feed's summary; or
    what decoding and the loose JSON reader had to do, `connectors/decoding.py`). Copy
    without a headline gets one derived from it (`connectors/headline.py`), marked
    `headline_derived: true`.
    """
    body = clean_text(body or "")
    if not body:
        raise ParseError("the article has an empty body")
    if len(body) > MAX_BODY_CHARS:
        raise ParseError(f"the body has {len(body):,} characters; the limit is {MAX_BODY_CHARS:,}")
    source = clean_line(source) or ""
    if not source:
        raise ParseError("the article has no source")
    guid = clean_line(guid)
    url = clean_line(url)
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        url = None  # a guid like urn:... is not a link; keep the field honest
    received_at = received_at or utc_now()
    headline = _truncate(clean_line(headline), 2000)
    derived = None
    if headline is None:
        headline = derived = _truncate(clean_line(derive_headline(body)), 2000)
    record: dict[str, Any] = {
        "schema": schemas.ARTICLE,
        "id": article_id(source[:512], guid, url, body),
        "source": source[:512],
        "guid": guid,
        "url": url,
        "headline": headline,
        "byline": _truncate(clean_line(byline), 1000),
        "body": body,
        "language": language_tag(language),
        "published_at": parse_datetime(published_at),
        "received_at": received_at,
        "format": fmt,
        "revision": compose_revision(revision, received_at),
    }
    if subjects:
        record["subjects"] = _unique([(clean_line(s) or "")[:500] for s in subjects])[:200]
    if targets:
        record["targets"] = _unique([(clean_line(t) or "")[:500] for t in targets])[:50]
    if body_source is not None:
        record["body_source"] = body_source
    if derived:
        record["headline_derived"] = True
    if warnings:
        record["warnings"] = _unique([(clean_line(w) or "")[:1000] for w in warnings])[
            :MAX_WARNINGS
        ]
    check_article(record)
    return record


def check_article(record: Any) -> None:
    """Schema validation as a ParseError (the connectors' one error type)."""
    try:
        schemas.validate(schemas.ARTICLE, record)
    except SchemaError as exc:
        raise ParseError(str(exc)) from None


def compose_revision(version: object, received_at: str | None = None) -> int:
    """The article's revision: source version first, receive time (ms) second.

    `version * REVISION_SPAN + received_ms`, version 0 when the source has none. One rule for
    versioned and unversioned sources, so the Elasticsearch guard (`external_gte`) compares
    like with like: a higher source version always wins, an unversioned copy never beats a
    versioned one, and among equal versions the later receipt wins. (Version alone would let
    an unversioned copy, revision = receive time, refuse every later `version: 3`.) Versions
    above MAX_SOURCE_VERSION count as that. A value already at least REVISION_SPAN is a
    composed revision (a `wire.article.v1` record passing through) and is kept, bounded
    (`bound_revision`).
    """
    parsed = parse_revision(version)
    if parsed is not None and parsed >= REVISION_SPAN:
        return bound_revision(parsed)
    return min(parsed or 0, MAX_SOURCE_VERSION) * REVISION_SPAN + _epoch_ms(received_at)


def bound_revision(revision: int, now_ms: int | None = None) -> int:
    """A composed revision with its version at most MAX_SOURCE_VERSION and its receive time at
    most now (+ MAX_CLOCK_SKEW_MS): a record cannot claim a revision no real one can beat."""
    now_ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    version, ms = divmod(max(0, revision), REVISION_SPAN)
    return min(version, MAX_SOURCE_VERSION) * REVISION_SPAN + min(ms, now_ms + MAX_CLOCK_SKEW_MS)


def _epoch_ms(timestamp: str | None) -> int:
    if timestamp:
        try:
            moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            ms = int(moment.timestamp() * 1000)
            if 0 <= ms <= time.time_ns() // 1_000_000 + MAX_CLOCK_SKEW_MS:
                return ms
        except (ValueError, OverflowError):
            pass
    return time.time_ns() // 1_000_000


def _truncate(value: str | None, limit: int) -> str | None:
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
