"""The loose article shape (connectors/formats/loose.py), as the issue's new user met it."""

from __future__ import annotations

import orjson
import pytest

from connectors.article import ParseError
from connectors.decoding import warning_code
from connectors.formats import iter_lines, jsonl, parse_bytes
from connectors.formats.loose import FIELDS


def _one(obj: object, fmt: str = "json") -> dict:
    data = orjson.dumps(obj)
    if fmt == "jsonl":
        [result] = iter_lines([data], source="s", origin="-")
    else:
        [result] = parse_bytes(data, fmt, source="s")
    assert result.ok, result.error
    return result.article


def test_headline_and_body_is_an_article_not_a_ninjs_item_without_a_body() -> None:
    article = _one({"headline": "Storm hits coast", "body": "A storm hit the coast."})
    assert (article["headline"], article["body"]) == ("Storm hits coast", "A storm hit the coast.")
    assert "headline_derived" not in article


def test_headline_and_body_rows_as_json_lines_are_accepted() -> None:
    data = b'{"headline": "One", "body": "First."}\n{"headline": "Two", "body": "Second."}\n'
    results = list(iter_lines([data], source="s", origin="-"))
    assert [r.article["headline"] for r in results] == ["One", "Two"]


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_accepted_name_of_every_field_is_read(field: str) -> None:
    values = {
        "headline": ("A headline", "A headline"),
        "body": ("Body text.", "Body text."),
        "url": ("https://example.com/a", "https://example.com/a"),
        "guid": ("g-1", "g-1"),
        "published_at": ("2026-11-25T08:00:00Z", "2026-11-25T08:00:00Z"),
        "byline": ("A. Reporter", "A. Reporter"),
        "language": ("en-GB", "en-GB"),
        "source": ("agency", "agency"),
        "revision": ("3", 3 * 10**13),
        "subjects": (["medtop:1"], ["medtop:1"]),
        "targets": (["a target"], ["a target"]),
    }
    given, wanted = values[field]
    for name in FIELDS[field]:
        obj = {name: given} if field == "body" else {"text": "Body text.", name: given}
        article = _one(obj, "jsonl")
        got = article[field]
        if field == "revision":
            got = got // 10**13 * 10**13
        assert got == wanted, name


def test_key_names_match_without_case_underscores_or_dashes() -> None:
    article = _one({"TITLE": "T", "Body": "B.", "Pub-Date": "2026-11-25", "PublishedAt": "x"})
    assert (article["headline"], article["body"]) == ("T", "B.")
    assert article["published_at"] == "2026-11-25T00:00:00Z"


def test_a_body_of_the_wrong_type_is_refused_naming_the_key() -> None:
    with pytest.raises(ParseError, match=r"^body must be a string, got a list$"):
        jsonl.object_to_article({"headline": "h", "body": ["a", "b"]}, source="s", fmt="jsonl")
    with pytest.raises(ParseError, match=r"^text must be a string, got an object$"):
        jsonl.object_to_article({"text": {"a": 1}}, source="s", fmt="jsonl")


def test_a_wrong_type_elsewhere_is_left_out_with_a_warning() -> None:
    article = _one({"text": "Body.", "title": ["a"], "lang": 7, "date": "soon"})
    assert article["language"] is None and article["published_at"] is None
    codes = [(warning_code(w), w.split(" ")[1]) for w in article["warnings"]]
    assert codes == [
        ("field_ignored", "title"),
        ("field_ignored", "lang"),
        ("date_unparsed", "date"),
    ]
    assert article["headline"] == "Body" and article["headline_derived"] is True


def test_a_later_name_is_used_when_an_earlier_one_is_empty_or_unusable() -> None:
    article = _one({"text": "", "body": ["x"], "content": "The content."})
    assert article["body"] == "The content."


@pytest.mark.parametrize(
    ("authors", "byline"),
    [
        (["Ann", "Bob"], "Ann, Bob"),
        ([{"name": "Ann"}, {"name": "Bob"}], "Ann, Bob"),
        ({"name": "Ann", "@type": "Person"}, "Ann"),
        ([{"name": "Ann"}, "Bob", 3], "Ann, Bob"),
        ("Ann", "Ann"),
    ],
)
def test_nested_authors_become_one_byline(authors: object, byline: str) -> None:
    assert _one({"text": "B.", "authors": authors})["byline"] == byline


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-25T09:00:00+01:00", "2026-11-25T08:00:00Z"),  # RFC 3339
        ("Wed, 25 Nov 2026 08:00:00 GMT", "2026-11-25T08:00:00Z"),  # RFC 822
        ("2026-11-25", "2026-11-25T00:00:00Z"),
        ("November 25, 2026", "2026-11-25T00:00:00Z"),
        ("25.11.2026 08:00", "2026-11-25T08:00:00Z"),
        ("11/25/2026", "2026-11-25T00:00:00Z"),
        ("Tue, Nov. 25, 2026 8:00 AM", "2026-11-25T08:00:00Z"),
        (1795593600, "2026-11-25T08:00:00Z"),
        ("1795593600000", "2026-11-25T08:00:00Z"),
    ],
)
def test_dates_in_rfc_3339_rfc_822_plain_and_unix_forms(value: object, expected: str) -> None:
    assert _one({"text": "B.", "pubDate": value})["published_at"] == expected


