"""`Incoming`: one consumed Kafka record as the worker's batch processor and dead letters see it.

Its own module so that dead letters (`deadletter.py`) and the processor that sends them
depend on it, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incoming:
    """One consumed Kafka record, as bytes (decoding is part of the work, so it can fail)."""

    key: bytes | None
    value: bytes | None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None
