"""The worker's metrics endpoint, scraped during a real run: the counts move with the traffic.

A real `wirestream worker` process on the real stack, with topics, index and consumer group
of its own and a light enrichment chain (the metrics, not the models, are under test).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings

pytestmark = pytest.mark.e2e

WIRESTREAM = str(Path(sys.executable).with_name("wirestream"))
STARTUP_TIMEOUT_S = float(os.environ.get("WIRESTREAM_E2E_STARTUP_TIMEOUT_S", "600"))
GOOD_ARTICLES = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.name.startswith("wirestream_"):
                continue
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def probe(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_for(what: str, condition: Callable[[], bool], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(
        f"{what} not reached within {timeout:.0f} s; worker log:\n{log.read_text()[-3000:]}"
    )


def article(i: int, prefix: str) -> dict:
    return {
        "schema": "wire.article.v1",
        "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{prefix}/{i}").hex,
        "source": "metrics-e2e",
        "headline": f"Metrics test article {i}",
        "body": f'GENEVA (Wirestream) — Talks resumed on day {i}. "We are hopeful," the envoy said.',
        "received_at": "2026-11-25T09:00:00Z",
    }


@pytest.fixture(scope="module")
def worker(
    kafka_bootstrap: str,
    es: Elasticsearch,
    _created_topics: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict]:
    prefix = f"metrics-{uuid.uuid4().hex[:10]}"
    names = {kind: f"{prefix}.{kind}" for kind in ("article", "enriched", "quote", "deadletter")}
    kafka = KafkaSettings(bootstrap=kafka_bootstrap)
    topics_admin.ensure_topics([topics_admin.TopicSpec(n, 1) for n in names.values()], kafka)
    _created_topics.extend(names.values())
    state = tmp_path_factory.mktemp("metrics-worker")
    port = _free_port()
    env = {
        **os.environ,
        "WIRESTREAM_KAFKA_BOOTSTRAP": kafka_bootstrap,
        **{f"WIRESTREAM_TOPIC_{kind.upper()}": name for kind, name in names.items()},
        "WIRESTREAM_ES_ALIAS": f"{prefix}-news",
        "WIRESTREAM_ES_INDEX_PREFIX": f"{prefix}-news-v",
        "WIRESTREAM_WORKER_APP_ID": prefix,
        "WIRESTREAM_WORKER_WEB_ENABLED": "false",
        "WIRESTREAM_WORKER_DATA_DIR": str(state / "data"),
        "WIRESTREAM_ENRICH_CHAIN": "wirecopy.v1,language.lingua.v1",
        "WIRESTREAM_METRICS_HOST": "127.0.0.1",
        "WIRESTREAM_METRICS_PORT": str(port),
        "WIRESTREAM_METRICS_LAG_INTERVAL_S": "1",
    }
    log = state / "worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [WIRESTREAM, "worker"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        wait_for(
            "worker ready",
            lambda: process.poll() is None and '"msg":"worker ready"' in log.read_text(),
            STARTUP_TIMEOUT_S,
            log,
        )
        yield {"url": f"http://127.0.0.1:{port}", "topics": names, "log": log, "prefix": prefix}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for index in es.indices.get(index=f"{prefix}-news-v*").body:
            es.indices.delete(index=index)
        es.options(ignore_status=404).indices.delete_index_template(
            name=f"wirestream-{prefix}-news"
        )


def test_metrics_count_articles_dead_letters_and_lag_during_a_real_run(worker, kafka_bootstrap):
    url, log, topic = worker["url"], worker["log"], worker["topics"]["article"]
    assert probe(f"{url}/healthz")[0] == 200
    wait_for("readiness", lambda: probe(f"{url}/readyz")[0] == 200, 60, log)
    before = scrape(url)
    assert before.get("wirestream_articles_in_total", 0) == 0

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for i in range(GOOD_ARTICLES):
        a = article(i, worker["prefix"])
        producer.send(topic, key=a["id"].encode(), value=orjson.dumps(a))
    producer.send(topic, key=b"broken", value=b"{not json")
    producer.flush()
    producer.close()

    def moved() -> bool:
        now = scrape(url)
        return (
            now.get("wirestream_articles_in_total", 0) >= GOOD_ARTICLES + 1
            and now.get("wirestream_articles_out_total", 0) >= GOOD_ARTICLES
            and now.get("wirestream_deadletter_total{stage=decode}", 0) >= 1
        )

    wait_for("counters moving", moved, 60, log)
    after = scrape(url)
    assert after["wirestream_articles_in_total"] == GOOD_ARTICLES + 1
    assert after["wirestream_articles_out_total"] == GOOD_ARTICLES
    assert after["wirestream_errors_total{stage=decode}"] == 1
    assert after["wirestream_enrichment_seconds_count"] >= 1
    assert after["wirestream_es_bulk_seconds_count"] >= 1
    assert after.get("wirestream_es_bulk_errors_total", 0) == 0

    lag_key = f"wirestream_consumer_lag{{partition=0,topic={topic}}}"
    # Measured from the group's committed offsets, so it reaches 0 once Faust has committed.
    wait_for("consumer lag back to 0", lambda: scrape(url).get(lag_key) == 0, 60, log)
    status, body = probe(f"{url}/readyz")
    assert status == 200
    assert body["checks"] == {"partitions_assigned": True, "kafka": True, "elasticsearch": True}
