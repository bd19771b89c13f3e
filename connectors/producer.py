"""`ArticleProducer`: articles and dead letters onto Kafka with kafka-python.

acks=all, idempotence when the client supports it, compression from `KafkaSettings`, key = the
article id, value = orjson bytes. `send` returns the client's future; `send_and_wait` blocks until
the broker acknowledged one article (what HTTP push answers on); `flush` waits for everything.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import orjson
from kafka import KafkaProducer
from kafka.errors import KafkaError, MessageSizeTooLargeError
from kafka.producer.future import FutureRecordMetadata, RecordMetadata

from connectors.settings import ConnectorSettings
from pipeline.contracts.deadletter import deadletter_record
from pipeline.security.kafka import KafkaConnectError, diagnose, kafka_python_security
from pipeline.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """Kafka did not acknowledge a record (broker down, topic missing, timeout)."""


class RecordRejected(ValueError):
    """Kafka refuses the record itself (too large); retrying will not help."""


def producer_config(kafka: KafkaSettings, connector: ConnectorSettings) -> dict[str, Any]:
    """The KafkaProducer keyword arguments (separate so tests and issue 7's TLS/SASL can extend)."""
    config: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap.split(","),
        "client_id": f"{kafka.client_id}-connector",
        "acks": "all",
        "compression_type": None if kafka.compression in ("", "none") else kafka.compression,
        "linger_ms": connector.linger_ms,
        "retries": connector.retries,
        "max_request_size": connector.max_message_bytes,
        "request_timeout_ms": kafka.request_timeout_ms,
        "max_block_ms": int(connector.delivery_timeout_s * 1000),
        **kafka_python_security(kafka),
    }
    if "bootstrap_timeout_ms" in KafkaProducer.DEFAULT_CONFIG:
        config["bootstrap_timeout_ms"] = kafka.request_timeout_ms
    if "enable_idempotence" in KafkaProducer.DEFAULT_CONFIG:
        config["enable_idempotence"] = True
    return config


class ArticleProducer:
    """Sends `wire.article.v1` records and `wire.deadletter.v1` records."""

    def __init__(
        self,
        kafka: KafkaSettings | None = None,
        topics: TopicSettings | None = None,
        settings: ConnectorSettings | None = None,
        client: Any = None,
    ) -> None:
        self.kafka = kafka or KafkaSettings()
        self.topics = topics or TopicSettings()
        self.settings = settings or ConnectorSettings()
        self._client = client or self._connect()

    def _connect(self) -> KafkaProducer:
        try:
            return KafkaProducer(**producer_config(self.kafka, self.settings))
        except KafkaError as exc:
            # kafka-python says only "Unable to bootstrap": ask the broker why (auth, TLS).
            reason = diagnose(self.kafka) or f"{type(exc).__name__}: {exc}"
            raise KafkaConnectError(
                f"cannot connect to Kafka at {self.kafka.bootstrap} "
                f"({self.kafka.security_protocol}): {reason}"
            ) from None

    def send(self, article: dict[str, Any]) -> FutureRecordMetadata:
        """Queue one article; the future resolves when the broker acknowledged it.

        Raises kafka errors the client raises synchronously (record too large, metadata timeout).
        """
        return self._client.send(
            self.topics.article, key=article["id"].encode(), value=orjson.dumps(article)
        )

    def send_and_wait(
        self, article: dict[str, Any], timeout: float | None = None
    ) -> RecordMetadata:
        """Send one article and block until the broker acknowledged it."""
        return self.send_all_and_wait([article], timeout)[0]

    def send_all_and_wait(
        self, articles: list[dict[str, Any]], timeout: float | None = None
    ) -> list[RecordMetadata]:
        """Send articles and block until the broker acknowledged every one (what HTTP push
        answers on). RecordRejected when Kafka refuses a record itself (too large), else
        DeliveryError when it does not acknowledge in time."""
        deadline = time.monotonic() + (timeout or self.settings.delivery_timeout_s)
        try:
            # linger_ms is short: waiting on these futures beats flushing everyone's records
            futures = [self.send(article) for article in articles]
            return [f.get(timeout=max(0.001, deadline - time.monotonic())) for f in futures]
        except MessageSizeTooLargeError as exc:
            raise RecordRejected(f"the article is too large for Kafka: {exc}") from exc
        except KafkaError as exc:
            raise DeliveryError(f"Kafka did not acknowledge the articles: {exc}") from exc

    def send_deadletter(
        self,
        original: bytes | str | None,
        error: BaseException | str,
        *,
        source: str | None = None,
        article_id: str | None = None,
    ) -> FutureRecordMetadata:
        """Queue a connector-stage dead letter (key = the article id when known)."""
        record = deadletter_record(
            original,
            stage="connector",
            error=error,
            source=source,
            article_id=article_id,
            key=article_id,
            max_original_bytes=self.settings.deadletter_max_original_bytes,
        )
        log.warning(
            "dead-lettered",
            extra={
                "source": source,
                "error_class": record["error_class"],
                "reason": record["error_message"][:300],
            },
        )
        return self._client.send(
            self.topics.deadletter,
            key=article_id.encode() if article_id else None,
            value=orjson.dumps(record),
        )

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every queued record is acknowledged or failed; DeliveryError on timeout."""
        try:
            self._client.flush(timeout=timeout or self.settings.delivery_timeout_s)
        except KafkaError as exc:
            raise DeliveryError(f"Kafka did not acknowledge the queued records: {exc}") from exc

    def connected(self, timeout_s: float = 2.0) -> bool:
        """Whether a bootstrap server accepts connections (for health checks).

        A plain TCP connect: the client's own `bootstrap_connected()` only reports the bootstrap
        phase, not whether the cluster is reachable now.
        """
        for server in self.kafka.bootstrap.split(","):
            host, _, port = server.strip().rpartition(":")
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
                    return True
            except (OSError, ValueError):
                continue
        return False

    def warm_up(self) -> bool:
        """Fetch the article topic's metadata now, so the first send is fast; False if missing."""
        try:
            return bool(self._client.partitions_for(self.topics.article))
        except KafkaError:
            return False

    def close(self, timeout: float | None = None) -> None:
        self._client.close(timeout=timeout if timeout is not None else 10)

    def __enter__(self) -> ArticleProducer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
