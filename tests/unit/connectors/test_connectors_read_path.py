from __future__ import annotations

import io

import pytest

from connectors.article import REVISION_SPAN
from connectors.formats import ParseResult, read_path, read_stream, sniff_format


def test_jsonl_lines_map_records_rows_and_ninjs_and_report_the_broken_line(fixtures) -> None:
    results = list(read_path(fixtures / "jsonl" / "mixed.jsonl"))
    assert [r.origin.rsplit(":", 1)[1] for r in results] == [
        "1",
        "2",
        "4",
        "5",
    ]  # blank line 3 skipped
    record, row, ninjs_line, broken = results
    assert record.article["id"] == "0123456789abcdef0123456789abcdef"
    assert row.article["guid"] == "wikinews-gusenbauer-reelected"
    assert row.article["headline"].startswith("Gusenbauer reelected")
    assert row.article["published_at"] == "2004-11-30T00:00:00Z"
    assert row.article["format"] == "jsonl"
    assert ninjs_line.article["revision"] // REVISION_SPAN == 4  # source version first
    assert not broken.ok and "not valid JSON" in str(broken.error)
    assert broken.raw.startswith(b'{"id": "broken"')


def test_wikinews_rows_become_articles(tmp_path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"id": "wikinews-a", "title": "A", "date": null, "url": "https://en.wikinews.org/wiki/A", "text": "Text."}\n'
    )
    [result] = read_path(path)
    assert result.article["url"] == "https://en.wikinews.org/wiki/A"
    assert result.article["published_at"] is None


def test_extension_chooses_the_format(fixtures) -> None:
    [result] = read_path(fixtures / "newsml" / "newsitem.xml")
    assert result.article["format"] == "newsml-g2"


def test_unknown_extension_is_sniffed(tmp_path) -> None:
    path = tmp_path / "item.dat"
    path.write_bytes(b'  {"uri": "urn:x", "body_text": "b"}')
    [result] = read_path(path)
    assert result.article["format"] == "ninjs"


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"<?xml version='1.0'?><newsItem/>", "newsml-g2"),
        (b'{"a": 1}', "json"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'[{"a": 1}]', "json"),
        (b"WASHINGTON (Sputnik) - text", "plaintext"),
    ],
)
def test_sniffing(head: bytes, fmt: str) -> None:
    assert sniff_format(head) == fmt


def test_file_over_the_size_cap_is_an_error_not_a_crash(tmp_path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    [result] = read_path(path, max_bytes=1000)
    assert not result.ok
    assert "larger than the 1,000-byte limit" in str(result.error)
    assert len(result.raw) == 1000


def test_jsonl_line_over_the_cap_is_skipped_and_the_next_line_still_read() -> None:
    stream = io.BufferedReader(
        io.BytesIO(b'{"text": "' + b"x" * 5000 + b'"}\n{"id": "2", "text": "ok"}\n')
    )
    first, second = read_stream(stream, "jsonl", max_bytes=1000, name="stdin")
    assert not first.ok and "limit" in str(first.error)
    assert second.ok and second.origin == "stdin:2"


def test_stdin_stream_is_sniffed_without_a_format() -> None:
    stream = io.BufferedReader(io.BytesIO(b"PARIS (AFP) - Text from stdin."))
    [result] = read_stream(stream)
    assert result.article["format"] == "plaintext"


def test_missing_file_is_an_error_result(tmp_path) -> None:
    [result] = read_path(tmp_path / "nope.txt")
    assert isinstance(result, ParseResult)
    assert "cannot read" in str(result.error)


def test_malformed_json_file_reports_the_position(fixtures) -> None:
    [result] = read_path(fixtures / "malformed" / "broken.json")
    assert "not valid JSON" in str(result.error)
    assert result.raw.startswith(b'{"uri"')
