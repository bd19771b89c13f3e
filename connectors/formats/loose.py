"""The loose article shape: a JSON object with whatever key names a newsroom's tools write.

One reader for every way in (HTTP push, `ingest`, `watch`, `enrich`; JSON documents, arrays
and JSON lines), so a row accepted by one is accepted by all. Each field has a list of
accepted names (`FIELDS`, also published in `schemas/openapi.json`, served at `GET /openapi.json`); the first one present
with a usable value wins, in the listed order. Keys also match ignoring case, `_` and `-`
(`PubDate`, `published-at`, `publishedAt` are `pubDate` / `published_at`).

Values may be nested the way CMS exports nest them: authors as a list of strings or of
`{"name": ...}` objects, `{"rendered": "<p>..."}` (WordPress), `{"href": ...}` links, a
`{"name": ...}` source, an HTML body from a CMS (opens and closes a block element: read as
text), MongoDB's `{"$date": ...}` and `{"$oid": ...}`. A body of the wrong type refuses the article with a message naming the
key ("body must be a string, got a list"); any other field of the wrong type is left out and
noted in the record's `warnings` (such rows were accepted before, without the field).

ninjs and `wire.article.v1` are decided by their own keys (`connectors/formats/jsonl.py`); a
ninjs item falls back on these names for what its own keys do not give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.article import ParseError, build_article
from connectors.dates import parse_date
from connectors.decoding import warning
from connectors.text import html_to_text

FIELDS: dict[str, tuple[str, ...]] = {
    "headline": ("title", "headline"),
    "body": ("text", "body", "content", "body_text", "description", "articleBody"),
    "url": ("url", "link"),
    "guid": ("guid", "id"),
    "published_at": (
        "date", "published_at", "pubDate", "published", "publishedAt", "datePublished",
    ),
    "byline": ("byline", "author", "authors"),
    "language": ("language", "lang", "inLanguage"),
    "source": ("source",),
    "revision": ("revision", "version"),
    "subjects": ("subjects",),
    "targets": ("targets",),
}  # fmt: skip
# Bodies in HTML, read only when none of the plain-text names gave one.
HTML_BODY_FIELDS = ("body_html", "content_html", "html")
# `{"articles": [...]}` and the like: an envelope around the articles (NewsAPI, JSON Feed).
ENVELOPES = ("articles", "items", "entries", "stories", "data", "results", "documents")
# `{"article": {...}}` and the like: one article wrapped in an object.
WRAPPERS = (
    "article", "item", "entry", "story", "post", "data", "document", "doc", "record", "payload",
    "_source",
)  # fmt: skip
_RENDERED = ("rendered", "value", "text", "#text", "content")
_NAMES = ("name", "byline", "display_name", "displayName", "full_name", "title")
# A CMS export's HTML body: opens with a block element and closes one. Plain copy that merely
# mentions `<` is left alone. `\A`: only ever tried at the start (a search elsewhere would scan
# to the end from every `<p>`; tests/unit/security/test_regex_redos.py).
_HTML_BODY = re.compile(
    r"\A\s*<(?:p|div|article|section|h[1-6]|ul|ol|table|blockquote|figure|span)\b[^>]*>"
    r"(?=.*</(?:p|div|article|section|h[1-6]|ul|ol|table|blockquote|figure|span)>)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_HINT = re.compile(r"</?(?:p|br|div|span|a|em|strong|b|i|h[1-6]|ul|li)\b[^>]*>", re.I)


@dataclass
class LooseFields:
    """What the loose names gave; `body_error` when a body key held the wrong type."""

    headline: str | None = None
    body: str | None = None
    url: str | None = None
    guid: str | None = None
    published_at: str | None = None
    byline: str | None = None
    language: str | None = None
    source: str | None = None
    revision: object = None
    subjects: list[str] | None = None
    targets: list[str] | None = None
    body_error: str | None = None
    warnings: list[str] = field(default_factory=list)


def accepted_shapes() -> str:
    """One sentence naming what a JSON request may hold (for 422 answers and errors)."""
    return (
        "accepted: a JSON object or an array of them (or JSON lines), each with a body in one of "
        f"{', '.join(FIELDS['body'])} and optionally {', '.join(FIELDS['headline'])}, "
        f"{', '.join(FIELDS['url'])}, {', '.join(FIELDS['guid'])}, "
        f"{', '.join(FIELDS['published_at'][:4])}, {', '.join(FIELDS['byline'])}, "
        f"{', '.join(FIELDS['language'][:2])}, source; a ninjs item (uri, body_text, body_html, "
        'bodies, headlines, versioncreated); a wire.article.v1 record ("schema": '
        '"wire.article.v1"); NewsML-G2 XML. See GET /openapi.json'
    )


def unwrap(doc: Any) -> list[Any] | None:
    """The articles inside an envelope (`{"articles": [...]}`, `{"article": {...}}`), else None."""
    if not isinstance(doc, dict) or _has_body_key(doc):
        return None
    for name in ENVELOPES:
        value = doc.get(name)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value
    for name in WRAPPERS:
        value = doc.get(name)
        if isinstance(value, dict) and _has_body_key(value):
            return [value]
    return None


def read(obj: dict[str, Any]) -> LooseFields:
    """The loose fields of one object; never raises (a bad body is `body_error`)."""
    keys = _KeyIndex(obj)
    out = LooseFields()
    out.headline = _first_text(keys, "headline", out, _rendered_text)
    out.body, out.body_error = _body(keys, out)
    out.url = _first_text(keys, "url", out, _link)
    out.guid = _first_text(keys, "guid", out, _scalar)
    out.byline = _first_text(keys, "byline", out, _names)
    out.language = _first_text(keys, "language", out, _string)
    out.source = _first_text(keys, "source", out, _source)
    out.published_at = _date(keys, out)
    revision = keys.first("revision")
    out.revision = revision[1] if revision else None
    out.subjects = _strings(keys.first("subjects"))
    out.targets = _strings(keys.first("targets"))
    return out


def to_article(
    obj: dict[str, Any],
    *,
    source: str,
    fmt: str,
    warnings: Sequence[str] = (),
) -> dict[str, Any]:
    """A `wire.article.v1` record from a loose object, or ParseError saying what is missing."""
    fields = read(obj)
    if fields.body is None:
        raise ParseError(fields.body_error or no_body_message())
    return build_article(
        source=fields.source or source,
        guid=fields.guid,
        url=fields.url,
        headline=fields.headline,
        byline=fields.byline,
        body=fields.body,
        language=fields.language,
        published_at=fields.published_at,
        revision=fields.revision,
        subjects=fields.subjects,
        targets=fields.targets,
        fmt=fmt,
        warnings=[*warnings, *fields.warnings],
    )


def no_body_message() -> str:
    return (
        "not an article: no body (a string in one of "
        f"{', '.join(FIELDS['body'])}); {accepted_shapes()}"
    )


class _KeyIndex:
    """Exact key names first, then names compared without case, `_` and `-`."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj
        self.folded: dict[str, str] = {}
        for key in obj:
            if isinstance(key, str):
                self.folded.setdefault(_fold(key), key)

    def present(self, name: str) -> tuple[str, Any] | None:
        if name in self.obj:
            return name, self.obj[name]
        key = self.folded.get(_fold(name))
        return (key, self.obj[key]) if key is not None else None

    def all(self, field_name: str) -> list[tuple[str, Any]]:
        found = [self.present(name) for name in FIELDS[field_name]]
        seen: set[str] = set()
        out = []
        for item in found:
            if item is not None and item[0] not in seen and item[1] is not None:
                seen.add(item[0])
                out.append(item)
        return out

    def first(self, field_name: str) -> tuple[str, Any] | None:
        found = self.all(field_name)
        return found[0] if found else None


