"""End to end: kills, embargoes and corrections through `wirestream ingest`, a running worker,
Elasticsearch, `wirestream search` and the output topics, on the real local stack.

Waits are bounded polls (the behaviour must happen within the bound), never speed
assertions. The worker runs a chain with quotes (so a kill has quotes to withdraw) and
without the sentence encoder, to keep the test's CPU cost down.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, TopicPartition
from worker_process import Deployment, Worker, create, remove_index

from connectors.article import article_id

STARTUP_TIMEOUT_S = float(os.environ.get("WIRESTREAM_E2E_STARTUP_TIMEOUT_S", "600"))
WITHIN_S = 10.0  # the bound for a kill or a release to show
CHAIN = "wirecopy.v1,language.lingua.v1,entities.spacy.v1,quotes.rules.v1"
SOURCE = "e2e-wire"


@pytest.fixture(scope="module")
def pipeline(
    kafka_bootstrap: str,
    es: Elasticsearch,
    _created_topics: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    state = tmp_path_factory.mktemp("pubstatus-worker")
    deployment = create(
        kafka_bootstrap,
        _created_topics,
        state,
        WIRESTREAM_ENRICH_CHAIN=CHAIN,
        WIRESTREAM_CONNECTOR_SOURCE=SOURCE,
        WIRESTREAM_ES_REFRESH="false",
    )
    worker = Worker(deployment, state / "worker.log")
    try:
        worker.wait_ready(STARTUP_TIMEOUT_S)
        yield deployment
    finally:
        worker.stop()
        remove_index(es, deployment)


def token() -> str:
    """A word no other article has: what each test searches for."""
    return "zq" + uuid.uuid4().hex[:12]


def story(word: str) -> str:
    return (
        f"GENEVA (Wirestream) — Negotiators met on Tuesday to discuss the {word} corridor. "
        f'"This is a good day for farmers everywhere," said Maria Lopez, the lead negotiator, '
        "after the all-night session.\nThe agreement still needs approval.\n"
    )


def ingest(deployment: Deployment, path: Path, text: str | bytes) -> None:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    deployment.ingest(path)


def search_ids(deployment: Deployment, word: str, *extra: str) -> list[str]:
    result = deployment.cli("search", word, "--json", "-n", "20", *extra)
    assert result.returncode == 0, result.stderr[-2000:]
    return [orjson.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()]


def wait_until(what: str, check: Callable[[], bool], timeout: float, deployment: Deployment):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    log = deployment.log.read_text()[-3000:] if deployment.log else ""
    pytest.fail(f"not within {timeout:.0f} s: {what}\n{log}")


def records(deployment: Deployment, kind: str, key: str, timeout: float = 0.0) -> list[dict]:
    """The records with this key on one output topic, read to its end; if there are none,
    reads again until `timeout` has passed."""
    return [value for value, _ in timed_records(deployment, kind, key, timeout)]


def timed_records(
    deployment: Deployment, kind: str, key: str, timeout: float = 0.0
) -> list[tuple[dict, datetime]]:
    """`records`, each with the time the worker produced it."""
    consumer = KafkaConsumer(
        bootstrap_servers=deployment.bootstrap, group_id=None, enable_auto_commit=False
    )
    partition = TopicPartition(deployment.topics[kind], 0)
    deadline = time.monotonic() + timeout
    try:
        consumer.assign([partition])
        while True:
            consumer.seek_to_beginning(partition)
            end = consumer.end_offsets([partition])[partition]
            found: list[tuple[dict, datetime]] = []
            while consumer.position(partition) < end:
                for messages in consumer.poll(timeout_ms=500).values():
                    found += [
                        (orjson.loads(m.value), datetime.fromtimestamp(m.timestamp / 1000, UTC))
                        for m in messages
                        if m.key == key.encode()
                    ]
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.3)
    finally:
        consumer.close()


def searchable(deployment: Deployment, word: str, doc_id: str | None = None) -> str:
    """Ingest-and-wait helper: the id of the one article with `word` once search shows it."""
    ids: list[str] = []

    def check() -> bool:
        ids[:] = search_ids(deployment, word)
        return bool(ids) and (doc_id is None or doc_id in ids)

    wait_until(f"an article with {word!r} in search", check, 60, deployment)
    return ids[0] if doc_id is None else doc_id


def assert_killed(deployment: Deployment, es: Elasticsearch, word: str, doc_id: str) -> None:
    arrived = time.monotonic()
    wait_until(
        f"article {doc_id} gone from wirestream search after its kill",
        lambda: doc_id not in search_ids(deployment, word),
        WITHIN_S,
        deployment,
    )
    print(f"\ngone from search {time.monotonic() - arrived:.1f} s after the kill was ingested")
    withdrawals = [
        r for r in records(deployment, "enriched", doc_id, 10) if r.get("status") == "canceled"
    ]
    assert withdrawals, "no withdrawal record on news.enriched.v1"
    assert withdrawals[-1]["body"] == "" and withdrawals[-1]["quotes"] == []
    quote_withdrawals = [r for r in records(deployment, "quote", doc_id) if r.get("status")]
    assert quote_withdrawals and quote_withdrawals[-1]["quote_id"] == f"{doc_id}:*"
    kept = es.get(index=deployment.alias, id=doc_id)["_source"]  # kept for audit
    assert kept["status"] == "canceled"
    assert not records(deployment, "deadletter", doc_id), "a kill is not an error"


def ninjs(uri: str, version: int, body: str, **extra: Any) -> bytes:
    item = {"uri": uri, "version": version, "headline": "Grain talks", "body_text": body}
    return orjson.dumps({**item, **extra})


def test_a_canceled_ninjs_version_removes_the_article_and_its_quotes(pipeline, es, tmp_path):
    word, uri = token(), f"urn:e2e:{uuid.uuid4().hex}"
    ingest(pipeline, tmp_path / "story.json", ninjs(uri, 1, story(word)))
    doc_id = searchable(pipeline, word)
    assert any(r.get("quotes") for r in records(pipeline, "enriched", doc_id, 10))
    assert records(pipeline, "quote", doc_id, 5), "the story's quotes went out"

    ingest(pipeline, tmp_path / "kill.json", ninjs(uri, 2, story(word), pubstatus="canceled"))
    assert_killed(pipeline, es, word, doc_id)

    # An earlier revision arriving after the kill does not bring the article back.
    ingest(pipeline, tmp_path / "late.json", ninjs(uri, 1, story(word) + " Late copy."))
    sentinel = token()
    ingest(pipeline, tmp_path / "sentinel.txt", story(sentinel))
    searchable(pipeline, sentinel)  # one partition: everything before it was processed
    assert doc_id not in search_ids(pipeline, word)


NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="{version}"
    standard="NewsML-G2" standardversion="2.29" xml:lang="en">
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <provider qcode="nprov:E2E"/>
    <versionCreated>2026-11-30T12:00:00Z</versionCreated>
    <pubStatus qcode="stat:{status}"/>
  </itemMeta>
  <contentMeta><headline>Grain talks</headline></contentMeta>
  {content}
</newsItem>
"""


