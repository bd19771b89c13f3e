"""`wire.deadletter.v1` records: what failed, why, where, and the original bytes.

`deadletter_record` is a pure function shared by the connectors (`stage="connector"`) and the
pipeline's worker (`decode`, `validate`, `enrich`, `index`, `publish`).
"""

from __future__ import annotations

import base64
from typing import Any

from pipeline.contracts import schemas
from pipeline.contracts.timestamps import utc_now
from pipeline.security.secrets import redact

STAGES = ("connector", "decode", "validate", "enrich", "index", "publish")
MAX_MESSAGE_CHARS = 10_000  # schemas/wire.deadletter.v1.json error_message.maxLength
DEFAULT_MAX_ORIGINAL_BYTES = 256 * 1024


def deadletter_record(
    original: bytes | str | None,
    *,
    stage: str,
    error: BaseException | str,
    attempts: int = 1,
    key: bytes | str | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    source: str | None = None,
    article_id: str | None = None,
    timestamp_ms: int | None = None,
    first_failed_at: str | None = None,
    max_original_bytes: int = DEFAULT_MAX_ORIGINAL_BYTES,
) -> dict[str, Any]:
    """A schema-valid dead-letter record.

    The original goes in as UTF-8 text when it is valid UTF-8, else base64. Originals longer than
    `max_original_bytes` are cut (the message says so), so a record always fits on the topic.
    `error` is an exception (its class name becomes `error_class`) or a plain message.
    """
    if isinstance(original, str):
        original = original.encode("utf-8", "surrogatepass")
    error_class = type(error).__name__ if isinstance(error, BaseException) else "Error"
    message = str(error) if str(error) else error_class
    if original is not None and len(original) > max_original_bytes:
        kept = _cut(original, max_original_bytes)
        # The bytes actually kept: a cut never splits a UTF-8 character, so it can be fewer
        # than the cap.
        message += f" [original truncated to {len(kept):,} of {len(original):,} bytes]"
        original = kept
    encoding, value = _encode(original)
    now = utc_now()
    record: dict[str, Any] = {
        "schema": schemas.DEADLETTER,
        "stage": stage,
        "error_class": error_class,
        # Client errors can quote connection strings: configured secrets never leave in them.
        "error_message": _shorten(redact(message)),
        "attempts": max(1, int(attempts)),
        "first_failed_at": first_failed_at or now,
        "failed_at": now,
        "article_id": article_id,
        "original": {
            "encoding": encoding,
            "value": value,
            "key": _key(key),
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "timestamp_ms": timestamp_ms,
            "source": source,
        },
    }
    schemas.validate(schemas.DEADLETTER, record)
    return record


def original_bytes(record: dict[str, Any]) -> bytes | None:
    """The original payload of a dead-letter record (for replay)."""
    original = record["original"]
    if original["value"] is None:
        return None
    if original["encoding"] == "base64":
        return base64.b64decode(original["value"])
    return original["value"].encode("utf-8")


def _cut(data: bytes, limit: int) -> bytes:
    """At most `limit` bytes, not splitting a UTF-8 character (so text stays text)."""
    cut = data[:limit]
    try:
        cut.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(cut) - 3:
            return cut[: exc.start]
    return cut


def _encode(original: bytes | None) -> tuple[str, str | None]:
    if original is None:
        return "utf-8", None
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        return "base64", base64.b64encode(original).decode("ascii")
    if "\x00" in text:
        # NUL survives JSON but not every consumer of it; base64 keeps the bytes exact.
        return "base64", base64.b64encode(original).decode("ascii")
    return "utf-8", text


def _key(key: bytes | str | None) -> str | None:
    if isinstance(key, bytes):
        return key.decode("utf-8", "backslashreplace")
    return key


def _shorten(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"
