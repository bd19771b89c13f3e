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
from worker_process import Worker, create, remove_index

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
