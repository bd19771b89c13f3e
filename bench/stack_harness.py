"""Real worker processes on topics and an index of their own, against the local stack.

Loopback only; every wait is bounded; topics and indices are removed at the end. The
approach is `tests/e2e/worker_process.py`'s: a unique prefix names the topics, the alias and
the consumer group, passed to `wirestream worker` through its WIRESTREAM_* environment.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench import common

WIRESTREAM = str(Path(sys.executable).with_name("wirestream"))
BOOTSTRAP = os.environ.get("WIRESTREAM_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
ES_URL = os.environ.get("WIRESTREAM_ES_URL", "http://127.0.0.1:9200")
KINDS = ("article", "enriched", "quote", "deadletter")


@dataclass
class Deployment:
    prefix: str
    state: Path
    partitions: int = 1

    @property
    def topics(self) -> dict[str, str]:
        return {kind: f"{self.prefix}.{kind}" for kind in KINDS}

    @property
    def alias(self) -> str:
        return f"{self.prefix}-news"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "WIRESTREAM_KAFKA_BOOTSTRAP": BOOTSTRAP,
            **{f"WIRESTREAM_TOPIC_{k.upper()}": v for k, v in self.topics.items()},
            "WIRESTREAM_ES_ALIAS": self.alias,
            "WIRESTREAM_ES_INDEX_PREFIX": f"{self.alias}-v",
            "WIRESTREAM_WORKER_APP_ID": self.prefix,
            "WIRESTREAM_WORKER_WEB_ENABLED": "false",
            "WIRESTREAM_WORKER_DATA_DIR": str(self.state / "data"),
            **extra,
        }


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path
    peak_rss: int = 0

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, common.peak_rss_of(self.process.pid))

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if '"msg":"worker ready"' in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-3000:]}")
            time.sleep(0.25)
        raise TimeoutError(f"worker not ready in {timeout} s")

    def stop(self) -> None:
        self.sample()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def deployment(state: Path, partitions: int = 1) -> Iterator[Deployment]:
    from elasticsearch import Elasticsearch

    from pipeline.ops import topics_admin
    from pipeline.settings import KafkaSettings

    dep = Deployment(f"bench-{uuid.uuid4().hex[:10]}", state, partitions)
    kafka = KafkaSettings(bootstrap=BOOTSTRAP)
    specs = [
        topics_admin.TopicSpec(name, partitions if kind == "article" else 1)
        for kind, name in dep.topics.items()
    ]
    topics_admin.ensure_topics(specs, kafka)
    try:
        yield dep
    finally:
        topics_admin.delete_topics(list(dep.topics.values()), kafka)
        es = Elasticsearch(ES_URL)
        with contextlib.suppress(Exception):
            for index in es.indices.get(index=f"{dep.alias}-v*").body:
                es.indices.delete(index=index)


def start_worker(dep: Deployment, name: str, **env: str) -> WorkerProcess:
    log = dep.state / f"{name}.log"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [WIRESTREAM, "worker"], env=dep.env(**env), stdout=sink, stderr=subprocess.STDOUT
        )
    return WorkerProcess(process, log)


@dataclass
class Arrivals:
    """Consumes the enriched topic in a thread: article id -> first arrival (epoch s)."""

    topic: str
    seen: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(
            self.topic,
            bootstrap_servers=BOOTSTRAP,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=50,
        )

        def loop() -> None:
            try:
                while not self._stop.is_set():
                    for records in consumer.poll(timeout_ms=100).values():
                        arrived = time.time()
                        for record in records:
                            self.seen.setdefault(record.key.decode(), arrived)
            finally:
                consumer.close()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)


def producer() -> Any:
    from kafka import KafkaProducer

    return KafkaProducer(bootstrap_servers=BOOTSTRAP, linger_ms=5, acks=1)


def variants(base: Sequence[dict[str, Any]], n: int, tag: str) -> list[dict[str, Any]]:
    """n articles cycling over base's content, each with a distinct id."""
    out = []
    for i in range(n):
        article = dict(base[i % len(base)])
        article["id"] = common.to_article(tag, str(i), "", "")["id"]
        out.append(article)
    return out


def produce_paced(
    prod: Any, topic: str, articles: Sequence[dict[str, Any]], rate: float | None
) -> dict[str, float]:
    """Produce at `rate` articles/s (None: as fast as possible); id -> produce time (epoch s)."""
    sent: dict[str, float] = {}
    started = time.monotonic()
    for i, article in enumerate(articles):
        if rate:
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        sent[article["id"]] = time.time()
        prod.send(topic, key=article["id"].encode(), value=orjson.dumps(article))
    prod.flush()
    return sent


def wait_all(
    arrivals: Arrivals, ids: Sequence[str], timeout: float, workers: Sequence[WorkerProcess]
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            worker.sample()
        if all(i in arrivals.seen for i in ids):
            return True
        time.sleep(0.2)
    return False


def es_count(alias: str) -> int:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(ES_URL)
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def sustained(
    dep: Deployment,
    workers: Sequence[WorkerProcess],
    articles: Sequence[dict[str, Any]],
    timeout: float,
) -> dict[str, Any]:
    """Produce all articles at once; time until every one is enriched and searchable."""
    arrivals = Arrivals(dep.topics["enriched"])
    arrivals.start()
    try:
        started = time.time()
        prod = producer()
        produce_paced(prod, dep.topics["article"], articles, None)
        produced = time.time() - started
        ids = [a["id"] for a in articles]
        done = wait_all(arrivals, ids, timeout, workers)
        arrived = [arrivals.seen[i] for i in ids if i in arrivals.seen]
        last = max(arrived, default=started)
        count = es_count(dep.alias)
        prod.close()
    finally:
        arrivals.stop()
    took = last - started
    return {
        "n": len(articles),
        "complete": done,
        "enriched": len(arrived),
        "searchable": count,
        "produce_s": produced,
        "seconds": took,
        "rate": len(arrived) / took if took else 0.0,
    }
