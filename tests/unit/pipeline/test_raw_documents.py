"""The raw indexer's pure parts: its documents, its bulk `create`, its child-process watch."""

from __future__ import annotations

import threading

from pipeline.sinks.index_setup import mapped_fields
from pipeline.worker.raw_indexer import RawReport, RawWriter, create_operations, raw_document
from pipeline.worker.raw_process import RawIndexerProcess
from pipeline.worker.retry import Backoff

ARTICLE = {
    "schema": "wire.article.v1",
    "id": "a" * 32,
    "source": "wire",
    "headline": "Talks resume",
    "body": "GENEVA (Wirestream) — Talks resumed on Monday.",
    "received_at": "2026-11-25T09:00:00Z",
    "revision": 10_000_000_000_000,
    "targets": ["ceasefire"],  # in the record, not in the index mapping
}


def test_a_pending_document_holds_only_mapped_fields_and_says_pending():
    doc = raw_document(ARTICLE, mapped_fields())
    assert doc["enrichment"] == {"status": "pending"}
    assert "targets" not in doc and "enriched_at" not in doc
    assert doc["dateline"]["place"] == "GENEVA"
    assert set(doc) <= mapped_fields()


def test_raw_writes_are_creates_so_they_never_replace_a_document():
    ops = create_operations("news", [raw_document(ARTICLE, mapped_fields())])
    assert list(ops[0]) == ["create"]
    assert "version" not in ops[0]["create"]


class FakeBulk:
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = 0

    def bulk(self, *, operations, **_):
        self.calls += 1
        statuses = self.answers.pop(0)
        items = []
        for status in statuses:
            item = {"status": status}
            if status == 409:
                item["error"] = {"type": "version_conflict_engine_exception"}
            items.append({"create": item})
        return {"items": items}


def test_an_existing_document_counts_as_done_and_429_is_retried():
    docs = [
        raw_document(ARTICLE, mapped_fields()),
        raw_document({**ARTICLE, "id": "b" * 32}, mapped_fields()),
    ]
    client = FakeBulk([[409, 429], [201]])
    report = RawReport()
    writer = RawWriter(client, "news", Backoff(0.0, 0.0), sleep=lambda s: None)
    assert writer.write(docs, report)
    assert (report.existing, report.created, client.calls) == (1, 1, 2)


def test_a_stopped_writer_gives_up_without_claiming_success():
    client = FakeBulk([[503]])
    writer = RawWriter(
        client, "news", Backoff(0.0, 0.0), stopped=lambda: True, sleep=lambda s: None
    )
    assert not writer.write([raw_document(ARTICLE, mapped_fields())], RawReport())


class FakeChild:
    def __init__(self, pid):
        self.pid = pid
        self.exited = threading.Event()
        self.signals = []

    def wait(self, timeout=None):
        self.exited.wait(timeout)
        return -9

    def poll(self):
        return -9 if self.exited.is_set() else None

    def send_signal(self, signum):
        self.signals.append(signum)
        self.exited.set()

    def kill(self):
        self.exited.set()


def test_a_child_that_dies_is_restarted_and_stop_ends_the_current_one():
    children = []
    started = threading.Event()

    def spawn(command):
        child = FakeChild(len(children) + 1)
        children.append(child)
        if len(children) == 2:
            started.set()
        return child

    process = RawIndexerProcess(["raw"], restart_delay_s=0.0, spawn=spawn)
    process.start()
    children[0].exited.set()  # killed
    assert started.wait(10)
    process.stop()
    assert process.restarts == 1
    assert children[1].signals, "the running child got SIGTERM"
