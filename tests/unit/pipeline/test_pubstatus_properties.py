"""Property: revisions, kills, withholds and embargoes of one article, in any arrival order and
any batching, end in the same place: the index holds what the rules say, searches show it only
when they should, and the output topics never carry the article while it is embargoed or after
it was killed, and end on its final state.

The real batch processor, Elasticsearch sink and embargo release run over a fake index that
implements Elasticsearch's `external_gte` versioning (the only guard the sink relies on) and
`create` (the raw indexer's write, which has consumed any prefix of the same arrivals).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_processor import FakePublisher, Quoter, message

from pipeline.contracts.pubstatus import (
    CANCELED,
    KILL_VERSION,
    USABLE,
    WITHHELD,
    is_embargoed,
    is_visible,
    parse_instant,
    status_of,
)
from pipeline.enrich.runner import EnrichmentRunner
from pipeline.settings import ElasticsearchSettings, TopicSettings, WorkerSettings
from pipeline.sinks.elasticsearch import ElasticsearchSink
from pipeline.sinks.index_setup import mapped_fields
from pipeline.worker.embargo import EmbargoRelease
from pipeline.worker.processor import BatchProcessor
from pipeline.worker.raw_indexer import create_operations, raw_document
from pipeline.worker.retry import Backoff

TOPICS = TopicSettings()
ID = "ab" * 16
SPAN = 10**13
NOW = datetime.now(UTC)
FUTURE = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
PAST = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
LATER = NOW + timedelta(days=2)


class VersionedIndex:
    """Elasticsearch's bulk index with `external_gte`: a lower version is a 409."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[int | None, dict[str, Any]]] = {}

    def create(self, operations: list[Any]) -> None:
        """The raw indexer's bulk `create`: refused when the id exists, else version 1."""
        for action, doc in zip(operations[::2], operations[1::2], strict=True):
            meta = action["create"]
            if meta["_id"] not in self.docs:
                self.docs[meta["_id"]] = (1, orjson.loads(orjson.dumps(doc)))

    async def bulk(self, *, operations: list[Any], **kwargs: Any) -> dict[str, Any]:
        items = []
        for action, doc in zip(operations[::2], operations[1::2], strict=True):
            meta = action["index"]
            version = meta.get("version")
            current = self.docs.get(meta["_id"])
            if version is not None and current and current[0] is not None and version < current[0]:
                error = {"type": "version_conflict_engine_exception", "reason": "stale"}
                items.append({"index": {"status": 409, "error": error}})
                continue
            self.docs[meta["_id"]] = (version, orjson.loads(orjson.dumps(doc)))
            items.append({"index": {"status": 201}})
        return {"items": items}

    async def search(self, *, query: dict[str, Any], size: int, **kwargs: Any) -> dict[str, Any]:
        window = query["bool"]["filter"][0]["range"]["embargoed_until"]
        hidden = set(query["bool"]["must_not"][0]["terms"]["status"])
        assert query["bool"]["must_not"][1] == {"term": {"enrichment.status": "pending"}}
        hits = []
        for _, doc in self.docs.values():
            until = parse_instant(doc.get("embargoed_until"))
            if until is None or status_of(doc) in hidden:
                continue
            if (doc.get("enrichment") or {}).get("status") == "pending":
                continue
            if window["gt"] < until.timestamp() * 1000 <= window["lte"]:
                hits.append({"_source": doc, "sort": [doc["embargoed_until"], doc["id"]]})
        return {"hits": {"hits": hits[:size]}}


# One article's events: (kind, source version, embargoed?) -> a wire.article.v1 record.
_event = st.tuples(
    st.sampled_from([USABLE, USABLE, WITHHELD, CANCELED]),
    st.integers(1, 5),
    st.booleans(),
)


def record(n: int, kind: str, version: int, embargoed: bool) -> dict[str, Any]:
    article: dict[str, Any] = {
        "schema": "wire.article.v1",
        "id": ID,
        "source": "test",
        "body": f"Revision {version}, event {n}.",
        "received_at": "2026-11-25T09:00:00Z",
        # Unique revisions: the source version first, the event number breaks ties.
        "revision": version * SPAN + n,
        "status": kind,
    }
    if embargoed:
        article["embargoed_until"] = FUTURE if n % 2 else PAST
    return article


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(_event, min_size=1, max_size=7),
    order=st.randoms(use_true_random=False),
    batch=st.integers(1, 3),
    raw_progress=st.lists(st.integers(0, 7), min_size=7, max_size=7),
)
def test_any_arrival_order_ends_in_the_state_the_rules_give(events, order, batch, raw_progress):
    articles = [record(n, *event) for n, event in enumerate(events)]
    arrival = list(articles)
    order.shuffle(arrival)

    index, publisher = VersionedIndex(), FakePublisher()
    es_settings = ElasticsearchSettings()
    proc = BatchProcessor(
        EnrichmentRunner([Quoter()]),
        ElasticsearchSink(index, es_settings),
        publisher,
        worker=WorkerSettings(),
        topics=TOPICS,
        backoff=Backoff(0.0, 0.0),
    )
    clock = [NOW]  # the worker starts now; its release runs again once every embargo passed
    release = EmbargoRelease(index, es_settings.alias, publisher, TOPICS, clock=lambda: clock[0])

    killed_at: int | None = None  # how many enriched records were out when the kill went in
    raw_done, fields = 0, mapped_fields()
    for step, start in enumerate(range(0, len(arrival), batch)):
        # The raw indexer, in its own consumer group, is somewhere in the same arrivals.
        raw_to = max(raw_done, min(raw_progress[step], len(arrival)))
        docs = [raw_document(a, fields) for a in arrival[raw_done:raw_to]]
        index.create(create_operations(es_settings.alias, docs))
        raw_done = raw_to
        chunk = arrival[start : start + batch]
        asyncio.run(proc.process([message(orjson.dumps(a)) for a in chunk]))
        if killed_at is None and any(a["status"] == CANCELED for a in chunk):
            killed_at = len(publisher.on(TOPICS.enriched))
    asyncio.run(release.tick())  # nothing is due yet
    before_release = list(publisher.on(TOPICS.enriched))
    clock[0] = LATER
    asyncio.run(release.tick())
    enriched = publisher.on(TOPICS.enriched)

    # The index: a kill wins whatever came before or after; otherwise the highest revision.
    version, doc = index.docs[ID]
    kills = [a for a in articles if a["status"] == CANCELED]
    if kills:
        assert doc["status"] == CANCELED and version == KILL_VERSION
    else:
        final = max(articles, key=lambda a: a["revision"])
        assert doc["revision"] == final["revision"] and doc["status"] == final["status"]
    assert is_visible(doc, NOW) == (
        not kills and doc["status"] == USABLE and not is_embargoed(doc, NOW)
    )

    # The topics: nothing usable after the kill, nothing while embargoed, withdrawals empty.
    if killed_at is not None:
        assert all(status_of(r) != USABLE for r in enriched[killed_at:])
    for out in before_release:
        assert not is_embargoed(out, NOW) or status_of(out) != USABLE
        if status_of(out) != USABLE:
            assert out["body"] == "" and out["quotes"] == []
    # ... and consumers end on the index's final state once every embargo has passed.
    assert enriched, "every sequence publishes at least the final state"
    last = enriched[-1]
    assert (last["revision"], status_of(last)) == (doc["revision"], status_of(doc))
    quotes = publisher.on(TOPICS.quote)
    if status_of(doc) != USABLE:
        assert quotes[-1]["quote_id"] == f"{ID}:*" and quotes[-1]["status"] == doc["status"]
