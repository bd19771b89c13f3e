"""Offsets are committed only for batches that were written: a batch the worker fails on
stays uncommitted, and the next worker processes it again (real worker processes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from worker_process import Worker, create, remove_index

SHARED_ARTICLE = (
    "OSLO (Wirestream) — The council approved the new harbour plan on Wednesday. "
    '"It took ten years," the mayor said.\n'
)
# These tests are about offsets, not models: the cheapest chain keeps start-up short.
CHEAP_CHAIN = "wirecopy.v1"
# Waits end as soon as the behaviour shows; the bound only stops a hung test (no speed claim).
BOUND_S = 120.0


def wait_until(
    condition: Callable[[], bool],
    what: str,
    timeout: float = BOUND_S,
    log: Callable[[], str] = lambda: "",
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}\n{log()}"
        time.sleep(0.5)


def dead_letters(bootstrap: str, topic: str, want: int, timeout: float) -> list[dict]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    records: list[dict] = []
    try:
        consumer.assign([TopicPartition(topic, 0)])
        consumer.seek_to_beginning()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(records) < want:
            for batch in consumer.poll(timeout_ms=250).values():
                records.extend(orjson.loads(r.value) for r in batch)
    finally:
        consumer.close()
    return records


def test_a_batch_the_worker_fails_on_is_not_committed_and_is_processed_after_restart(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    deployment = create(
        kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=CHEAP_CHAIN
    )
    good = tmp_path / "harbour.txt"
    good.write_text(SHARED_ARTICLE, encoding="utf-8")
    try:
        strict = Worker(deployment, tmp_path / "strict.log", WIRESTREAM_WORKER_ON_BAD_RECORD="fail")
        strict.wait_ready(300)
        deployment.ingest(good)
        strict.wait_for('"msg":"batch done"', BOUND_S)
        # The commit interval is about 3 s.
        wait_until(lambda: deployment.committed() == 1, "the written batch was committed")

        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        producer.send(deployment.topics["article"], value=b"\x00\x01 not an article").get(30)
        producer.close()
        assert strict.wait_exit(60) != 0, "fail policy: the worker stops"
        assert "batch abandoned" in strict.text()
        assert deployment.committed() == 1, "the failed batch was not committed"

        lenient = Worker(deployment, tmp_path / "lenient.log")
        lenient.wait_ready(300)
        (letter,) = dead_letters(kafka_bootstrap, deployment.topics["deadletter"], 1, BOUND_S)
        assert letter["stage"] == "decode" and letter["original"]["offset"] == 1
        wait_until(lambda: deployment.committed() == 2, "the bad record's batch was committed")
        assert lenient.stop() == 0, "SIGTERM is a clean exit"
    finally:
        for log in tmp_path.glob("*.log"):
            print(
                f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-5:])
            )
        remove_index(es, deployment)


def test_the_worker_exits_cleanly_on_sigterm_when_idle(
    kafka_bootstrap: str,
    es: Elasticsearch,
    _created_topics: list[str],
    tmp_path: Path,
):
    deployment = create(
        kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=CHEAP_CHAIN
    )
    try:
        worker = Worker(deployment, tmp_path / "worker.log")
        worker.wait_ready(300)
        # Exit code 0 is the clean exit; a worker that ignored SIGTERM would be killed after
        # the bound (-9), so the bound is a hang guard, not a speed claim.
        assert worker.stop(timeout=BOUND_S) == 0
    finally:
        remove_index(es, deployment)


def test_while_elasticsearch_refuses_writes_the_worker_waits_and_sigterm_abandons_the_batch(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    deployment = create(
        kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=CHEAP_CHAIN
    )
    good = tmp_path / "harbour.txt"
    good.write_text(SHARED_ARTICLE, encoding="utf-8")
    try:
        first = Worker(deployment, tmp_path / "first.log", WIRESTREAM_ES_RETRY_MAX_S="1")
        first.wait_ready(300)
        # `worker ready` comes before the raw indexer process has run its own ensure_index:
        # deleting the index before that would see it created again (a race, not an outage).
        first.wait_for('"msg":"raw indexer ready"', BOUND_S)
        # The index behind the alias disappears: every write now fails (as with ES down).
        for index in es.indices.get(index=f"{deployment.alias}-v*").body:
            es.indices.delete(index=index)
        deployment.ingest(good)
        retrying = "documents not accepted yet; will retry"
        # A second retry logged means the worker keeps waiting instead of giving up.
        wait_until(
            lambda: first.text().count(retrying) >= 2,
            "the worker retries again",
            log=lambda: first.text()[-3000:],
        )
        assert first.process.poll() is None, "the worker keeps waiting, it does not exit"
        # It retries forever, so only an interrupted retry loop exits 0 before the bound
        # (after it the worker is killed: -9).
        assert first.stop(timeout=BOUND_S) == 0, "SIGTERM interrupts the retries"
        assert "batch abandoned on shutdown" in first.text()
        assert deployment.committed() is None, "nothing was written, nothing committed"

        second = Worker(deployment, tmp_path / "second.log")  # recreates index and alias
        second.wait_ready(300)
        wait_until(lambda: deployment.committed() == 1, "the second worker committed the batch")
        es.indices.refresh(index=deployment.alias)
        assert es.count(index=deployment.alias)["count"] == 1
        second.stop()
    finally:
        remove_index(es, deployment)
