"""Property tests: for any input, parsers return articles or raise ParseError, nothing else."""

from __future__ import annotations

import io
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.article import ParseError
from connectors.feedfetch import FeedError
from connectors.formats import jsonl, newsml, ninjs, parse_bytes, plaintext, read_stream
from connectors.rss import entry_to_article, parse_feed
from connectors.text import html_to_text, parse_datetime
from pipeline.contracts import schemas
from pipeline.contracts.deadletter import deadletter_record

FAST = settings(
    max_examples=int(os.environ.get("WIRESTREAM_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
ninjs_keys = st.sampled_from(
    [
        "uri",
        "guid",
        "headline",
        "headlines",
        "body_text",
        "body_html",
        "bodies",
        "byline",
        "bylines",
        "subject",
        "subjects",
        "version",
        "versioncreated",
        "firstcreated",
        "language",
        "schema",
        "id",
        "title",
        "text",
        "url",
        "date",
        "source",
        "revision",
        "targets",
        "received_at",
        "body",
    ]
)
ninjs_like = st.dictionaries(ninjs_keys, json_values, max_size=8)
xml_fragments = st.lists(
    st.sampled_from(
        [
            '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g" version="1">',
            "</newsItem>",
            "<contentSet>",
            "</contentSet>",
            "<inlineXML>",
            "</inlineXML>",
            "<inlineData>",
            "</inlineData>",
            "<contentMeta>",
            "</contentMeta>",
            "<headline>",
            "</headline>",
            "<p>",
            "</p>",
            "text",
            "&amp;",
            "&lol;",
            "<!DOCTYPE x>",
            "<![CDATA[x]]>",
            "<newsMessage>",
            "</newsMessage>",
            "<dateline>",
            "</dateline>",
            "\x00",
            "é",
            "<",
            ">",
            '"',
        ]
    ),
    max_size=30,
).map("".join)


def _dumps(value: object) -> bytes:
    # the stdlib also writes what orjson refuses (huge integers, lone surrogates, Infinity)
    return json.dumps(value).encode()


def _ok_or_parse_error(fn, *args, **kwargs) -> None:
    try:
        result = fn(*args, **kwargs)
    except ParseError:
        return
    for item in result if isinstance(result, list) else [result]:
        if isinstance(item, dict):
            schemas.validate(schemas.ARTICLE, item)
        else:
            assert isinstance(item, ParseError)


@FAST
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_plaintext_parser_raises_only_parse_error(data: bytes) -> None:
    _ok_or_parse_error(plaintext.parse, data, source="s")


@FAST
@given(st.binary(max_size=2000) | json_values.map(_dumps) | ninjs_like.map(_dumps))
def test_json_document_parser_raises_only_parse_error(data: bytes) -> None:
    _ok_or_parse_error(jsonl.parse_document, data, source="s")
    _ok_or_parse_error(jsonl.parse_line, data, source="s")


@FAST
@given(ninjs_like)
def test_ninjs_mapping_raises_only_parse_error(obj: dict) -> None:
    _ok_or_parse_error(ninjs.to_article, obj, source="s")


@FAST
@given(st.binary(max_size=2000) | xml_fragments.map(str.encode))
def test_newsml_parser_raises_only_parse_error(data: bytes) -> None:
    _ok_or_parse_error(newsml.parse, data, source="s")


@FAST
@given(
    st.binary(max_size=1000), st.sampled_from(["plaintext", "json", "newsml-g2", "jsonl", "auto"])
)
def test_parse_bytes_and_read_stream_never_raise(data: bytes, fmt: str) -> None:
    for result in parse_bytes(data, fmt, source="s"):
        assert result.ok or isinstance(result.error, ParseError)
    for result in read_stream(io.BufferedReader(io.BytesIO(data)), None if fmt == "auto" else fmt):
        assert result.ok or isinstance(result.error, ParseError)


@FAST
@given(st.text(max_size=2000) | xml_fragments)
def test_html_to_text_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)


@FAST
@given(json_values)
def test_parse_datetime_never_raises(value: object) -> None:
    result = parse_datetime(value)
    assert result is None or result.endswith("Z")


@FAST
@given(st.binary(max_size=2000) | xml_fragments.map(str.encode))
def test_feed_parser_raises_only_feed_error_and_entries_only_parse_error(data: bytes) -> None:
    try:
        parsed = parse_feed(data, "https://f.example/feed")
    except FeedError:
        return
    for entry in parsed.entries:
        _ok_or_parse_error(entry_to_article, entry, "https://f.example/feed")


@FAST
@given(st.binary(max_size=500) | st.text(max_size=500), st.text(max_size=200))
def test_dead_letter_record_is_valid_for_any_original(original: bytes | str, message: str) -> None:
    schemas.validate(
        schemas.DEADLETTER, deadletter_record(original, stage="connector", error=message)
    )
