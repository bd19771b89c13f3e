"""Dead letters from the worker: a consumed record that failed, with the stage and the reason.

The record itself is built by `pipeline.contracts.deadletter.deadletter_record` (shared with the
connectors); this module feeds it what the worker knows about the consumed Kafka record.
"""

from __future__ import annotations

from typing import Any

from pipeline.contracts.deadletter import deadletter_record
from pipeline.worker.incoming import Incoming


def from_incoming(
    message: Incoming,
    *,
    stage: str,
    error: BaseException | str,
    article_id: str | None = None,
    attempts: int = 1,
) -> dict[str, Any]:
    record = deadletter_record(
        message.value,
        stage=stage,
        error=error,
        attempts=attempts,
        key=message.key,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        timestamp_ms=message.timestamp_ms,
        article_id=article_id or _key_as_id(message.key),
    )
    # Failures that travelled as data (runner, sink) name their original error class.
    class_name = getattr(error, "class_name", None)
    if class_name:
        record["error_class"] = class_name
    return record


def _key_as_id(key: bytes | None) -> str | None:
    """The Kafka key is the article id for well-formed producers; keep it when it looks like one."""
    if not key or len(key) != 32:
        return None
    text = key.decode("ascii", "replace")
    return text if all(c in "0123456789abcdef" for c in text) else None
