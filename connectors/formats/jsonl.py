"""JSON documents and JSON lines to articles.

A JSON object is one of: a `wire.article.v1` record (only when `"schema": "wire.article.v1"`
says so), a ninjs item (only when ninjs's own keys say so: `connectors/formats/ninjs.py`), or
the loose shape every connector accepts (`connectors/formats/loose.py`: `headline`/`title`,
`body`/`text`/`content`/..., and so on). A document may be one object, an array of objects, or
an envelope such as `{"articles": [...]}`.

Bytes are decoded by `connectors/decoding.py` (UTF-8, BOM dropped, else repaired or detected);
what it had to do goes into each article's `warnings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from connectors.article import MalformedInput, ParseError, build_article, check_article
from connectors.decoding import decode_text
from connectors.formats import loose, ninjs
from pipeline.contracts.timestamps import utc_now

Warnings = Sequence[str]


def loads(data: bytes | str, what: str = "the JSON") -> Any:
    return loads_with_warnings(data, what)[0]


def loads_with_warnings(data: bytes | str, what: str = "the JSON") -> tuple[Any, Warnings]:
    """The parsed JSON and the decoding warnings (MalformedInput for binary or broken JSON)."""
    decoded = decode_text(data, what)
    try:
        return orjson.loads(decoded.text), decoded.warnings
    except orjson.JSONDecodeError as exc:
        raise MalformedInput(f"{what} is not valid JSON: {exc}") from None


def parse_document(data: bytes | str, *, source: str) -> list[dict[str, Any] | ParseError]:
    """A `.json` document: one object, an array of objects, or an envelope (one result each)."""
    doc, warnings = loads_with_warnings(data, "the JSON document")
    items = doc if isinstance(doc, list) else loose.unwrap(doc) or [doc]
    if not items:
        raise ParseError(f"the JSON document is an empty array; {loose.accepted_shapes()}")
    results: list[dict[str, Any] | ParseError] = []
    for item in items:
        try:
            results.append(object_to_article(item, source=source, fmt="ninjs", warnings=warnings))
        except ParseError as exc:
            results.append(exc)
    return results


def parse_line(line: bytes | str, *, source: str) -> dict[str, Any]:
    """One JSON line holding one article (a wrapper such as `{"payload": {...}}` included)."""
    obj, warnings = loads_with_warnings(line, "the line")
    wrapped = loose.unwrap(obj)
    if wrapped is not None and len(wrapped) == 1:
        obj = wrapped[0]
    return object_to_article(obj, source=source, fmt="jsonl", warnings=warnings)


def parse_line_items(line: bytes | str, *, source: str) -> list[dict[str, Any] | ParseError]:
    """One JSON line: an article, or an array or envelope of them (one result each)."""
    obj, warnings = loads_with_warnings(line, "the line")
    items = obj if isinstance(obj, list) else loose.unwrap(obj) or [obj]
    if not items:
        raise ParseError(f"the line is an empty array; {loose.accepted_shapes()}")
    results: list[dict[str, Any] | ParseError] = []
    for item in items:
        try:
            results.append(object_to_article(item, source=source, fmt="jsonl", warnings=warnings))
        except ParseError as exc:
            results.append(exc)
    return results


def object_to_article(
    obj: Any, *, source: str, fmt: str, warnings: Warnings = ()
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ParseError(
            f"expected a JSON object, got {loose.type_name(obj)}; {loose.accepted_shapes()}"
        )
    if obj.get("schema") == "wire.article.v1":
        return wire_article(obj, warnings)
    if isinstance(obj.get("schema"), str):
        raise ParseError(f"unsupported record schema {obj['schema'][:100]!r}")
    if ninjs.looks_like_ninjs(obj):
        return ninjs.to_article(obj, source=source, fallback=loose.read(obj), warnings=warnings)
    return loose.to_article(
        obj, source=source, fmt="jsonl" if fmt == "jsonl" else "ninjs", warnings=warnings
    )


def wire_article(obj: dict[str, Any], warnings: Warnings = ()) -> dict[str, Any]:
    """A record already in our schema: filled in where it may be (id, received_at), validated."""
    record = dict(obj)
    record.setdefault("received_at", utc_now())
    if warnings:
        kept = record.get("warnings") if isinstance(record.get("warnings"), list) else []
        record["warnings"] = [*kept, *warnings][:20]
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
            warnings=record.get("warnings"),
        )
    check_article(record)
    return record


def _str(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _strings(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, str)]
