"""The agent's guard: a batch that was not written must never become committable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from faust.types.tuples import ConsumerMessage
from prometheus_client import REGISTRY

from pipeline.worker.agents.enrich import abandon, incoming, register
from pipeline.worker.processor import BatchReport, Incoming
from pipeline.worker.retry import Stopping


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


class FakeApp:
    """Captures what `register` hands to `app.agent`, and the agent body itself."""

    def agent(self, source: Any, *, name: str, concurrency: int) -> Callable[[Any], Any]:
        self.source, self.name, self.concurrency = source, name, concurrency

        def decorate(fun: Any) -> Any:
            self.fun = fun
            return fun

        return decorate


class FakeStream:
    """`take_events` yields the scripted batches and records how it was asked."""

    def __init__(self, *batches: list[int]) -> None:
        self.batches = [[SimpleNamespace(message=message(o)) for o in b] for b in batches]
        self.asked: tuple[int, float] | None = None
        self.yielded = 0

    async def take_events(self, n: int, within: float) -> AsyncIterator[list[Any]]:
        self.asked = (n, within)
        for batch in self.batches:
            self.yielded += 1
            yield batch


class ScriptedProcessor:
    def __init__(self, *outcomes: BaseException | None) -> None:
        self.outcomes = list(outcomes)
        self.seen: list[list[Incoming]] = []

    async def process(self, batch: list[Incoming]) -> BatchReport:
        self.seen.append(batch)
        outcome = self.outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return BatchReport(consumed=len(batch), indexed=len(batch))


def abandoned_batches() -> float:
    return REGISTRY.get_sample_value("wirestream_errors_total", {"stage": "batch"}) or 0.0


def agent_body(processor: ScriptedProcessor) -> tuple[FakeApp, Callable[[FakeStream], Any]]:
    app = FakeApp()
    register(app, "the-source-topic", processor, batch_size=7, within_s=0.25)
    return app, app.fun


def test_register_makes_one_named_agent_on_the_source_that_takes_batches():
    app, enrich = agent_body(ScriptedProcessor(None))
    assert (app.source, app.name, app.concurrency) == ("the-source-topic", "wirestream.enrich", 1)
    stream = FakeStream([1, 2])
    asyncio.run(enrich(stream))
    assert stream.asked == (7, 0.25)


def test_a_written_batch_is_counted_and_left_to_be_acked():
    processor = ScriptedProcessor(None, None)
    _, enrich = agent_body(processor)
    stream = FakeStream([1, 2], [3])
    before_in = REGISTRY.get_sample_value("wirestream_articles_in_total") or 0.0
    asyncio.run(enrich(stream))
    assert [[i.offset for i in batch] for batch in processor.seen] == [[1, 2], [3]]
    assert all(not e.message.acked for batch in stream.batches for e in batch)
    assert (REGISTRY.get_sample_value("wirestream_articles_in_total") or 0.0) == before_in + 3


def test_a_failed_batch_is_abandoned_counted_and_the_error_raised():
    processor = ScriptedProcessor(None, RuntimeError("elasticsearch exploded"), None)
    _, enrich = agent_body(processor)
    stream = FakeStream([1], [2, 3], [4])
    before = abandoned_batches()
    with pytest.raises(RuntimeError, match="exploded"):
        asyncio.run(enrich(stream))
    assert abandoned_batches() == before + 1
    good, failed, _ = stream.batches
    assert [e.message.acked for e in good] == [False]
    assert [e.message.acked for e in failed] == [True, True]  # their acks become no-ops
    assert stream.yielded == 2, "the stream ends at the failed batch"


def test_a_batch_interrupted_by_shutdown_is_abandoned_quietly_and_the_stream_ends():
    processor = ScriptedProcessor(Stopping(), None)
    _, enrich = agent_body(processor)
    stream = FakeStream([1, 2], [3])
    before = abandoned_batches()
    asyncio.run(enrich(stream))  # no exception: a shutdown is not an error
    assert abandoned_batches() == before
    assert [e.message.acked for e in stream.batches[0]] == [True, True]
    assert len(processor.seen) == 1 and stream.yielded == 1