def _fold(name: str) -> str:
    return name.replace("_", "").replace("-", "").replace(" ", "").lower()


def _has_body_key(obj: dict[str, Any]) -> bool:
    keys = _KeyIndex(obj)
    return bool(keys.all("body")) or any(keys.present(n) for n in HTML_BODY_FIELDS)


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _ignored(out: LooseFields, key: str, value: object, expected: str = "a string") -> None:
    message = f"{key} must be {expected}, got {type_name(value)}; ignored"
    out.warnings.append(warning("field_ignored", message))


def _first_text(keys: _KeyIndex, name: str, out: LooseFields, convert: Any) -> str | None:
    """The first accepted key whose value converts to non-blank text; wrong types warned."""
    for key, value in keys.all(name):
        text = convert(value)
        if text is None:
            _ignored(out, key, value, _EXPECTED.get(name, "a string"))
            continue
        if text.strip():
            return text
    return None


def _body(keys: _KeyIndex, out: LooseFields) -> tuple[str | None, str | None]:
    error = None
    for key, value in keys.all("body"):
        text = None if isinstance(value, int | float) else _rendered_text(value)
        if text is None:
            error = error or f"{key} must be a string, got {type_name(value)}"
            continue
        if text.strip():
            return (html_to_text(text) if _HTML_BODY.match(text) else text), None
    for name in HTML_BODY_FIELDS:
        found = keys.present(name)
        if found and isinstance(found[1], str) and found[1].strip():
            return html_to_text(found[1]), None
        if found and found[1] is not None and not isinstance(found[1], str):
            error = error or f"{found[0]} must be a string, got {type_name(found[1])}"
    return None, error


