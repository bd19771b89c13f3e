"""The work of one micro-batch: decode, enrich, index, publish, dead-letter.

`process` returns only when every outcome of the batch is durable: enriched documents
acknowledged by Elasticsearch, enriched and quote records and dead letters acknowledged
by Kafka. The caller (the Faust agent) acks the batch's offsets only after that, so a
crash anywhere in here leaves the batch uncommitted and it is processed again (at least
once; the writes are idempotent by article id).

Failure policies (settings): a bad record is dead-lettered or stops the worker; a
document Elasticsearch refuses is dead-lettered or stops the worker; Elasticsearch or
Kafka being unavailable is retried forever with capped backoff (consumption pauses,
memory stays bounded by the batch) or stops the worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from pipeline.contracts import schemas
from pipeline.enrich.runner import EnrichmentRunner, Failure
from pipeline.observability.metrics import metrics
from pipeline.settings import FailurePolicy, TopicSettings, WorkerSettings
from pipeline.sinks.elasticsearch import ElasticsearchSink, Rejection
from pipeline.worker import deadletter, pubstatus
from pipeline.worker.incoming import Incoming
from pipeline.worker.retry import Backoff, StopSignal

log = logging.getLogger(__name__)


class BadRecordPolicyError(RuntimeError):
    """A record failed and the policy for it is `fail`: the worker stops without committing."""


class Publisher(Protocol):
    async def send(self, topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]:
        """Hand one record to the producer; the returned awaitable resolves on broker ack."""
        ...


@dataclass
class BatchReport:
    consumed: int = 0
    indexed: int = 0
    stale: int = 0
    deadlettered: int = 0
    published: int = 0
    stages: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Outgoing:
    topic: str
    key: bytes | None
    value: bytes
    origin: Incoming | None = None  # the consumed record it derives from (for dead-lettering)


class BatchProcessor:
    def __init__(
        self,
        runner: EnrichmentRunner,
        sink: ElasticsearchSink,
        publisher: Publisher,
        *,
        worker: WorkerSettings | None = None,
        topics: TopicSettings | None = None,
        backoff: Backoff | None = None,
        stop: StopSignal | None = None,
    ) -> None:
        self.runner = runner
        self.sink = sink
        self.publisher = publisher
        self.worker = worker or WorkerSettings()
        self.topics = topics or TopicSettings()
        self.backoff = backoff or Backoff(sink.settings.retry_initial_s, sink.settings.retry_max_s)
        # Backoff sleeps end early with `Stopping` on shutdown (the batch is then abandoned).
        self._sleep = stop.sleep if stop else asyncio.sleep
        for name in ("on_bad_record", "on_rejected_document"):
            if getattr(self.worker, name) is FailurePolicy.RETRY:
                raise ValueError(
                    f"{name}=retry: retrying cannot fix a bad record; use deadletter or fail"
                )

    async def process(self, batch: Sequence[Incoming]) -> BatchReport:
        report = BatchReport(consumed=len(batch))
        outgoing: list[_Outgoing] = []

        articles: list[Any] = []
        origin: dict[int, Incoming] = {}
        for message in batch:
            try:
                article = orjson.loads(message.value or b"")
            except orjson.JSONDecodeError as exc:
                outgoing.append(self._dead(message, "decode", exc, report))
                continue
            if not isinstance(article, dict):
                # Checked here, not by the runner: failures are matched to their message by
                # object identity, and `null`, `true` or small numbers are shared objects.
                reason = f"not a {schemas.ARTICLE} record: a JSON {type(article).__name__}, not an object"
                outgoing.append(
                    self._dead(message, "validate", _NamedError("SchemaError", reason), report)
                )
                continue
            articles.append(article)
            origin[id(article)] = message

        # Kills and withholds are not enriched: they become withdrawal records (pubstatus.py).
        to_enrich, withdrawals = pubstatus.split(articles)
        with metrics().enrichment_seconds.time():
            oks, errs = (
                await asyncio.to_thread(self.runner.run, to_enrich) if to_enrich else ([], [])
            )
        for failure in errs:
            outgoing.append(self._dead_failure(origin[id(failure.record)], failure, report))

        # The runner keeps input order, so the survivors pair up with its outputs one to one
        # (by position, not by id: a batch may hold two revisions of one article).
        failed = {id(failure.record) for failure in errs}
        survivors = [article for article in to_enrich if id(article) not in failed]
        output_of = {id(art): rec for art, rec in zip(survivors, oks, strict=True)}
        for article in withdrawals:
            record = self._withdrawal(article, origin[id(article)], outgoing, report)
            if record is not None:
                output_of[id(article)] = record
        # Input order again across both kinds: a story and its withhold in one batch are
        # published in the order they came.
        oks = [output_of[id(art)] for art in articles if id(art) in output_of]
        source_of = {
            id(output_of[id(art)]): origin[id(art)] for art in articles if id(art) in output_of
        }
        if oks:
            forever = self.worker.on_unavailable is FailurePolicy.RETRY
            with metrics().es_bulk_seconds.time():
                result = await self.sink.write(oks, forever=forever)
            metrics().es_bulk_errors.inc(len(result.rejected))
            report.indexed, report.stale = len(result.indexed), len(result.stale)
            not_written = {id(rejection.document) for rejection in result.rejected}
            not_written |= {id(doc) for doc in result.stale_documents}  # lost to a newer revision
            for rejection in result.rejected:
                source = source_of[id(rejection.document)]
                outgoing.append(self._dead_rejection(source, rejection, report))
            indexed = set(result.indexed)
            now = datetime.now(UTC)  # after the write: an embargo that ended meanwhile is out
            for record in oks:
                if record["id"] not in indexed or id(record) in not_written:
                    continue
                key = record["id"].encode()
                source = source_of[id(record)]
                # An embargoed record publishes nothing now (pipeline/worker/embargo.py does).
                for kind, value in pubstatus.outputs(record, now):
                    topic = self.topics.enriched if kind == "enriched" else self.topics.quote
                    outgoing.append(_Outgoing(topic, key, orjson.dumps(value), source))
            # A stale document lost to a newer revision already indexed: publishing it would
            # hand consumers an older version after the newer one.

        report.published = await self._publish(outgoing, report)
        return report

    def _withdrawal(
        self, article: Any, message: Incoming, outgoing: list[_Outgoing], report: BatchReport
    ) -> dict[str, Any] | None:
        """The withdrawal record of a valid kill or withhold; an invalid one is dead-lettered."""
        problems = list(schemas.errors(schemas.ARTICLE, article))
        if problems:
            reason = f"not a valid {schemas.ARTICLE} record: " + "; ".join(problems[:10])
            error = _NamedError("SchemaError", reason)
            article_id = article.get("id") if isinstance(article.get("id"), str) else None
            outgoing.append(self._dead(message, "validate", error, report, article_id))
            return None
        return pubstatus.withdrawal_record(
            article, model=self.runner.model, version=self.runner.version
        )

    def _dead(
        self,
        message: Incoming,
        stage: str,
        error: BaseException | str,
        report: BatchReport,
        article_id: str | None = None,
    ) -> _Outgoing:
        if self.worker.on_bad_record is FailurePolicy.FAIL:
            raise BadRecordPolicyError(
                f"{stage} failure at {message.topic}/{message.partition}@{message.offset}: {error}"
            )
        report.deadlettered += 1
        report.stages[stage] = report.stages.get(stage, 0) + 1
        record = deadletter.from_incoming(message, stage=stage, error=error, article_id=article_id)
        log.warning(
            "dead-lettered a record",
            extra={
                "stage": stage,
                "article_id": article_id,
                "offset": message.offset,
                "partition": message.partition,
                "error": record["error_message"][:300],
            },
        )
        return _Outgoing(self.topics.deadletter, message.key, orjson.dumps(record))

    def _dead_failure(self, message: Incoming, failure: Failure, report: BatchReport) -> _Outgoing:
        error = _NamedError(failure.error_class, failure.message)
        return self._dead(message, failure.stage, error, report, failure.article_id)

    def _dead_rejection(
        self, message: Incoming, rejection: Rejection, report: BatchReport
    ) -> _Outgoing:
        if self.worker.on_rejected_document is FailurePolicy.FAIL:
            raise BadRecordPolicyError(
                f"elasticsearch refused {rejection.document['id']}: {rejection.message}"
            )
        error = _NamedError(rejection.error_type, rejection.message)
        doc_id = rejection.document["id"]
        # The bad-record policy is about input; a refused document has its own policy (above).
        report.deadlettered += 1
        report.stages["index"] = report.stages.get("index", 0) + 1
        record = deadletter.from_incoming(message, stage="index", error=error, article_id=doc_id)
        log.warning(
            "dead-lettered a refused document",
            extra={"article_id": doc_id, "error": rejection.message[:300]},
        )
        return _Outgoing(self.topics.deadletter, message.key, orjson.dumps(record))

    async def _publish(self, outgoing: list[_Outgoing], report: BatchReport) -> int:
        """Send everything, then wait for every ack; resend what failed with capped backoff.

        A record Kafka refuses for good (e.g. larger than the broker accepts) is replaced by
        a dead letter (stage `publish`); everything else is retried. Returns records acked.
        """
        pending = outgoing
        attempt = 0
        published = 0
        while pending:
            futures = [await self._send(o) for o in pending]
            results = await asyncio.gather(*futures, return_exceptions=True)
            failed: list[_Outgoing] = []
            for item, result in zip(pending, results, strict=True):
                if not isinstance(result, Exception):
                    published += 1
                elif (
                    _permanent(result)
                    and item.origin is not None
                    and item.topic != self.topics.deadletter
                ):
                    failed.append(self._dead_output(item, _permanent(result) or result, report))
                else:
                    failed.append(item)
            if not failed:
                return published
            errors = {repr(r)[:200] for r in results if isinstance(r, Exception)}
            if self.worker.on_unavailable is FailurePolicy.FAIL:
                raise ConnectionError(f"Kafka did not acknowledge {len(failed)} records: {errors}")
            log.warning(
                "Kafka did not acknowledge records; resending",
                extra={"records": len(failed), "attempt": attempt + 1, "errors": sorted(errors)},
            )
            await self._sleep(self.backoff.delay(attempt))
            attempt += 1
            pending = failed

    async def _send(self, item: _Outgoing) -> Awaitable[Any]:
        # The producer may refuse a record at once (e.g. too large) instead of through the
        # delivery future; both end up in the same place.
        try:
            return await self.publisher.send(item.topic, item.key, item.value)
        except Exception as exc:
            failed = asyncio.get_running_loop().create_future()
            failed.set_exception(exc)
            return failed

    def _dead_output(self, item: _Outgoing, error: BaseException, report: BatchReport) -> _Outgoing:
        assert item.origin is not None
        article_id = item.key.decode() if item.key else None
        if self.worker.on_rejected_document is FailurePolicy.FAIL:
            raise BadRecordPolicyError(
                f"Kafka refused the {item.topic} record of {article_id}: {error!r}"
            )
        report.deadlettered += 1
        report.stages["publish"] = report.stages.get("publish", 0) + 1
        message = f"{item.topic} refused the record ({len(item.value):,} bytes): {error!r}"
        record = deadletter.from_incoming(
            item.origin,
            stage="publish",
            error=_NamedError(type(error).__name__, message),
            article_id=article_id,
        )
        log.warning(
            "dead-lettered an output Kafka refused",
            extra={"article_id": article_id, "error": message[:300]},
        )
        return _Outgoing(self.topics.deadletter, item.origin.key, orjson.dumps(record))


# aiokafka marks these non-retriable, yet they only mean "not now": the broker is away.
_TRANSIENT = frozenset(
    {"KafkaTimeoutError", "RequestTimedOutError", "KafkaConnectionError", "NodeNotReadyError"}
)


def _permanent(error: BaseException) -> BaseException | None:
    """The Kafka error behind `error` that a resend cannot fix (too large, invalid, not
    authorised), or None. Faust wraps the producer's error (`ProducerSendError` from
    `MessageSizeTooLargeError`), so the whole cause chain is read."""
    seen: BaseException | None = error
    while seen is not None:
        if getattr(seen, "retriable", True) is False and type(seen).__name__ not in _TRANSIENT:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class _NamedError(Exception):
    """Carries an error class name from a `Failure` into the dead-letter record."""

    def __init__(self, class_name: str, message: str) -> None:
        super().__init__(message)
        self.class_name = class_name
