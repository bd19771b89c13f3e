"""Helpers for the connector integration tests: paths, a consumer, a free port."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"


def sample_article() -> Path:
    shared = os.environ.get("WIRESTREAM_SHARED_DATA")
    base = Path(shared).parent if shared else REPO.parent / "shared"
    path = base / "samples" / "wire-article-1.txt"
    if not path.exists():
        pytest.fail(f"the sample wire article is missing: {path}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def consume(bootstrap: str, topic: str, count: int, timeout_s: float = 15.0) -> list[Any]:
    """The first `count` records of `topic` as (key, value dict), or fewer after the timeout."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=int(timeout_s * 1000),
    )
    records = []
    try:
        for message in consumer:
            records.append(
                (message.key.decode() if message.key else None, orjson.loads(message.value))
            )
            if len(records) >= count:
                break
    finally:
        consumer.close()
    return records
