"""Index first, enrich after, with faults: kill -9 either process mid-stream, lose nothing.

`wirestream worker` runs two processes: the enrichment worker and its raw indexer child.
Killed, the raw indexer is restarted by the worker; killed, the worker takes its child
down with it (the child watches its parent) and a restarted worker starts both again.
Either way every article ends enriched (`enrichment.status: done`) in Elasticsearch and on
the enriched topic, with no dead letter.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from elasticsearch import Elasticsearch
from reliability_harness import (
    LIGHT_CHAIN,
    Counts,
    Feed,
    articles,
    dead_letters,
    deployment,
    es_ids,
    topic_keys,
    wait_indexed,
    wait_until,
)
from worker_process import Worker, remove_index


def raw_children(pid: int) -> list[int]:
    """Live `--role raw` processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        state = stat.rpartition(")")[2].split()[0]
        if ppid == pid and state != "Z" and b"raw" in cmdline and b"--role" in cmdline:
            found.append(int(entry.name))
    return found


def count(es: Elasticsearch, alias: str, status: str | None = None) -> int:
    """Documents in the index, of one enrichment status or any; -1 while there is no index."""
    try:
        es.indices.refresh(index=alias)
        query = {"term": {"enrichment.status": status}} if status else {"match_all": {}}
        return int(es.count(index=alias, query=query)["count"])
    except Exception:
        return -1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _check(name: str, es, dep, bootstrap: str, sent: set[str]) -> None:
    indexed = es_ids(es, dep)  # enriched documents only
    enriched = topic_keys(bootstrap, dep.topics["enriched"])
    letters = dead_letters(bootstrap, dep)
    print(Counts(len(sent), len(indexed), len(letters), len(sent - indexed)).line(name))
    assert indexed == sent, "every article ends enriched in Elasticsearch"
    assert count(es, dep.alias, "pending") == 0, "no document is left pending"
    assert sent <= enriched, "every id is on the enriched topic at least once"
    assert not letters, f"no valid article is dead-lettered: {letters[:2]}"


def test_the_raw_indexer_killed_mid_stream_is_restarted_and_nothing_is_lost(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    dep = deployment(
        kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=LIGHT_CHAIN
    )
    stream = articles(1500, tag="raw")
    feed = Feed(dep)
    worker = Worker(dep, tmp_path / "worker.log")
    try:
        worker.wait_ready(300)
        wait_until("the raw indexer runs", lambda: raw_children(worker.process.pid), 120, 0.2)
        (child,) = raw_children(worker.process.pid)
        feed.send(stream)
        wait_until("a part is searchable", lambda: count(es, dep.alias) >= 100, 300, 0.1)
        os.kill(child, signal.SIGKILL)
        print(f"RELIABILITY raw kill -9: {count(es, dep.alias)} of 1500 searchable at the kill")
        wait_until(
            "the worker started a new raw indexer",
            lambda: [p for p in raw_children(worker.process.pid) if p != child],
            120,
            0.2,
        )
        wait_indexed(es, dep, len(stream), 600)
        assert worker.process.poll() is None
        _check("raw indexer kill -9", es, dep, kafka_bootstrap, {a["id"] for a in stream})
        assert worker.stop() == 0
        assert not raw_children(worker.process.pid)
    finally:
        feed.close()
        worker.stop()
        remove_index(es, dep)


def test_the_worker_killed_mid_stream_takes_its_raw_indexer_down_and_a_restart_loses_nothing(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    dep = deployment(
        kafka_bootstrap, _created_topics, tmp_path, WIRESTREAM_ENRICH_CHAIN=LIGHT_CHAIN
    )
    stream = articles(1500, tag="enr")
    feed = Feed(dep)
    first = Worker(dep, tmp_path / "first.log")
    second = None
    try:
        first.wait_ready(300)
        wait_until("the raw indexer runs", lambda: raw_children(first.process.pid), 120, 0.2)
        (child,) = raw_children(first.process.pid)
        feed.send(stream)
        wait_until("a part is enriched", lambda: len(es_ids(es, dep)) >= 100, 300, 0.2)
        first.process.send_signal(signal.SIGKILL)
        first.wait_exit(30)
        wait_until("the orphaned raw indexer stops", lambda: not _alive(child), 60, 0.2)

        second = Worker(dep, tmp_path / "second.log")
        second.wait_ready(300)
        wait_indexed(es, dep, len(stream), 600)
        _check("worker kill -9", es, dep, kafka_bootstrap, {a["id"] for a in stream})
        assert second.stop() == 0
    finally:
        feed.close()
        first.stop()
        if second is not None:
            second.stop()
        remove_index(es, dep)