def test_a_newsml_g2_stat_canceled_item_removes_the_article(pipeline, es, tmp_path):
    word, guid = token(), f"urn:newsml:e2e:{uuid.uuid4().hex}"
    content = f"<contentSet><inlineData>{story(word)}</inlineData></contentSet>"
    ingest(
        pipeline,
        tmp_path / "story.xml",
        NEWSML.format(guid=guid, version=1, status="usable", content=content),
    )
    doc_id = searchable(pipeline, word)
    ingest(
        pipeline,
        tmp_path / "kill.xml",
        NEWSML.format(guid=guid, version=2, status="canceled", content=""),
    )
    assert_killed(pipeline, es, word, doc_id)


def test_a_plain_text_kill_advisory_naming_the_story_removes_it(pipeline, es, tmp_path):
    word = token()
    ingest(pipeline, tmp_path / "story.txt", story(word))
    doc_id = searchable(pipeline, word)
    advisory = f"KILL {doc_id}\n\nThe story about the {word} corridor is withdrawn. Do not use.\n"
    ingest(pipeline, tmp_path / "kill.txt", advisory)
    assert_killed(pipeline, es, word, doc_id)


def test_a_kill_that_arrives_before_its_story_keeps_the_story_dead(pipeline, es, tmp_path):
    word, uri = token(), f"urn:e2e:{uuid.uuid4().hex}"
    doc_id = article_id(SOURCE, guid=uri)
    ingest(pipeline, tmp_path / "kill.json", ninjs(uri, 2, "Withdrawn.", pubstatus="canceled"))
    assert records(pipeline, "enriched", doc_id, 15), "the early kill was not processed"

    ingest(pipeline, tmp_path / "story.json", ninjs(uri, 1, story(word)))
    sentinel = token()
    ingest(pipeline, tmp_path / "sentinel.txt", story(sentinel))
    searchable(pipeline, sentinel)
    assert doc_id not in search_ids(pipeline, word)
    assert es.get(index=pipeline.alias, id=doc_id)["_source"]["status"] == "canceled"
    assert all(r.get("status") == "canceled" for r in records(pipeline, "enriched", doc_id))


