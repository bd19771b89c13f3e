"""JSON documents and JSON lines to articles.

A JSON object is one of: a `wire.article.v1` record (`"schema": "wire.article.v1"`), a ninjs
item, or a looser row with `id` / `title` / `text` / `url` / `date` (the Wikinews rows) and
optionally `source`, `byline`, `language`, `headline`, `body`, `guid`, `published_at`.
"""

from __future__ import annotations

from typing import Any

import orjson

from connectors.article import MalformedInput, ParseError, build_article, check_article
from connectors.formats import ninjs
from connectors.text import decode_utf8
from pipeline.contracts.timestamps import utc_now


def loads(data: bytes | str, what: str = "the JSON") -> Any:
    if isinstance(data, bytes):
        decode_utf8(data, what)  # a precise message for bad bytes; orjson's is terse
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MalformedInput(f"{what} is not valid JSON: {exc}") from None


def parse_document(data: bytes | str, *, source: str) -> list[dict[str, Any] | ParseError]:
    """A `.json` document: one object, or an array of objects (one result each)."""
    doc = loads(data, "the JSON document")
    items = doc if isinstance(doc, list) else [doc]
    if not items:
        raise ParseError("the JSON document is an empty array")
    results: list[dict[str, Any] | ParseError] = []
    for item in items:
        try:
            results.append(object_to_article(item, source=source, fmt="ninjs"))
        except ParseError as exc:
            results.append(exc)
    return results


def parse_line(line: bytes | str, *, source: str) -> dict[str, Any]:
    """One JSON line."""
    return object_to_article(loads(line, "the line"), source=source, fmt="jsonl")


def object_to_article(obj: Any, *, source: str, fmt: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ParseError(f"expected a JSON object, got {type(obj).__name__}")
    if obj.get("schema") == "wire.article.v1":
        return wire_article(obj)
    if isinstance(obj.get("schema"), str):
        raise ParseError(f"unsupported record schema {obj['schema'][:100]!r}")
    if ninjs.looks_like_ninjs(obj) and not ("text" in obj and "title" in obj):
        return ninjs.to_article(obj, source=source)
    return loose_row(obj, source=source, fmt="jsonl" if fmt == "jsonl" else "ninjs")


def wire_article(obj: dict[str, Any]) -> dict[str, Any]:
    """A record already in our schema: filled in where it may be (id, received_at), validated."""
    record = dict(obj)
    record.setdefault("received_at", utc_now())
    if "id" not in record and isinstance(record.get("source"), str):
        body = record.get("body")
        return build_article(
            source=record["source"],
            body=body if isinstance(body, str) else "",
            guid=_str(record.get("guid")),
            url=_str(record.get("url")),
            headline=_str(record.get("headline")),
            byline=_str(record.get("byline")),
            language=record.get("language"),
            published_at=record.get("published_at"),
            revision=record.get("revision"),
            subjects=_strings(record.get("subjects")),
            targets=_strings(record.get("targets")),
            received_at=record["received_at"],
            fmt=record.get("format")
            if isinstance(record.get("format"), str)
            else "wire.article.v1",
        )
    check_article(record)
    return record


def loose_row(obj: dict[str, Any], *, source: str, fmt: str) -> dict[str, Any]:
    body = obj.get("text", obj.get("body"))
    if not isinstance(body, str):
        raise ParseError(
            "not an article: no string `text` or `body` (expected a ninjs item, a wire.article.v1 "
            "record, or an object with `text`)"
        )
    return build_article(
        source=_str(obj.get("source")) or source,
        guid=_str(obj.get("guid")) or _str(obj.get("id")),
        url=_str(obj.get("url")),
        headline=_str(obj.get("title")) or _str(obj.get("headline")),
        byline=_str(obj.get("byline")) or _str(obj.get("author")),
        body=body,
        language=obj.get("language"),
        published_at=obj.get("date") or obj.get("published_at"),
        revision=obj.get("revision", obj.get("version")),
        subjects=_strings(obj.get("subjects")),
        targets=_strings(obj.get("targets")),
        fmt=fmt,
    )


def _str(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _strings(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, str)]
