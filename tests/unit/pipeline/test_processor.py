"""One micro-batch: every outcome is durable before `process` returns; bad records are data."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from pipeline.contracts import schemas
from pipeline.enrich.runner import EnrichmentRunner
from pipeline.settings import FailurePolicy, TopicSettings, WorkerSettings
from pipeline.sinks.elasticsearch import Rejection, SinkUnavailable, WriteResult
from pipeline.worker.processor import BadRecordPolicyError, BatchProcessor, Incoming
from pipeline.worker.retry import Backoff

TOPICS = TopicSettings()


def article(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "schema": "wire.article.v1",
        "id": f"{n:032x}",
        "source": "test",
        "body": f"Article {n}.",
        "received_at": "2026-11-25T09:00:00Z",
        **extra,
    }


def message(value: bytes, offset: int = 0, key: bytes | None = None) -> Incoming:
    return Incoming(key=key, value=value, topic="wire.article.v1", partition=0, offset=offset)


class Quoter:
    name = "fake.quotes.v1"

    def enrich(self, records) -> None:
        for record in records:
            record["quotes"] = [
                {"text": "x", "speaker": "Jane Doe", "kind": "direct", "start": 0, "end": 1}
            ]


class FakeSink:
    def __init__(
        self,
        reject: set[str] = frozenset(),
        stale: set[str] = frozenset(),
        fail: Exception | None = None,
    ) -> None:
        self.reject, self.stale, self.fail = reject, stale, fail
        self.written: list[dict[str, Any]] = []
        self.settings = type("S", (), {"retry_initial_s": 0.0, "retry_max_s": 0.0})()

    async def write(self, docs, *, forever: bool = False, max_attempts=None) -> WriteResult:
        if self.fail:
            raise self.fail
        result = WriteResult()
        for doc in docs:
            if doc["id"] in self.reject:
                result.rejected.append(Rejection(doc, 400, "document_parsing_exception", "bad"))
            elif doc["id"] in self.stale:
                result.stale.append(doc["id"])
                result.stale_documents.append(doc)
            else:
                self.written.append(doc)
                result.indexed.append(doc["id"])
        return result


class RevisionSink(FakeSink):
    """Applies `external_gte` in bulk order, like Elasticsearch: a lower revision than the one
    held (also one written earlier in the same bulk) is stale."""

    def __init__(self) -> None:
        super().__init__()
        self.held: dict[str, int] = {}

    async def write(self, docs, *, forever: bool = False, max_attempts=None) -> WriteResult:
        result = WriteResult()
        for doc in docs:
            if doc["revision"] < self.held.get(doc["id"], -1):
                result.stale.append(doc["id"])
                result.stale_documents.append(doc)
            else:
                self.held[doc["id"]] = doc["revision"]
                self.written.append(doc)
                result.indexed.append(doc["id"])
        return result


class TooLarge(Exception):
    retriable = False  # like aiokafka's MessageSizeTooLargeError


class FakePublisher:
    def __init__(self, failures: int = 0, refuse: str | None = None) -> None:
        self.sent: list[tuple[str, bytes | None, dict[str, Any]]] = []
        self.failures = failures
        self.refuse = refuse

    async def send(self, topic: str, key: bytes | None, value: bytes):
        future = asyncio.get_running_loop().create_future()
        if topic == self.refuse:
            # Refused at once, wrapped, as Faust does with aiokafka's MessageSizeTooLargeError.
            try:
                raise TooLarge("message too large")
            except TooLarge as exc:
                raise RuntimeError("Error while sending") from exc
        elif self.failures:
            self.failures -= 1
            future.set_exception(ConnectionError("broker gone"))
        else:
            self.sent.append((topic, key, orjson.loads(value)))
            future.set_result(None)
        return future

    def on(self, topic: str) -> list[dict[str, Any]]:
        return [value for t, _, value in self.sent if t == topic]


def processor(sink=None, publisher=None, **worker: Any) -> BatchProcessor:
    return BatchProcessor(
        EnrichmentRunner([Quoter()]),
        sink or FakeSink(),
        publisher or FakePublisher(),
        worker=WorkerSettings(**worker),
        topics=TOPICS,
        backoff=Backoff(0.0, 0.0),
    )


def run(proc: BatchProcessor, batch: list[Incoming]):
    return asyncio.run(proc.process(batch))


def test_good_records_are_indexed_and_published_with_their_quotes():
    publisher, sink = FakePublisher(), FakeSink()
    report = run(processor(sink, publisher), [message(orjson.dumps(article(1)))])
    assert report.indexed == 1 and report.deadlettered == 0
    assert [d["id"] for d in sink.written] == [article(1)["id"]]
    (enriched,) = publisher.on(TOPICS.enriched)
    schemas.validate(schemas.ENRICHED, enriched)
    (quote,) = publisher.on(TOPICS.quote)
    schemas.validate(schemas.QUOTE, quote)
    assert {key for _, key, _ in publisher.sent} == {article(1)["id"].encode()}


def test_bytes_that_are_not_json_become_a_decode_dead_letter_with_the_original():
    publisher = FakePublisher()
    report = run(
        processor(publisher=publisher),
        [message(b"\xff\xfe not json", 7), message(orjson.dumps(article(2)), 8)],
    )
    assert report.indexed == 1 and report.stages == {"decode": 1}
    (dead,) = publisher.on(TOPICS.deadletter)
    schemas.validate(schemas.DEADLETTER, dead)
    assert dead["stage"] == "decode" and dead["original"]["encoding"] == "base64"
    assert dead["original"]["offset"] == 7


def test_a_schema_invalid_record_is_dead_lettered_with_the_schema_error():
    publisher = FakePublisher()
    bad = article(3)
    del bad["received_at"]
    run(processor(publisher=publisher), [message(orjson.dumps(bad))])
    (dead,) = publisher.on(TOPICS.deadletter)
    assert dead["stage"] == "validate" and dead["error_class"] == "SchemaError"
    assert "received_at" in dead["error_message"]
    assert dead["article_id"] == bad["id"]
    assert publisher.on(TOPICS.enriched) == []


def test_a_document_elasticsearch_refuses_is_dead_lettered_and_not_published():
    publisher = FakePublisher()
    sink = FakeSink(reject={article(4)["id"]})
    report = run(processor(sink, publisher), [message(orjson.dumps(article(4)))])
    (dead,) = publisher.on(TOPICS.deadletter)
    assert dead["stage"] == "index" and dead["error_class"] == "document_parsing_exception"
    assert publisher.on(TOPICS.enriched) == [] and report.stages == {"index": 1}


def test_a_stale_revision_is_neither_published_nor_dead_lettered():
    publisher = FakePublisher()
    sink = FakeSink(stale={article(5)["id"]})
    report = run(processor(sink, publisher), [message(orjson.dumps(article(5, revision=1)))])
    assert report.stale == 1 and publisher.sent == []


def test_the_older_revision_behind_a_newer_one_in_the_same_batch_is_not_published():
    publisher, sink = FakePublisher(), RevisionSink()
    newer = article(9, revision=2, body="The strike ended.")
    older = article(9, revision=1, body="The strike goes on.")
    report = run(
        processor(sink, publisher),
        [message(orjson.dumps(newer), 0), message(orjson.dumps(older), 1)],
    )
    assert (report.indexed, report.stale) == (1, 1)
    assert [d["body"] for d in sink.written] == ["The strike ended."]
    assert [r["body"] for r in publisher.on(TOPICS.enriched)] == ["The strike ended."]
    assert len(publisher.on(TOPICS.quote)) == 1


def test_unacknowledged_records_are_resent_until_kafka_acks():
    publisher = FakePublisher(failures=2)
    run(processor(publisher=publisher), [message(orjson.dumps(article(6)))])
    assert len(publisher.on(TOPICS.enriched)) == 1


def test_fail_policies_raise_so_the_batch_is_not_committed():
    with pytest.raises(BadRecordPolicyError):
        run(processor(on_bad_record=FailurePolicy.FAIL), [message(b"nope")])
    with pytest.raises(ConnectionError):
        run(
            processor(publisher=FakePublisher(failures=1), on_unavailable=FailurePolicy.FAIL),
            [message(orjson.dumps(article(7)))],
        )
    with pytest.raises(SinkUnavailable):
        run(
            processor(
                FakeSink(fail=SinkUnavailable("down", [])), on_unavailable=FailurePolicy.FAIL
            ),
            [message(orjson.dumps(article(8)))],
        )


@pytest.mark.parametrize("policy", ["on_bad_record", "on_rejected_document"])
def test_retry_is_refused_as_a_policy_for_bad_records(policy: str):
    with pytest.raises(ValueError, match=f"{policy}=retry"):
        processor(**{policy: FailurePolicy.RETRY})


def test_a_refused_document_under_the_fail_policy_raises_and_nothing_is_published():
    publisher = FakePublisher()
    sink = FakeSink(reject={article(11)["id"]})
    proc = processor(sink, publisher, on_rejected_document=FailurePolicy.FAIL)
    with pytest.raises(BadRecordPolicyError, match=f"elasticsearch refused {article(11)['id']}"):
        run(proc, [message(orjson.dumps(article(11))), message(orjson.dumps(article(12)), 1)])
    assert publisher.sent == []  # not even the good record: the batch stays uncommitted


def test_an_output_kafka_refuses_under_the_fail_policy_raises_instead_of_dead_lettering():
    publisher = FakePublisher(refuse=TOPICS.enriched)
    proc = processor(publisher=publisher, on_rejected_document=FailurePolicy.FAIL)
    with pytest.raises(BadRecordPolicyError, match="Kafka refused the"):
        run(proc, [message(orjson.dumps(article(13)))])
    assert publisher.on(TOPICS.deadletter) == []


def test_an_output_kafka_refuses_for_good_becomes_a_publish_dead_letter():
    publisher = FakePublisher(refuse=TOPICS.enriched)
    report = run(processor(publisher=publisher), [message(orjson.dumps(article(9)), 3)])
    (dead,) = publisher.on(TOPICS.deadletter)
    assert dead["stage"] == "publish" and dead["error_class"] == "TooLarge"
    assert dead["article_id"] == article(9)["id"] and dead["original"]["offset"] == 3
    assert len(publisher.on(TOPICS.quote)) == 1 and report.stages == {"publish": 1}


def test_json_that_is_not_an_object_is_dead_lettered_against_its_own_message():
    publisher = FakePublisher()
    batch = [message(b"null", 1), message(b"null", 2), message(b"[1, 2]", 3), message(b"7", 4)]
    report = run(processor(publisher=publisher), batch)
    letters = publisher.on(TOPICS.deadletter)
    assert [d["original"]["offset"] for d in letters] == [1, 2, 3, 4]
    assert {d["stage"] for d in letters} == {"validate"} and report.deadlettered == 4
    assert "not an object" in letters[2]["error_message"]


def test_two_revisions_of_one_article_in_a_batch_are_both_indexed_and_published_in_order():
    publisher, sink = FakePublisher(), FakeSink()
    first = article(10, body="First version.", revision=1)
    second = article(10, body="Second version.", revision=2)
    run(
        processor(sink, publisher),
        [message(orjson.dumps(first), 1), message(orjson.dumps(second), 2)],
    )
    assert [d["body"] for d in sink.written] == ["First version.", "Second version."]
    assert [r["body"] for r in publisher.on(TOPICS.enriched)] == [
        "First version.",
        "Second version.",
    ]
