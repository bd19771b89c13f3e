"""End to end: file connector -> Kafka -> a real `wirestream worker` process -> Elasticsearch
and the output topics, on the real local stack, with topic and index names of its own.

The worker runs the default (full) enrichment chain unless `WIRESTREAM_ENRICH_CHAIN` is
set in the environment. One worker serves the module (its models load once), but each test
sends what it needs and reads the topics only from the offsets they had before it started,
so any test passes or fails on its own. Waits are bounded against a hang, never a speed
claim (speed is measured in bench/).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from worker_process import Deployment, Worker, create, remove_index

from connectors.article import REVISION_SPAN
from pipeline.contracts import schemas

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("WIRESTREAM_SHARED_DATA") or REPO.parent / "shared" / "data")
SAMPLE = SHARED_DATA.parent / "samples" / "wire-article-1.txt"
# Bounds that only stop a hung test; the worker normally needs a few seconds.
PROCESSED_WITHIN_S = float(os.environ.get("WIRESTREAM_E2E_PROCESSED_TIMEOUT_S", "300"))
STARTUP_TIMEOUT_S = float(os.environ.get("WIRESTREAM_E2E_STARTUP_TIMEOUT_S", "600"))

SECOND_ARTICLE = (
    "GENEVA (Wirestream) — Negotiators agreed on Tuesday to extend the grain corridor by "
    'another six months. "This is a good day for farmers everywhere," said Maria Lopez, '
    "the lead negotiator, after the all-night session.\n"
    "The agreement still needs the approval of the three governments involved.\n"
)


@pytest.fixture(scope="module")
def pipeline(
    kafka_bootstrap: str,
    es: Elasticsearch,
    _created_topics: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    state = tmp_path_factory.mktemp("worker")
    deployment = create(kafka_bootstrap, _created_topics, state)
    worker = Worker(deployment, state / "worker.log")
    try:
        worker.wait_ready(STARTUP_TIMEOUT_S)
        yield deployment
    finally:
        worker.stop()
        remove_index(es, deployment)


def end_offset(bootstrap: str, topic: str) -> int:
    """The next offset of partition 0: what a test sends from now on lands at or after it."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        partition = TopicPartition(topic, 0)
        return consumer.end_offsets([partition])[partition]
    finally:
        consumer.close()


def consume(
    bootstrap: str,
    topic: str,
    until: Callable[[list[Any]], bool],
    start: int = 0,
    timeout: float = PROCESSED_WITHIN_S,
) -> list[Any]:
    """A plain kafka-python consumer (no group) of `topic` from offset `start`, until
    `until(records)` holds or `timeout` passed (then the caller's assertion fails)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    records: list[Any] = []
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek(partition, start)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(records):
            for batch in consumer.poll(timeout_ms=250).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def offsets(pipeline: Deployment, bootstrap: str) -> dict[str, int]:
    return {kind: end_offset(bootstrap, topic) for kind, topic in pipeline.topics.items()}


def worker_log(pipeline: Deployment) -> str:
    return (pipeline.log.read_text() if pipeline.log else "")[-3000:]


def find(es: Elasticsearch, alias: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Enriched documents that match (the raw indexer's pending ones do not count)."""
    es.indices.refresh(index=alias)
    enriched = {"bool": {"must": [query], "filter": [{"term": {"enrichment.status": "done"}}]}}
    return es.search(index=alias, query=enriched, size=10)["hits"]["hits"]


def values(records: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in records]


def test_the_sample_is_searchable_with_its_quotes_and_speakers(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str
):
    assert SAMPLE.is_file(), f"the sample wire article is missing: {SAMPLE}"
    start = offsets(pipeline, kafka_bootstrap)
    pipeline.ingest(SAMPLE)
    # The worker publishes the enriched record only after Elasticsearch acknowledged it.
    enriched = consume(
        kafka_bootstrap,
        pipeline.topics["enriched"],
        lambda rs: any(b"deconfliction" in r.value for r in rs),
        start["enriched"],
    )
    records = [r for r in values(enriched) if "deconfliction" in r["body"]]
    assert records, f"the sample was not enriched:\n{worker_log(pipeline)}"
    record = records[0]
    schemas.validate(schemas.ENRICHED, record)
    assert record["quotes"] and record["enrichment"]["enrichers"]
    hits = find(es, pipeline.alias, {"match": {"body": "deconfliction"}})
    assert [hit["_id"] for hit in hits] == [record["id"]]

    result = pipeline.cli("search", "deconfliction line", "--json", "-n", "3")
    assert result.returncode == 0, result.stderr
    (doc,) = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert doc["id"] == record["id"]
    assert doc["dateline"]["place"] == "WASHINGTON" and doc["dateline"]["agency"] == "Sputnik"
    assert doc["quotes"], "the sample has quotes"
    assert any("Mattis" in (q["speaker"] or "") for q in doc["quotes"])

    human = pipeline.cli("search", "Euphrates", "--speaker", "Mattis")
    assert human.returncode == 0, human.stderr
    assert "WASHINGTON" in human.stdout and "Mattis:" in human.stdout

    if "embedding.minilm.v2" in doc["enrichment"]["enrichers"]:
        semantic = pipeline.cli("search", "--semantic", "US and Russian forces in Syria", "--json")
        assert semantic.returncode == 0, semantic.stderr
        assert [orjson.loads(line)["id"] for line in semantic.stdout.splitlines()][:1] == [
            doc["id"]
        ]

    # One news.quote.v1 record per quote of the article, in order: none missing.
    wanted = [f"{record['id']}:{n}" for n in range(len(record["quotes"]))]

    def its_quotes(rs: list[Any]) -> list[dict[str, Any]]:
        return [q for q in values(rs) if q["article_id"] == record["id"]]

    quotes = its_quotes(
        consume(
            kafka_bootstrap,
            pipeline.topics["quote"],
            lambda rs: len(its_quotes(rs)) >= len(wanted),
            start["quote"],
        )
    )
    assert [q["quote_id"] for q in quotes] == wanted
    for quote, source in zip(quotes, record["quotes"], strict=True):
        schemas.validate(schemas.QUOTE, quote)
        assert (quote["text"], quote["speaker"]) == (source["text"], source["speaker"])


