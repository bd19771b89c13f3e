"""Deliver a source's results to Kafka: articles to the article topic, errors to the dead letters.

A record the broker refuses outright (too large, invalid) becomes a dead letter too; only a broker
that acknowledges nothing (down, topic missing) is a `DeliveryError`, after which the source is put
back at its last persisted position so nothing unacknowledged is ever marked as sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import orjson
from kafka.errors import KafkaError, KafkaTimeoutError, MessageSizeTooLargeError

from connectors.base import Source
from connectors.formats import ParseResult
from connectors.producer import ArticleProducer, DeliveryError
from connectors.state import StateFile

log = logging.getLogger(__name__)
# Errors about the record itself: retrying cannot help, the record goes to the dead letters.
_RECORD_ERRORS = (MessageSizeTooLargeError, TypeError, ValueError)


@dataclass
class Counts:
    sent: int = 0
    deadlettered: int = 0

    def add(self, other: Counts) -> None:
        self.sent += other.sent
        self.deadlettered += other.deadlettered


def deliver(results: Iterable[ParseResult], producer: ArticleProducer) -> Counts:
    """Send every result and wait for the broker's acks; DeliveryError if Kafka is unavailable."""
    counts = Counts()
    pending = []
    for result in results:
        if result.article is not None:
            try:
                pending.append((result, producer.send(result.article)))
                continue
            except _RECORD_ERRORS as exc:
                _deadletter(producer, result, exc, counts)
            except KafkaTimeoutError as exc:
                raise DeliveryError(f"Kafka unavailable: {exc}") from exc
        else:
            _deadletter(producer, result, result.error or "unknown error", counts)
    producer.flush()
    for result, future in pending:
        exc = future.exception if future.failed() else None
        if exc is None:
            counts.sent += 1
        elif isinstance(exc, _RECORD_ERRORS) or not getattr(exc, "retriable", True):
            _deadletter(producer, result, exc, counts)
        else:
            raise DeliveryError(f"Kafka did not acknowledge {result.origin}: {exc}")
    producer.flush()
    return counts


def _deadletter(
    producer: ArticleProducer, result: ParseResult, error: BaseException | str, counts: Counts
) -> None:
    article = result.article
    original = orjson.dumps(article) if article is not None and result.raw is None else result.raw
    try:
        producer.send_deadletter(
            original,
            error,
            source=result.origin,
            article_id=article["id"] if article else None,
        )
    except KafkaError as exc:
        raise DeliveryError(f"Kafka refused the dead letter for {result.origin}: {exc}") from exc
    counts.deadlettered += 1


def run(
    source: Source,
    producer: ArticleProducer,
    state: StateFile | None = None,
    on_delivered: Callable[[Counts], None] | None = None,
) -> Counts:
    """Deliver every batch of `source`, persisting its position after each acknowledged batch.

    `on_delivered(counts)` is called after each acknowledged batch (metrics).

    A DeliveryError puts the source back at the last persisted position and is raised again for a
    one-shot source; long-running sources decide themselves (they re-yield on the next round).
    """
    total = Counts()
    if state is not None:
        source.resume(state.load())
    for batch in source.batches():
        try:
            counts = deliver(batch, producer)
        except DeliveryError:
            if state is not None:
                source.resume(state.load())
            raise
        total.add(counts)
        if state is not None:
            state.save(source.snapshot())
        if on_delivered is not None:
            on_delivered(counts)
        log.info(
            "batch delivered",
            extra={"source": source.name, "sent": counts.sent, "deadlettered": counts.deadlettered},
        )
    return total
