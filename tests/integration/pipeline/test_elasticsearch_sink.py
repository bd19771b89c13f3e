"""The sink and the index setup against the real local Elasticsearch."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.elasticsearch import ElasticsearchSink, WriteResult
from pipeline.sinks.index_setup import alias_indices, ensure_index, template_name

pytestmark = pytest.mark.integration


@pytest.fixture
def es_settings(es, unique_name):
    name = unique_name("ws-sink")
    settings = ElasticsearchSettings(alias=name, index_prefix=f"{name}-v", refresh="true")
    yield settings
    for index in es.indices.get(index=f"{settings.index_prefix}*").body:
        es.indices.delete(index=index)
    es.indices.delete_index_template(name=template_name(settings), ignore=[404])


def enriched(n: int, **extra: Any) -> dict[str, Any]:
    record = {
        "schema": "news.enriched.v1",
        "id": f"{n:032x}",
        "source": "test",
        "body": f"Body of article {n}.",
        "received_at": "2026-11-25T09:00:00Z",
        "language": "en",
        "related_headlines": [],
        "topics": [{"code": "medtop:16000000", "label": "conflict, war and peace", "score": 0.9}],
        "stance": [],
        "quotes": [
            {
                "text": '"We will win"',
                "speaker": "Jane Doe",
                "kind": "direct",
                "start": 0,
                "end": 13,
            }
        ],
        "entities": [],
        "embedding": None,
        "enrichment": {"model": "m", "version": "v", "took_ms": 1.0},
    }
    record.update(extra)
    return record


def write(settings: ElasticsearchSettings, docs: list[dict[str, Any]]) -> WriteResult:
    async def go() -> WriteResult:
        client = AsyncElasticsearch(settings.url)
        try:
            return await ElasticsearchSink(client, settings).write(docs)
        finally:
            await client.close()

    return asyncio.run(go())


def test_index_setup_is_idempotent_and_the_alias_is_the_write_target(es, es_settings):
    first = ensure_index(es, es_settings)
    second = ensure_index(es, es_settings)
    assert first == second == f"{es_settings.index_prefix}1"
    assert alias_indices(es, es_settings.alias) == {first: True}
    mapping = es.indices.get_mapping(index=first).body[first]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["embedding"]["type"] == "dense_vector"


def test_rewriting_the_same_id_leaves_one_document(es, es_settings):
    ensure_index(es, es_settings)
    assert write(es_settings, [enriched(1)]).indexed == [enriched(1)["id"]]
    assert write(es_settings, [enriched(1, body="Updated body.")]).indexed == [enriched(1)["id"]]
    es.indices.refresh(index=es_settings.alias)
    assert es.count(index=es_settings.alias)["count"] == 1
    assert (
        es.get(index=es_settings.alias, id=enriched(1)["id"])["_source"]["body"] == "Updated body."
    )


def test_an_older_revision_does_not_overwrite_a_newer_one(es, es_settings):
    ensure_index(es, es_settings)
    write(es_settings, [enriched(2, revision=20, body="newer")])
    result = write(es_settings, [enriched(2, revision=10, body="older")])
    assert result.stale == [enriched(2)["id"]] and not result.rejected
    assert es.get(index=es_settings.alias, id=enriched(2)["id"])["_source"]["body"] == "newer"
    write(es_settings, [enriched(2, revision=20, body="same revision, re-enriched")])
    source = es.get(index=es_settings.alias, id=enriched(2)["id"])["_source"]
    assert source["body"] == "same revision, re-enriched"


def test_a_mapping_error_comes_back_as_that_documents_failure(es, es_settings):
    ensure_index(es, es_settings)
    bad = enriched(4, unmapped_field="x")
    result = write(es_settings, [enriched(3), bad, enriched(5)])
    assert sorted(result.indexed) == sorted([enriched(3)["id"], enriched(5)["id"]])
    assert [r.document["id"] for r in result.rejected] == [bad["id"]]
    assert result.rejected[0].status == 400
    assert "strict_dynamic_mapping" in result.rejected[0].error_type


def test_a_missing_alias_is_never_auto_created_as_an_index(es, es_settings):
    from pipeline.sinks.elasticsearch import SinkUnavailable

    with pytest.raises(SinkUnavailable):
        asyncio.run(_write_once(es_settings, [enriched(6)]))
    assert not es.indices.exists(index=es_settings.alias)


async def _write_once(settings: ElasticsearchSettings, docs: list[dict[str, Any]]) -> None:
    client = AsyncElasticsearch(settings.url)
    try:
        await ElasticsearchSink(client, settings).write(docs, max_attempts=1)
    finally:
        await client.close()


def test_an_index_made_by_an_older_version_gets_the_new_fields_in_place(es, es_settings):
    from pipeline.sinks.index_setup import _template_for, load_template, missing_properties

    old = _template_for(es)["template"]
    properties = dict(old["mappings"]["properties"])
    properties.pop("headline_derived")
    enrichment = dict(properties["enrichment"]["properties"])
    enrichment.pop("status")
    properties["enrichment"] = {"properties": enrichment}
    index = f"{es_settings.index_prefix}1"
    es.indices.create(
        index=index,
        mappings={**old["mappings"], "properties": properties},
        settings=old.get("settings", {}),
        aliases={es_settings.alias: {"is_write_index": True}},
    )
    assert ensure_index(es, es_settings) == index
    mapping = es.indices.get_mapping(index=index).body[index]["mappings"]["properties"]
    assert "headline_derived" in mapping and "status" in mapping["enrichment"]["properties"]
    assert missing_properties(load_template()["template"]["mappings"]["properties"], mapping) == {}
    doc = enriched(
        7,
        headline_derived=True,
        enrichment={"status": "done", "model": "m", "version": "v", "took_ms": 1.0},
    )
    assert write(es_settings, [doc]).indexed == [f"{7:032x}"]