def test_reingesting_the_sample_leaves_exactly_one_document(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str
):
    start = offsets(pipeline, kafka_bootstrap)
    pipeline.ingest(SAMPLE)
    pipeline.ingest(SAMPLE)
    # Two enriched records for the same id means the worker indexed both sends.
    enriched = consume(
        kafka_bootstrap,
        pipeline.topics["enriched"],
        lambda rs: sum(b"deconfliction" in r.value for r in rs) >= 2,
        start["enriched"],
    )
    ids = [r["id"] for r in values(enriched) if "deconfliction" in r["body"]]
    assert len(ids) == 2, f"expected both sends enriched:\n{worker_log(pipeline)}"
    assert len(set(ids)) == 1
    assert len(find(es, pipeline.alias, {"match": {"body": "deconfliction"}})) == 1
    assert es.count(index=pipeline.alias, query={"ids": {"values": ids}})["count"] == 1


def test_a_newer_revision_arriving_first_is_not_overwritten_by_the_older(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str
):
    start = offsets(pipeline, kafka_bootstrap)
    article_id = uuid.uuid4().hex

    def revision(n: int, body: str) -> dict[str, Any]:
        return {
            "schema": "wire.article.v1",
            "id": article_id,
            "source": "e2e-revisions",
            "body": body,
            "received_at": "2026-11-25T10:00:00.000Z",
            "revision": n * REVISION_SPAN,
        }

    newer = revision(2, "LISBON (Wire) - The ferry strike ended on Friday, the union said.\n")
    older = revision(1, "LISBON (Wire) - The ferry strike entered a third day on Thursday.\n")
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        for record in (newer, older):  # the higher revision first, on one partition
            producer.send(
                pipeline.topics["article"], key=article_id.encode(), value=orjson.dumps(record)
            ).get(30)
    finally:
        producer.close()

    # Both are processed once the worker committed past them (the older as stale).
    deadline = time.monotonic() + PROCESSED_WITHIN_S
    while (pipeline.committed() or 0) < start["article"] + 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (pipeline.committed() or 0) >= start["article"] + 2, worker_log(pipeline)

    assert es.get(index=pipeline.alias, id=article_id)["_source"]["body"] == newer["body"]
    published = consume(
        kafka_bootstrap,
        pipeline.topics["enriched"],
        lambda rs: False,  # read what is there: the stale one must never be published
        start["enriched"],
        timeout=5,
    )
    mine = [r for r in values(published) if r["id"] == article_id]
    assert [r["body"] for r in mine] == [newer["body"]]


def test_malformed_records_are_dead_lettered_and_the_next_good_one_is_indexed(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str, tmp_path: Path
):
    start = offsets(pipeline, kafka_bootstrap)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        producer.send(
            pipeline.topics["article"], key=b"garbage", value=b"\xff\xfe{not json at all"
        ).get(30)
        invalid = {"schema": "wire.article.v1", "id": "not-an-id", "body": 42}
        producer.send(pipeline.topics["article"], value=orjson.dumps(invalid)).get(30)
    finally:
        producer.close()
    good = tmp_path / "grain.txt"
    good.write_text(SECOND_ARTICLE, encoding="utf-8")
    pipeline.ingest(good)

    dead = consume(
        kafka_bootstrap,
        pipeline.topics["deadletter"],
        lambda rs: len(rs) >= 2,
        start["deadletter"],
    )
    letters = values(dead)
    for letter in letters:
        schemas.validate(schemas.DEADLETTER, letter)
    by_stage = {letter["stage"]: letter for letter in letters}
    assert set(by_stage) == {"decode", "validate"}, letters
    assert by_stage["decode"]["original"]["encoding"] == "base64"
    assert by_stage["decode"]["error_message"]
    assert (
        "id" in by_stage["validate"]["error_message"]
        and "received_at" in by_stage["validate"]["error_message"]
    )

    enriched = consume(
        kafka_bootstrap,
        pipeline.topics["enriched"],
        lambda rs: any(b"grain corridor" in r.value for r in rs),
        start["enriched"],
    )
    assert any(b"grain corridor" in r.value for r in enriched), (
        f"the good record after the bad ones was not indexed:\n{worker_log(pipeline)}"
    )
    assert find(es, pipeline.alias, {"match": {"body": "grain corridor"}})

    # `wirestream deadletter list` reads the whole topic: only this test sends bad records.
    listed = pipeline.cli("deadletter", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {orjson.loads(line)["stage"] for line in listed.stdout.splitlines()} == {
        "decode",
        "validate",
    }
