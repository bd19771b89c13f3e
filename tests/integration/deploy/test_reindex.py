"""`wirestream reindex` on the real Elasticsearch: search on the alias answers throughout."""

from __future__ import annotations

import threading
import time

import pytest
from elasticsearch import Elasticsearch, helpers

from pipeline.ops.reindex import reindex
from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import alias_indices, ensure_index, template_name

pytestmark = pytest.mark.integration

DOCS = 4000


def _doc(i: int) -> dict:
    return {
        "schema": "news.enriched.v1",
        "id": f"{i:032x}",
        "source": f"source-{i % 7}",
        "headline": f"Headline number {i}",
        "body": f"Body of article {i}.",
        "received_at": "2026-11-25T09:00:00Z",
        "language": "en",
        "related_headlines": [],
        "topics": [{"code": "medtop:11000000", "label": "politics", "score": 0.9}],
        "stance": [],
        "quotes": [
            {"text": "We will", "speaker": "Jane Doe", "kind": "direct", "start": 0, "end": 7}
        ],
        "entities": [],
        "revision": i % 5,
        "enrichment": {"model": "test", "version": "test", "took_ms": 1.0},
    }


@pytest.fixture
def news_alias(es: Elasticsearch, unique_name):
    alias = unique_name("news")
    settings = ElasticsearchSettings(alias=alias, index_prefix=f"{alias}-v")
    ensure_index(es, settings)
    # Written like the sink writes: through the alias, revisions as external versions.
    actions = (
        {
            "_op_type": "index",
            "_index": alias,
            "_id": doc["id"],
            "_source": doc,
            "version": doc["revision"],
            "version_type": "external_gte",
        }
        for doc in map(_doc, range(DOCS))
    )
    helpers.bulk(es, actions, chunk_size=500, refresh="true")
    yield settings
    # Deleting by wildcard is refused (destructive_requires_name): name each index.
    for index in es.indices.get(index=f"{settings.index_prefix}*"):
        es.options(ignore_status=404).indices.delete(index=index)
    es.options(ignore_status=404).indices.delete_index_template(name=template_name(settings))


def test_search_on_the_alias_answers_with_every_document_throughout_the_reindex(es, news_alias):
    settings = news_alias
    answers: list[tuple[float, int]] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def search_continuously() -> None:
        while not stop.is_set():
            try:
                hits = es.search(index=settings.alias, size=0, track_total_hits=True)
                answers.append((time.monotonic(), hits["hits"]["total"]["value"]))
            except Exception as exc:  # every failed search is a downtime
                failures.append(exc)

    stages: dict[str, float] = {}
    searcher = threading.Thread(target=search_continuously, daemon=True)
    searcher.start()
    time.sleep(0.3)
    try:
        result = reindex(
            es,
            settings,
            delete_old=True,
            batch_size=100,
            poll_s=0.1,
            progress=lambda stage, _info: stages.setdefault(stage, time.monotonic()),
        )
        time.sleep(0.3)
    finally:
        stop.set()
        searcher.join(timeout=30)

    assert not failures, failures[:3]
    assert answers and {count for _, count in answers} == {DOCS}
    during_copy = [t for t, _ in answers if stages["created"] <= t <= stages["swapped"]]
    assert during_copy, "no search ran while the copy was in progress"
    assert result.source == f"{settings.index_prefix}1"
    assert result.dest == f"{settings.index_prefix}2"
    assert result.copied == DOCS
    assert alias_indices(es, settings.alias) == {result.dest: True}
    assert not es.indices.exists(index=result.source)


def test_reindexed_documents_keep_their_revision_versions(es, news_alias):
    settings = news_alias
    result = reindex(es, settings, catch_up=False, batch_size=500, poll_s=0.1)
    copy = es.get(index=settings.alias, id=f"{3:032x}")
    assert copy["_index"] == result.dest
    assert copy["_version"] == 3
    # An older revision arriving late is still refused by the new index.
    late = es.options(ignore_status=409).index(
        index=settings.alias,
        id=f"{3:032x}",
        document=_doc(3),
        version=2,
        version_type="external_gte",
    )
    assert late.meta.status == 409
    # The old index is kept for rollback by default, and the next reindex skips its name.
    assert es.indices.exists(index=result.source)
    again = reindex(es, settings, catch_up=False, poll_s=0.1)
    assert again.source == result.dest
    assert again.dest == f"{settings.index_prefix}3"