def test_an_embargoed_article_is_held_until_its_time_then_released(pipeline, es, tmp_path):
    word, uri = token(), f"urn:e2e:{uuid.uuid4().hex}"
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    embargo = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    ingest(pipeline, tmp_path / "held.json", ninjs(uri, 1, story(word), embargoed=embargo))
    doc_id = article_id(SOURCE, guid=uri)

    # Indexed and enriched, shown to editors, hidden from everybody else until `until`.
    searchable_for_editors = lambda: doc_id in search_ids(pipeline, word, "--include-embargoed")  # noqa: E731
    wait_until("the embargoed article indexed", searchable_for_editors, 20, pipeline)
    checks = 0
    while datetime.now(UTC) < until - timedelta(seconds=2):
        shown = doc_id in search_ids(pipeline, word)
        if datetime.now(UTC) < until:  # the answer came while the embargo held
            assert not shown, "shown by default search before its embargo ended"
            checks += 1
        time.sleep(0.5)
    assert checks >= 1, "the article took too long to index to test the hold"

    # Released with no new input.
    while datetime.now(UTC) < until:
        time.sleep(0.2)
    ended = time.monotonic()
    wait_until(
        "the article in default search after its embargo",
        lambda: doc_id in search_ids(pipeline, word),
        WITHIN_S,
        pipeline,
    )
    shown = time.monotonic() - ended  # includes the search command's own start-up
    published = timed_records(pipeline, "enriched", doc_id, WITHIN_S - shown)
    print(f"\nreleased: in search {shown:.1f} s after the embargo ended", end="")
    if published:
        print(f", on the topic {(published[0][1] - until).total_seconds():.1f} s after")
    assert published, f"not on news.enriched.v1 within {WITHIN_S} s of its embargo ending"
    for _, produced in published:
        assert produced >= until, f"published at {produced}, before its embargo ({until})"
    late = (published[0][1] - until).total_seconds()
    assert late <= WITHIN_S, f"published {late:.1f} s after its embargo ended"
    assert records(pipeline, "quote", doc_id), "its quotes are released with it"


def test_a_correction_replaces_its_original_and_keeps_the_link(pipeline, es, tmp_path):
    word, fixed = token(), token()
    ingest(pipeline, tmp_path / "story.txt", story(word))
    doc_id = searchable(pipeline, word)
    correction = f"CORRECTS {doc_id}\n\nGrain talks\n\n" + story(f"{word} {fixed}").replace(
        "Tuesday", "Wednesday"
    )
    ingest(pipeline, tmp_path / "correction.txt", correction)
    searchable(pipeline, fixed, doc_id)
    assert search_ids(pipeline, word) == [doc_id], "the correction replaced, not added"
    result = pipeline.cli("search", fixed, "--json")
    (doc,) = [orjson.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert doc["corrects"] == doc_id and doc["headline"] == "Grain talks"
    source = es.get(index=pipeline.alias, id=doc_id)["_source"]
    assert "Wednesday" in source["body"] and "Tuesday" not in source["body"]
