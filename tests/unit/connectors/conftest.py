"""Shared helpers for the connector unit tests: fixture paths and a Kafka client stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka.errors import MessageSizeTooLargeError
from kafka.future import Future

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "wire-article-1.txt"


class AckFuture(Future):
    """kafka-python's Future plus the `get` of FutureRecordMetadata."""

    def get(self, timeout: float | None = None) -> Any:
        if self.failed():
            raise self.exception
        return self.value


class FakeKafkaClient:
    """Records what would be sent; acknowledges at once, or fails records on demand."""

    def __init__(self, max_bytes: int = 1_000_000, fail_with: Exception | None = None) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.max_bytes = max_bytes
        self.fail_with = fail_with
        self.flushes = 0
        self.closed = False

    def send(self, topic: str, value: bytes, key: bytes | None = None) -> AckFuture:
        if len(value) > self.max_bytes and topic != "dead":
            raise MessageSizeTooLargeError(f"The message is {len(value)} bytes")
        future = AckFuture()
        if self.fail_with is not None and topic != "dead":
            return future.failure(self.fail_with)
        self.sent.append((topic, key, value))
        return future.success(None)

    def flush(self, timeout: float | None = None) -> None:
        self.flushes += 1

    def partitions_for(self, topic: str) -> set[int]:
        return {0}

    def close(self, timeout: float | None = None) -> None:
        self.closed = True

    def records(self, topic: str) -> list[dict[str, Any]]:
        return [orjson.loads(v) for t, _, v in self.sent if t == topic]


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def sample_path() -> Path:
    import os

    shared = os.environ.get("WIRESTREAM_SHARED_DATA")
    path = Path(shared).parent / "samples" / "wire-article-1.txt" if shared else SAMPLE
    if not path.exists():
        pytest.fail(f"the sample wire article is missing: {path}")
    return path


@pytest.fixture
def fake_client() -> FakeKafkaClient:
    return FakeKafkaClient()


@pytest.fixture
def producer(fake_client: FakeKafkaClient):
    from connectors.producer import ArticleProducer
    from connectors.settings import ConnectorSettings
    from pipeline.settings import KafkaSettings, TopicSettings

    return ArticleProducer(
        KafkaSettings(),
        TopicSettings(article="articles", deadletter="dead"),
        ConnectorSettings(),
        client=fake_client,
    )
