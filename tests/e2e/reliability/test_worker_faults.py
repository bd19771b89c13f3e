"""Nothing acknowledged is lost when a worker is killed, or two share the work and one dies.

Counts are printed as `RELIABILITY <test>: sent=… indexed=… deadlettered=… lost=…` for
docs/reliability.md (run with `-s` to see them).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from elasticsearch import Elasticsearch
from reliability_harness import (
    LIGHT_CHAIN,
    Counts,
    Feed,
    articles,
    dead_letters,
    deployment,
    es_count,
    es_ids,
    topic_keys,
    wait_indexed,
    wait_until,
)
from worker_process import Worker, remove_index


def _check_nothing_lost(name, es, dep, bootstrap, sent_ids: set[str]) -> Counts:
    indexed = es_ids(es, dep)
    enriched = topic_keys(bootstrap, dep.topics["enriched"])
    letters = dead_letters(bootstrap, dep)
    counts = Counts(len(sent_ids), len(indexed), len(letters), len(sent_ids - indexed))
    print(counts.line(name))
    assert indexed == sent_ids, "Elasticsearch holds exactly the ids sent"
    assert sent_ids <= enriched, "every id is on the enriched topic at least once"
    assert not letters, f"no valid article is dead-lettered: {letters[:2]}"
    return counts


def _print_logs(tmp_path: Path) -> None:
    for log in sorted(tmp_path.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-6:]
        print(f"--- {log.name}\n" + "\n".join(tail))


def test_a_worker_killed_mid_stream_loses_nothing_after_restart(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    dep = deployment(
        kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=LIGHT_CHAIN
    )
    stream = articles(2000)
    feed = Feed(dep)
    try:
        first = Worker(dep, tmp_path / "first.log")
        first.wait_ready(300)
        feed.send(stream)
        # Mid-stream: some of it written, most of it not.
        wait_until(
            "the worker indexed a part of the stream", lambda: es_count(es, dep) >= 200, 300, 0.2
        )
        first.process.send_signal(signal.SIGKILL)
        first.wait_exit(30)
        at_kill = es_count(es, dep)
        print(f"RELIABILITY kill -9: {at_kill} of 2000 indexed when the worker was killed")
        assert at_kill < 2000, "the kill happened mid-stream"

        second = Worker(dep, tmp_path / "second.log")
        second.wait_ready(300)
        wait_indexed(es, dep, 2000, 300)
        assert second.process.poll() is None
        _check_nothing_lost("kill -9", es, dep, kafka_bootstrap, {a["id"] for a in stream})
        assert second.stop() == 0
    finally:
        feed.close()
        _print_logs(tmp_path)
        remove_index(es, dep)


def test_two_workers_share_four_partitions_and_the_survivor_takes_over_a_killed_one(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    # A short session timeout (Faust reads it from the environment) so the group notices
    # the dead member in seconds instead of the default minute.
    dep = deployment(
        kafka_bootstrap,
        _created_topics,
        tmp_path,
        partitions=4,
        WIRESTREAM_ENRICH_CHAIN=LIGHT_CHAIN,
        BROKER_SESSION_TIMEOUT="10",
        BROKER_HEARTBEAT_INTERVAL="2",
    )
    stream = articles(2000, tag="p")
    feed = Feed(dep)
    try:
        one = Worker(dep, tmp_path / "one.log")
        two = Worker(dep, tmp_path / "two.log")
        one.wait_ready(300)
        two.wait_ready(300)
        feed.send(stream)
        # Both must be working on partitions of their own before the kill, or there is
        # nothing to take over.
        wait_until(
            "both workers wrote batches",
            lambda: all('"msg":"batch done"' in w.text() for w in (one, two)),
            300,
            0.2,
        )
        two.process.send_signal(signal.SIGKILL)
        two.wait_exit(30)
        killed_at = time.monotonic()
        at_kill = es_count(es, dep)
        print(f"RELIABILITY two workers: {at_kill} of 2000 indexed when one was killed")
        assert at_kill < 2000, "the kill happened mid-stream"

        wait_indexed(es, dep, 2000, 300)
        print(
            f"RELIABILITY takeover: all indexed {time.monotonic() - killed_at:.0f} s after the kill"
        )
        assert one.process.poll() is None, "the survivor kept running"
        _check_nothing_lost(
            "two workers, one killed", es, dep, kafka_bootstrap, {a["id"] for a in stream}
        )
        assert one.stop() == 0
    finally:
        feed.close()
        _print_logs(tmp_path)
        remove_index(es, dep)
