"""End to end: file connector -> Kafka -> a real `wirestream worker` process -> Elasticsearch
and the output topics, on the real local stack, with topic and index names of its own.

The worker runs the default (full) enrichment chain unless `WIRESTREAM_ENRICH_CHAIN` is
set in the environment. Its model loading is not timed: the clock starts at the ingest,
after the worker logged `worker ready`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from worker_process import Deployment, Worker, create, remove_index

from pipeline.contracts import schemas

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("WIRESTREAM_SHARED_DATA") or REPO.parent / "shared" / "data")
SAMPLE = SHARED_DATA.parent / "samples" / "wire-article-1.txt"
SEARCHABLE_WITHIN_S = 10.0
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


def consume(
    bootstrap: str, topic: str, until: Callable[[list[Any]], bool], timeout: float
) -> list[Any]:
    """A plain kafka-python consumer (no group) from the beginning of `topic`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    records: list[Any] = []
    try:
        consumer.assign([TopicPartition(topic, 0)])
        consumer.seek_to_beginning()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(records):
            for batch in consumer.poll(timeout_ms=250).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def find(es: Elasticsearch, alias: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Enriched documents that match (the raw indexer's pending ones come first)."""
    enriched = {"bool": {"must": [query], "filter": [{"term": {"enrichment.status": "done"}}]}}
    return es.search(index=alias, query=enriched, size=10)["hits"]["hits"]


def test_the_sample_is_searchable_with_quotes_and_speakers_within_10_s(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str
):
    assert SAMPLE.is_file(), f"the sample wire article is missing: {SAMPLE}"
    started = time.monotonic()
    pipeline.ingest(SAMPLE)
    hits: list[dict[str, Any]] = []
    while time.monotonic() - started < SEARCHABLE_WITHIN_S and not hits:
        hits = find(es, pipeline.alias, {"match": {"body": "deconfliction"}})
        if not hits:
            time.sleep(0.2)
    took = time.monotonic() - started
    print(f"\nsearchable {took:.2f} s after the ingest started")
    assert hits, (
        f"not searchable within {SEARCHABLE_WITHIN_S} s:\n{(pipeline.log.read_text() if pipeline.log else '')[-3000:]}"
    )

    result = pipeline.cli("search", "deconfliction line", "--json", "-n", "3")
    assert result.returncode == 0, result.stderr
    (doc,) = [orjson.loads(line) for line in result.stdout.splitlines()]
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

    enriched = consume(
        kafka_bootstrap,
        pipeline.topics["enriched"],
        lambda rs: any(orjson.loads(r.value)["id"] == doc["id"] for r in rs),
        10,
    )
    record = next(
        orjson.loads(r.value) for r in enriched if orjson.loads(r.value)["id"] == doc["id"]
    )
    schemas.validate(schemas.ENRICHED, record)
    assert record["quotes"] and record["enrichment"]["enrichers"]
    quotes = consume(
        kafka_bootstrap,
        pipeline.topics["quote"],
        lambda rs: len(rs) >= len(record["quotes"]),
        10,
    )
    for quote in quotes:
        schemas.validate(schemas.QUOTE, orjson.loads(quote.value))


def test_reingesting_the_sample_leaves_exactly_one_document(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str
):
    pipeline.ingest(SAMPLE)
    pipeline.ingest(SAMPLE)
    # Two more enriched records for the same id means the worker indexed both re-sends.
    enriched = consume(
        kafka_bootstrap,
        pipeline.topics["enriched"],
        lambda rs: sum(b"deconfliction" in r.value for r in rs) >= 3,
        20,
    )
    ids = {orjson.loads(r.value)["id"] for r in enriched if b"deconfliction" in r.value}
    assert len(ids) == 1 and sum(b"deconfliction" in r.value for r in enriched) >= 3
    es.indices.refresh(index=pipeline.alias)
    assert es.count(index=pipeline.alias, query={"match": {"body": "deconfliction"}})["count"] == 1
    assert es.count(index=pipeline.alias, query={"ids": {"values": list(ids)}})["count"] == 1


def test_malformed_records_are_dead_lettered_and_the_next_good_one_is_indexed(
    pipeline: Deployment, es: Elasticsearch, kafka_bootstrap: str, tmp_path: Path
):
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

    dead = consume(kafka_bootstrap, pipeline.topics["deadletter"], lambda rs: len(rs) >= 2, 20)
    letters = [orjson.loads(r.value) for r in dead]
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

    deadline = time.monotonic() + SEARCHABLE_WITHIN_S
    hits: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not hits:
        hits = find(es, pipeline.alias, {"match": {"body": "grain corridor"}})
        time.sleep(0.2)
    assert hits, (
        f"the good record after the bad ones was not indexed:\n{(pipeline.log.read_text() if pipeline.log else '')[-3000:]}"
    )

    listed = pipeline.cli("deadletter", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {orjson.loads(line)["stage"] for line in listed.stdout.splitlines()} == {
        "decode",
        "validate",
    }
