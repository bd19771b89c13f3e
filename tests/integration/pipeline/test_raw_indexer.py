"""Index first, enrich after, against the real Kafka and Elasticsearch.

The raw indexer makes an article searchable as pending; the enriched write replaces it; and
a raw write never replaces an enriched document or a newer revision, in either order.
"""

from __future__ import annotations

import threading
import time

import orjson
import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaProducer
from test_elasticsearch_sink import enriched, es_settings, write  # noqa: F401  (fixture)

from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings, TopicSettings, WorkerSettings
from pipeline.sinks.index_setup import ensure_index, mapped_fields
from pipeline.worker.raw_indexer import RawIndexer, RawReport, RawWriter, raw_document
from pipeline.worker.retry import Backoff

pytestmark = pytest.mark.integration

REVISION = 1_000_000_000_000 * 10 + 1_764_000_000_000  # source version 1, a receive time


def article(n: int, revision: int = REVISION, body: str | None = None) -> dict:
    return {
        "schema": "wire.article.v1",
        "id": f"{n:032x}",
        "source": "test",
        "headline": f"Headline {n}",
        "body": body or f"GENEVA (Wirestream) — Talks on item {n} resumed on Monday.",
        "received_at": "2026-11-25T09:00:00Z",
        "revision": revision,
    }


def raw_write(es: Elasticsearch, alias: str, articles: list[dict]) -> RawReport:
    report = RawReport()
    docs = [raw_document(a, mapped_fields()) for a in articles]
    assert RawWriter(es, alias, Backoff(0.01, 0.1), refresh="true").write(docs, report)
    return report


def get(es: Elasticsearch, alias: str, n: int) -> dict:
    return es.get(index=alias, id=f"{n:032x}").body["_source"]


def test_a_raw_write_never_replaces_an_enriched_document(es, es_settings):  # noqa: F811
    ensure_index(es, es_settings)
    write(
        es_settings,
        [
            enriched(
                1,
                revision=REVISION,
                enrichment={"status": "done", "model": "m", "version": "v", "took_ms": 1.0},
            )
        ],
    )
    report = raw_write(es, es_settings.alias, [article(1)])
    assert (report.created, report.existing) == (0, 1)
    assert get(es, es_settings.alias, 1)["enrichment"]["status"] == "done"


def test_the_enriched_write_replaces_the_pending_document(es, es_settings):  # noqa: F811
    ensure_index(es, es_settings)
    report = raw_write(es, es_settings.alias, [article(2)])
    assert report.created == 1
    pending = get(es, es_settings.alias, 2)
    assert pending["enrichment"] == {"status": "pending"}
    assert "enriched_at" not in pending
    assert pending["dateline"]["place"] == "GENEVA"
    result = write(
        es_settings, [enriched(2, revision=REVISION, enriched_at="2026-11-25T09:00:01Z")]
    )
    assert result.indexed == [f"{2:032x}"]
    assert get(es, es_settings.alias, 2)["enriched_at"] == "2026-11-25T09:00:01Z"


def test_a_raw_write_of_an_older_revision_arriving_late_changes_nothing(es, es_settings):  # noqa: F811
    ensure_index(es, es_settings)
    raw_write(es, es_settings.alias, [article(3, REVISION + 5, body="GENEVA — the newer text.")])
    report = raw_write(
        es, es_settings.alias, [article(3, REVISION, body="GENEVA — the older text.")]
    )
    assert report.existing == 1
    assert "newer" in get(es, es_settings.alias, 3)["body"]


def test_invalid_records_are_left_to_the_enrichment_worker():
    assert raw_document({"schema": "wire.article.v1", "id": "x"}, mapped_fields()) is None
    assert raw_document(["not", "an", "object"], mapped_fields()) is None


def test_the_raw_indexer_makes_articles_searchable_as_pending(
    es,
    es_settings,  # noqa: F811
    kafka_bootstrap,
    unique_name,
    _created_topics,
):
    topic = unique_name("raw-articles")
    topics_admin.ensure_topics(
        [topics_admin.TopicSpec(topic, 2)], KafkaSettings(bootstrap=kafka_bootstrap)
    )
    _created_topics.append(topic)
    ensure_index(es, es_settings)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for n in range(100, 120):
        producer.send(topic, key=f"{n:032x}".encode(), value=orjson.dumps(article(n)))
    producer.send(topic, key=b"bad", value=b"{not json")
    producer.flush()
    producer.close()

    indexer = RawIndexer(
        WorkerSettings(app_id=unique_name("raw")),
        KafkaSettings(bootstrap=kafka_bootstrap),
        TopicSettings(article=topic),
        es_settings,
        poll_ms=100,
    )
    thread = threading.Thread(target=indexer.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 240  # a bound against hanging, not a speed claim
        count = 0
        while time.monotonic() < deadline:
            es.indices.refresh(index=es_settings.alias)
            count = es.count(
                index=es_settings.alias, query={"term": {"enrichment.status": "pending"}}
            ).body["count"]
            if count == 20:
                break
            time.sleep(0.2)
        assert count == 20
    finally:
        indexer.stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
