"""A Kafka client stand-in for the push endpoint tests: acknowledges every record at once."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.future import Future


class AckFuture(Future):
    def get(self, timeout: float | None = None) -> Any:
        return self.value


class AckingClient:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []

    def send(self, topic: str, value: bytes, key: bytes | None = None) -> AckFuture:
        self.sent.append((topic, key, value))
        return AckFuture().success(None)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def partitions_for(self, topic: str) -> set[int]:
        return {0}

    def close(self, timeout: float | None = None) -> None:
        pass


@pytest.fixture
def kafka_client() -> AckingClient:
    return AckingClient()


@pytest.fixture
def push_producer(kafka_client: AckingClient):
    from connectors.producer import ArticleProducer
    from connectors.settings import ConnectorSettings
    from pipeline.settings import KafkaSettings, TopicSettings

    return ArticleProducer(
        KafkaSettings(),
        TopicSettings(article="articles", deadletter="dead"),
        ConnectorSettings(),
        client=kafka_client,
    )
