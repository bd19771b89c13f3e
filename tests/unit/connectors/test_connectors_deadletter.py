from __future__ import annotations

import base64

from connectors.article import ParseError
from pipeline.contracts import schemas
from pipeline.contracts.deadletter import deadletter_record, original_bytes


def test_dead_letter_record_is_schema_valid_and_names_the_error() -> None:
    record = deadletter_record(
        b'{"broken"', stage="connector", error=ParseError("not valid JSON"), source="a.json"
    )
    schemas.validate(schemas.DEADLETTER, record)
    assert record["stage"] == "connector"
    assert record["error_class"] == "ParseError"
    assert record["error_message"] == "not valid JSON"
    assert record["original"] == {
        "encoding": "utf-8",
        "value": '{"broken"',
        "key": None,
        "topic": None,
        "partition": None,
        "offset": None,
        "timestamp_ms": None,
        "source": "a.json",
    }


def test_non_utf8_original_is_base64_and_round_trips() -> None:
    raw = b"\xff\xfe binary \x00"
    record = deadletter_record(
        raw, stage="decode", error="bad bytes", topic="t", partition=1, offset=5, key=b"k"
    )
    assert record["original"]["encoding"] == "base64"
    assert base64.b64decode(record["original"]["value"]) == raw
    assert original_bytes(record) == raw
    assert record["original"]["key"] == "k"
    assert record["error_class"] == "Error"


def test_nul_bytes_are_kept_exactly_through_base64() -> None:
    record = deadletter_record(b"a\x00b", stage="connector", error="nul")
    assert original_bytes(record) == b"a\x00b"


def test_long_original_is_truncated_and_the_message_names_the_bytes_kept() -> None:
    record = deadletter_record(
        "é" * 1000, stage="connector", error="too big", max_original_bytes=101
    )
    assert record["original"]["encoding"] == "utf-8"  # cut on a character boundary
    assert len(record["original"]["value"].encode()) == 100
    # 101 is the cap; a two-byte character cannot be split, so 100 bytes are kept.
    assert "truncated to 100 of 2,000 bytes" in record["error_message"]


def test_attempts_and_first_failure_are_carried() -> None:
    record = deadletter_record(
        "x",
        stage="enrich",
        error=ValueError("boom"),
        attempts=3,
        first_failed_at="2026-01-01T00:00:00Z",
    )
    assert record["attempts"] == 3
    assert record["first_failed_at"] == "2026-01-01T00:00:00Z"