def _date(keys: _KeyIndex, out: LooseFields) -> str | None:
    unread = []
    for key, value in keys.all("published_at"):
        if isinstance(value, dict) and "$date" in value:  # MongoDB extended JSON
            value = value["$date"]
            if isinstance(value, dict):
                value = value.get("$numberLong", value)
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
        unread.append(f"{key} {str(value)[:60]!r}")
    if unread:
        message = (
            f"{'; '.join(unread)}: not a date in a form we read (RFC 3339, RFC 822, plain dates "
            "such as 2026-11-25 or November 25, 2026, Unix time); published_at left empty"
        )
        out.warnings.append(warning("date_unparsed", message))
    return None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _scalar(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict) and isinstance(value.get("$oid"), str):  # MongoDB `_id`
        return value["$oid"]
    return None


def _rendered_text(value: object) -> str | None:
    """A string, or `{"rendered": ...}` (HTML, WordPress) / `{"value": ...}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        for name in _RENDERED:
            inner = value.get(name)
            if isinstance(inner, str):
                return html_to_text(inner) if _HTML_HINT.search(inner) or "&" in inner else inner
    return None


def _link(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("href") or value.get("url")
        return inner if isinstance(inner, str) else None
    if isinstance(value, list):
        links = [v for v in value if isinstance(v, dict | str)]
        alternate = [v for v in links if isinstance(v, dict) and v.get("rel") == "alternate"]
        for candidate in alternate + links:
            found = _link(candidate)
            if found:
                return found
    return None


def _names(value: object) -> str | None:
    """A byline from a string, a `{"name": ...}` object, or a list of either."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for name in _NAMES:
            inner = value.get(name)
            if isinstance(inner, str) and inner.strip():
                return inner
        return None
    if isinstance(value, list):
        names = [_names(v) for v in value if not isinstance(v, list)]
        joined = ", ".join(n.strip() for n in names if n and n.strip())
        return joined if joined or not value else None
    return None


def _source(value: object) -> str | None:
    if isinstance(value, dict):
        for name in ("name", "id", "title", "url"):
            inner = value.get(name)
            if isinstance(inner, str) and inner.strip():
                return inner
        return None
    return _scalar(value)


def _strings(found: tuple[str, Any] | None) -> list[str] | None:
    if found is None or not isinstance(found[1], list):
        return None
    return [v for v in found[1] if isinstance(v, str)]


_EXPECTED = {
    "byline": "a string, a list of names or of {name} objects",
    "url": "a string or a {href} object",
    "source": "a string or a {name} object",
    "headline": "a string",
}
