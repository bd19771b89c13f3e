"""Helpers of the fault-injection tests: a deployment with N-partition topics, a stream of
articles, what came out (Elasticsearch ids, enriched-topic ids, dead letters), the stack's
servers paused or restarted, and the worker's memory."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from worker_process import Deployment

from connectors.article import build_article
from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings, StackSettings
from pipeline.stack import lifecycle, process

# The delivery guarantees do not depend on the models: a light chain keeps volume tests fast.
LIGHT_CHAIN = "wirecopy.v1,language.lingua.v1"
PARAGRAPH = (
    "The harbour council approved the plan on Wednesday after ten years of debate. "
    '"It took a long time," the mayor said, adding that work would start in spring.\n'
)


def deployment(
    bootstrap: str, created: list[str], state: Path, partitions: int = 1, **env: str
) -> Deployment:
    """Like `worker_process.create`, with `partitions` on the article topic."""
    dep = Deployment(f"rel-{uuid.uuid4().hex[:10]}", bootstrap, state, dict(env))
    specs = [
        topics_admin.TopicSpec(name, partitions if kind == "article" else 1)
        for kind, name in dep.topics.items()
    ]
    topics_admin.ensure_topics(specs, KafkaSettings(bootstrap=bootstrap))
    created.extend(dep.topics.values())
    return dep


def articles(count: int, *, start: int = 0, paragraphs: int = 3, tag: str = "r") -> list[dict]:
    """`count` distinct, valid `wire.article.v1` records (ids from source + guid)."""
    out = []
    for i in range(start, start + count):
        body = f"OSLO (Wirestream) — Story {tag}-{i}. " + PARAGRAPH * paragraphs
        out.append(
            build_article(
                source="reliability-test",
                guid=f"{tag}-{i}",
                body=body,
                fmt="plaintext",
                headline=f"Story {tag}-{i}",
                language="en",
            )
        )
    return out


class Feed:
    """A producer onto the deployment's article topic (key = article id, acks=all)."""

    def __init__(self, dep: Deployment) -> None:
        self.topic = dep.topics["article"]
        self.producer = KafkaProducer(
            bootstrap_servers=dep.bootstrap,
            acks="all",
            linger_ms=20,
            max_request_size=16 * 1024 * 1024,
            retries=2**31 - 1,
            request_timeout_ms=30_000,
            delivery_timeout_ms=300_000,
        )

    def send(self, records: Iterable[dict]) -> None:
        futures = [
            self.producer.send(self.topic, key=r["id"].encode(), value=orjson.dumps(r))
            for r in records
        ]
        self.producer.flush(timeout=300)
        for future in futures:
            future.get(timeout=60)  # every one acknowledged: these count as sent

    def send_raw(self, values: Iterable[tuple[bytes | None, bytes]]) -> None:
        futures = [self.producer.send(self.topic, key=k, value=v) for k, v in values]
        self.producer.flush(timeout=300)
        for future in futures:
            future.get(timeout=60)

    def close(self) -> None:
        self.producer.close(timeout=10)


ENRICHED = {"term": {"enrichment.status": "done"}}
"""Enriched documents only: the raw indexer's pending ones are not yet what the worker owes."""


def es_count(es: Elasticsearch, dep: Deployment) -> int:
    try:
        es.indices.refresh(index=dep.alias)
        return int(es.count(index=dep.alias, query=ENRICHED)["count"])
    except Exception:  # the alias may not exist yet, or ES is paused: not a count
        return -1


def es_ids(es: Elasticsearch, dep: Deployment) -> set[str]:
    es.indices.refresh(index=dep.alias)
    hits = scan(es, index=dep.alias, query={"query": ENRICHED, "_source": False}, size=2000)
    return {h["_id"] for h in hits}


def wait_until(what: str, check: Callable[[], bool], timeout: float, poll: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(poll)
    pytest.fail(f"not within {timeout:.0f} s: {what}")


def wait_indexed(es: Elasticsearch, dep: Deployment, want: int, timeout: float) -> None:
    seen = [0]

    def done() -> bool:
        seen[0] = es_count(es, dep)
        return seen[0] >= want

    wait_until(f"{want} documents in {dep.alias} (last count {seen[0]})", done, timeout)


def topic_records(bootstrap: str, topic: str, idle_s: float = 5.0) -> list:
    """Every record on `topic` (all partitions), read until nothing new for `idle_s`."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=32 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    records: list = []
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0}]
        consumer.assign(parts)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(parts)
        deadline = time.monotonic() + 120
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
                quiet_since = time.monotonic()
            if all(consumer.position(p) >= end[p] for p in parts):
                break
            if time.monotonic() - quiet_since > idle_s:
                break
    finally:
        consumer.close()
    return records


def topic_keys(bootstrap: str, topic: str) -> set[str]:
    return {r.key.decode() for r in topic_records(bootstrap, topic) if r.key}


def dead_letters(bootstrap: str, dep: Deployment) -> list[dict]:
    return [orjson.loads(r.value) for r in topic_records(bootstrap, dep.topics["deadletter"])]


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Counts:
    sent: int
    indexed: int
    deadlettered: int
    lost: int

    def line(self, name: str) -> str:
        return (
            f"RELIABILITY {name}: sent={self.sent} indexed={self.indexed} "
            f"deadlettered={self.deadlettered} lost={self.lost}"
        )


# --- the stack's servers ------------------------------------------------------------------


def _component(name: str):
    comp = next(c for c in lifecycle.components(StackSettings()) if c.name == name)
    if comp.is_external():
        pytest.skip(f"{name} is external; this stack does not run it")
    return comp


def _server_pids(name: str) -> list[int]:
    comp = _component(name)
    record = lifecycle.pid_record(comp)
    assert record is not None and process.is_alive(record, comp.marker), f"{name} is not running"
    return list(process.group_members(record.pgid))


def healthy_stack(timeout: float = 180) -> None:
    """Bring every server back and wait for health (`stack up` is idempotent)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            statuses = lifecycle.up(progress=lambda line: print(f"[stack] {line}"))
            if all(s.healthy for s in statuses):
                return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise
            print(f"[stack] not healthy yet: {exc!r}")
        if time.monotonic() > deadline:
            pytest.fail("the stack is not healthy again")
        time.sleep(2)


@contextmanager
def paused(name: str) -> Iterator[None]:
    """SIGSTOP every process of the server, SIGCONT on the way out (always)."""
    pids = _server_pids(name)
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        healthy_stack()


def restart(name: str) -> None:
    """Stop the server the way `stack down` does, then `stack up` until healthy."""
    try:
        lifecycle.down(progress=lambda line: print(f"[stack] {line}"), only={name})
    finally:
        healthy_stack()
