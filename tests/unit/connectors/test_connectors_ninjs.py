from __future__ import annotations

import orjson
import pytest

from connectors.article import REVISION_SPAN, ParseError
from connectors.formats import jsonl, ninjs


def test_ninjs_1_item_maps_headline_byline_html_body_subjects_and_version(fixtures) -> None:
    [article] = jsonl.parse_document(
        (fixtures / "ninjs" / "ninjs-1.json").read_bytes(), source="wire"
    )
    assert article["guid"] == "urn:newsml:example.org:20041117:cricket-brisbane"
    assert article["headline"] == "Australians talk tough ahead of Brisbane test match"
    assert article["byline"] == "Wikinews"
    assert article["revision"] // REVISION_SPAN == 2  # source version first
    assert article["language"] == "en"
    assert article["published_at"] == "2004-11-16T22:00:00Z"
    assert article["subjects"] == ["medtop:15000000", "medtop:15017000"]
    assert article["format"] == "ninjs"
    assert article["body"].startswith("BRISBANE (Wikinews) — The Australian cricket team")
    assert '"It\'s just history repeating itself"' in article["body"]
    assert "alert" not in article["body"] and "<p>" not in article["body"]


def test_ninjs_2_item_uses_main_headline_bodies_bylines_and_subject_uris(fixtures) -> None:
    [article] = jsonl.parse_document(
        (fixtures / "ninjs" / "ninjs-2.json").read_bytes(), source="wire"
    )
    assert article["headline"] == "Brazilian delegation returns from Arafat funeral"
    assert article["byline"] == "Wikinews staff"
    assert article["url"] == "https://news.example.org/2004/11/13/brazilian-delegation"
    assert article["subjects"] == ["medtop:11000000"]
    assert article["language"] == "en-GB"
    assert article["body"].startswith("The delegation representing Brazil")


def test_ninjs_without_body_is_refused() -> None:
    with pytest.raises(ParseError, match="no body"):
        ninjs.to_article({"uri": "urn:x", "headline": "Only a headline"}, source="s")


def test_ninjs_html_body_in_bodies_becomes_text() -> None:
    item = {
        "uri": "urn:x",
        "bodies": [{"contenttype": "text/html", "value": "<p>One</p><p>Two &amp; three</p>"}],
    }
    assert ninjs.to_article(item, source="s")["body"] == "One\nTwo & three"


def test_json_array_gives_one_result_per_item() -> None:
    data = orjson.dumps([{"uri": "urn:1", "body_text": "a"}, {"uri": "urn:2"}])
    results = jsonl.parse_document(data, source="s")
    assert isinstance(results[0], dict)
    assert isinstance(results[1], ParseError)


def test_wire_article_record_passes_through_unchanged() -> None:
    record = {
        "schema": "wire.article.v1",
        "id": "0" * 32,
        "source": "s",
        "body": "b",
        "received_at": "2026-01-01T00:00:00Z",
    }
    assert jsonl.parse_document(orjson.dumps(record), source="x") == [record]


def test_schema_invalid_wire_article_is_refused_with_the_violation() -> None:
    record = {"schema": "wire.article.v1", "id": "NOT-HEX", "source": "s", "body": "b"}
    [error] = jsonl.parse_document(orjson.dumps(record), source="x")
    assert isinstance(error, ParseError)
    assert "id" in str(error)


def test_unknown_record_schema_is_refused() -> None:
    [error] = jsonl.parse_document(b'{"schema": "news.enriched.v1", "body": "b"}', source="x")
    assert "unsupported record schema" in str(error)
