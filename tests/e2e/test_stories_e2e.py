"""End to end: a story survives a worker restart (real Kafka, Elasticsearch, worker processes).

The first worker indexes a Reuters flash and stops; a second worker starts, restores the
story window from the index, and the AFP copy of the same flash joins the Reuters story as a
duplicate: the story one worker gives the same stream without a restart.
"""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch
from worker_process import Deployment, Worker, create, remove_index

from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings

REPO = Path(__file__).resolve().parents[2]
SEEDED = REPO / "samples" / "stories" / "chile-quake.jsonl"
CHAIN = "wirecopy.v1,story.v1"  # no models: the worker starts in seconds
BOUND_S = 120.0


def story_of(es: Elasticsearch, alias: str, source: str, timeout: float = BOUND_S) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        es.indices.refresh(index=alias)
        hits = es.search(
            index=alias,
            query={
                "bool": {
                    "filter": [{"term": {"source": source}}, {"exists": {"field": "story.id"}}]
                }
            },
        )["hits"]["hits"]
        if hits:
            return hits[0]["_source"]
        time.sleep(0.5)
    raise AssertionError(f"no {source} document with a story within {timeout:.0f} s")


def test_a_restarted_worker_puts_the_copy_into_the_story_it_had(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    reuters, afp, _update = SEEDED.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "reuters.jsonl", tmp_path / "afp.jsonl"
    first.write_text(reuters + "\n", encoding="utf-8")
    second.write_text(afp + "\n", encoding="utf-8")
    deployment = create(kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=CHAIN)
    try:
        before = Worker(deployment, tmp_path / "before.log")
        before.wait_ready(300)
        deployment.ingest(first)
        flash = story_of(es, deployment.alias, "reuters")
        assert flash["story"]["id"] == flash["id"]
        assert before.stop() == 0

        after = Worker(deployment, tmp_path / "after.log")
        after.wait_ready(300)
        restored = next(
            orjson.loads(line) for line in after.text().splitlines() if '"stories restored"' in line
        )
        assert restored["articles"] == 1
        deployment.ingest(second)
        copy = story_of(es, deployment.alias, "afp")
        assert copy["story"]["id"] == flash["id"]
        assert copy["story"]["duplicate_of"] == flash["id"]
        assert copy["story"]["size"] == 2
        assert after.stop() == 0
    finally:
        remove_index(es, deployment)


def two_partitions(bootstrap: str, created: list[str], state: Path) -> Deployment:
    """A deployment whose article topic has two partitions: two workers share the stream."""
    probe = create(bootstrap, created, state / "probe", WIRESTREAM_ENRICH_CHAIN=CHAIN)
    deployment = Deployment(
        probe.prefix + "-2p", bootstrap, state, {"WIRESTREAM_ENRICH_CHAIN": CHAIN}
    )
    names = list(deployment.topics.values())
    topics_admin.ensure_topics(
        [topics_admin.TopicSpec(n, 2 if n.endswith(".article") else 1) for n in names],
        KafkaSettings(bootstrap=bootstrap),
    )
    created.extend(names)
    return deployment


def partition_of(line: str) -> int:
    """The article partition (of two) the producer sends this JSON line's article to."""
    from kafka.partitioner.default import murmur2

    from connectors.formats.jsonl import parse_line

    key = parse_line(line, source="file")["id"].encode()
    return (murmur2(key) & 0x7FFFFFFF) % 2  # kafka-python's default partitioner


def test_two_workers_and_a_restart_keep_one_story(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    reuters, afp, _update = SEEDED.read_text(encoding="utf-8").splitlines()
    # The copy on the other partition than the flash: the worker that gets it never saw the
    # flash, and only the other worker's assignment (read from the index) can tell it.
    copy_line = next(
        line
        for n in range(1, 50)
        if partition_of(line := afp.replace("afp-chile-quake-1", f"afp-chile-quake-{n}"))
        != partition_of(reuters)
    )
    unrelated = orjson.dumps(
        {"schema": "wire.article.v1", "source": "stt", "guid": "stt-budget-1",
         "headline": "Finnish budget passed", "language": "en",
         "body": "HELSINKI (STT) - Finland's parliament approved next year's budget."}
    ).decode()  # fmt: skip
    files = []
    for i, line in enumerate([unrelated, reuters, copy_line]):
        path = tmp_path / f"stream{i}.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        files.append(path)
    deployment = two_partitions(kafka_bootstrap, _created_topics, tmp_path)
    workers = []
    try:
        workers = [Worker(deployment, tmp_path / f"w{i}.log") for i in range(2)]
        for worker in workers:
            worker.wait_ready(300)
        deployment.ingest(files[0])
        story_of(es, deployment.alias, "stt")
        # A restart in the middle of the stream: one worker stops and comes back.
        assert workers[1].stop() == 0
        workers[1] = Worker(deployment, tmp_path / "w1-again.log")
        workers[1].wait_ready(300)
        time.sleep(5)  # the group settles: one partition per worker
        deployment.ingest(files[1])  # the Reuters flash
        flash = story_of(es, deployment.alias, "reuters")
        deployment.ingest(files[2])  # the AFP copy, on the other partition
        copy = story_of(es, deployment.alias, "afp")
        assert copy["story"]["id"] == flash["id"], "the copy joined the flash's story"
        assert copy["story"]["duplicate_of"] == flash["id"]
        assert copy["story"]["size"] == 2
    finally:
        for worker in workers:
            worker.stop()
        remove_index(es, deployment)
