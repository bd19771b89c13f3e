"""The enrich agent: micro-batches from `wire.article.v1` into `BatchProcessor.process`.

How offsets are committed (faust-streaming 0.15, read from its source):

* `stream.take_events(n, within=t)` turns the stream's automatic acks off and yields a
  list of up to `n` events; it acks them in a `finally` after the `yield`, i.e. when the
  agent comes back for the next batch. An acked event's offset becomes committable; the
  consumer commits the highest contiguous acked offset per partition every
  `broker_commit_interval` seconds, on rebalance and on shutdown.
* The agent comes back for the next batch only after `process` returned, and `process`
  returns only after Elasticsearch and Kafka acknowledged everything. So a committed
  offset is always an indexed and published record.
* The trap: that `finally` also runs when the agent body raises or is cancelled (the
  generator is closed), which would ack a batch that was never written. `abandon` marks
  the batch's messages as acked *without* the consumer's bookkeeping, so the `finally`
  acks nothing and no offset of the batch is committed. The worker then stops (the
  `CrashingSupervisor` in `pipeline/worker/app.py`; on SIGTERM it is stopping anyway) rather
  than consuming past the hole, because Faust's commit would not reliably stop at it.
  On restart the batch is consumed again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import faust

from pipeline.observability.observe import record_abandoned_batch, record_batch
from pipeline.worker.processor import BatchProcessor, Incoming
from pipeline.worker.retry import Stopping

log = logging.getLogger(__name__)


def incoming(event: faust.EventT) -> Incoming:
    message = event.message
    return Incoming(
        key=message.key,
        value=message.value,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        timestamp_ms=int(message.timestamp * 1000) if message.timestamp else None,
    )


def abandon(events: Sequence[faust.EventT]) -> None:
    """Make the pending acks of these events no-ops, so their offsets are never committed."""
    for event in events:
        event.message.acked = True


def register(
    app: faust.App,
    source: faust.TopicT,
    processor: BatchProcessor,
    *,
    batch_size: int,
    within_s: float,
) -> faust.types.AgentT:
    async def enrich(stream: faust.StreamT) -> None:
        async for events in stream.take_events(batch_size, within=within_s):
            started = time.perf_counter()
            try:
                report = await processor.process([incoming(e) for e in events])
            except Stopping:
                # Shutdown interrupted a retry: abandon quietly and end the stream.
                abandon(events)
                log.warning(
                    "batch abandoned on shutdown; its offsets stay uncommitted",
                    extra={"events": len(events)},
                )
                return
            except BaseException as exc:  # includes CancelledError on shutdown
                abandon(events)
                record_abandoned_batch()
                log.error(
                    "batch abandoned; its offsets stay uncommitted",
                    extra={"events": len(events), "error": repr(exc)[:500]},
                )
                raise
            record_batch(report)
            log.info(
                "batch done",
                extra={
                    "consumed": report.consumed,
                    "indexed": report.indexed,
                    "stale": report.stale,
                    "deadlettered": report.deadlettered,
                    "published": report.published,
                    "took_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    return app.agent(source, name="wirestream.enrich", concurrency=1)(enrich)