def test_ninjs_only_when_its_own_keys_say_so() -> None:
    assert _one({"uri": "urn:x", "headline": "H", "body_text": "B."}, "jsonl")["format"] == "ninjs"
    for loose_row in (
        {"headline": "H", "body": "B."},
        {"guid": "g", "headline": "H", "text": "B."},
    ):
        assert _one(loose_row, "jsonl")["format"] == "jsonl"
    assert _one({"type": "text", "headline": "H", "body": "B."}, "jsonl")["format"] == "ninjs"
    assert _one({"type": "article", "headline": "H", "body": "B."}, "jsonl")["format"] == "jsonl"
    # A ninjs item falls back on loose names for what its own keys do not give.
    article = _one({"uri": "urn:x", "headline": "H", "body": "Loose body.", "date": "2026-11-25"})
    assert (article["body"], article["published_at"]) == ("Loose body.", "2026-11-25T00:00:00Z")


def test_guid_and_text_were_refused_as_ninjs_and_are_accepted_now() -> None:
    assert _one({"guid": "g-1", "text": "Copy."})["guid"] == "g-1"


def test_schema_decides_wire_article_and_other_schemas_are_refused() -> None:
    record = _one({"schema": "wire.article.v1", "source": "s", "body": "B.", "guid": "g"})
    assert record["format"] == "wire.article.v1"
    with pytest.raises(ParseError, match="unsupported record schema"):
        jsonl.object_to_article({"schema": "other.v1", "text": "B."}, source="s", fmt="jsonl")


def test_an_envelope_of_articles_gives_each_article() -> None:
    doc = {
        "status": "ok",
        "articles": [{"title": "A", "content": "a."}, {"title": "B", "text": "b."}],
    }
    results = parse_bytes(orjson.dumps(doc), "json", source="s")
    assert [r.article["headline"] for r in results] == ["A", "B"]


def test_no_body_names_the_accepted_shapes() -> None:
    with pytest.raises(ParseError, match=r"no body .*text, body, content.*accepted: .*ninjs"):
        jsonl.object_to_article({"title": "only a title"}, source="s", fmt="jsonl")


def test_one_article_wrapped_in_an_object_is_read() -> None:
    for wrapper in ("article", "data", "_source"):
        doc = {"status": "ok", wrapper: {"title": "Wrapped", "body": "Copy."}}
        [result] = parse_bytes(orjson.dumps(doc), "json", source="s")
        assert result.article["headline"] == "Wrapped", wrapper


def test_mongodb_extended_json_ids_and_dates_are_read() -> None:
    row = {"_id": {"$oid": "65a1f0"}, "title": "T", "body": "B.", "date": {"$date": 1795593600000}}
    article = _one(row)
    assert (article["guid"], article["published_at"]) == ("65a1f0", "2026-11-25T08:00:00Z")


def test_a_json_file_holding_json_lines_is_read_line_by_line() -> None:
    data = b'{"title": "a", "text": "one."}\r\n{"title": "b", "text": "two."}\r\n'
    assert [r.article["headline"] for r in parse_bytes(data, "json", source="s")] == ["a", "b"]


def test_a_number_is_not_a_body() -> None:
    with pytest.raises(ParseError, match=r"^body must be a string, got a number$"):
        jsonl.object_to_article({"title": "T", "body": 42}, source="s", fmt="jsonl")


def test_a_json_line_holding_an_array_gives_each_article() -> None:
    data = b'[{"title": "A", "text": "a."}, {"title": "B", "text": "b."}]\n{"title": "C", "text": "c."}\n'
    results = list(iter_lines([data], source="s", origin="f"))
    assert [(r.origin, r.article["headline"]) for r in results] == [
        ("f:1#1", "A"),
        ("f:1#2", "B"),
        ("f:2", "C"),
    ]


def test_a_json_string_is_not_an_article_and_the_message_says_so() -> None:
    [result] = parse_bytes(b'"just a string"', "json", source="s")
    assert str(result.error).startswith("expected a JSON object, got a string; accepted: ")


def test_an_html_body_from_a_cms_is_read_as_text_and_plain_copy_is_left_alone() -> None:
    html = _one({"title": "T", "body": "<p>First <b>para</b>.</p>\n<p>Second &amp; last.</p>"})
    assert html["body"] == "First para.\nSecond & last."
    plain = _one({"title": "T", "body": "Rates rose <5% and fell > 2%.</p> was typed by mistake."})
    assert plain["body"].startswith("Rates rose <5%")


def test_a_json_line_may_wrap_its_article_or_hold_an_envelope() -> None:
    data = (
        b'{"schema_version": 1, "payload": {"Headline": "P", "BodyText": "p."}}\n'
        b'{"items": [{"title": "A", "text": "a."}, {"title": "B", "text": "b."}]}\n'
    )
    results = list(iter_lines([data], source="s", origin="f"))
    assert [(r.origin, r.article["headline"]) for r in results] == [
        ("f:1", "P"),
        ("f:2#1", "A"),
        ("f:2#2", "B"),
    ]


def test_a_ninjs_kill_without_a_body_is_still_ninjs() -> None:
    # `pubstatus` is ninjs's own key: the kill's notice becomes the body (issue 23).
    article = _one({"guid": "g-1", "headline": "H", "pubstatus": "canceled"}, "jsonl")
    assert (article["format"], article["status"]) == ("ninjs", "canceled")
