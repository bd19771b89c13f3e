"""The agent's guard: a batch that was not written must never become committable."""

from __future__ import annotations

from types import SimpleNamespace

from faust.types.tuples import ConsumerMessage

from pipeline.worker.agents.enrich import abandon, incoming


class RecordingConsumer:
    def __init__(self) -> None:
        self.acked: list[int] = []

    def ack(self, message: ConsumerMessage) -> bool:
        self.acked.append(message.offset)
        return True


def message(offset: int) -> ConsumerMessage:
    return ConsumerMessage("wire.article.v1", 0, offset, 1_700_000_000.5, 0, None, b"k", b"v", None)


def test_acking_an_abandoned_message_does_not_reach_the_consumer():
    consumer = RecordingConsumer()
    kept, dropped = message(1), message(2)
    abandon([SimpleNamespace(message=dropped)])
    # What take_events' `finally` does for every event of the batch:
    kept.ack(consumer)
    dropped.ack(consumer)
    assert consumer.acked == [1]


def test_incoming_keeps_the_raw_bytes_and_where_they_came_from():
    event = SimpleNamespace(message=message(7))
    got = incoming(event)
    assert (got.key, got.value, got.topic, got.partition, got.offset) == (
        b"k",
        b"v",
        "wire.article.v1",
        0,
        7,
    )
    assert got.timestamp_ms == 1_700_000_000_500
