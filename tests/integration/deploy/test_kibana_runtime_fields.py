"""The data view's runtime fields compute the values the dashboard shows, on a real index."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import ensure_index, template_name

pytestmark = [
    pytest.mark.integration,
    # The local stack's minimal Elasticsearch has no lang-painless; against a full
    # distribution (WIRESTREAM_ES_URL) this runs.
    pytest.mark.may_skip_in_ci(reason="needs the lang-painless module"),
]

GENERATOR = Path(__file__).resolve().parents[3] / "deploy" / "kibana" / "build_saved_objects.py"


def _runtime_fields() -> dict:
    spec = importlib.util.spec_from_file_location("build_saved_objects", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    view = next(o for o in module.saved_objects() if o["type"] == "index-pattern")
    return json.loads(view["attributes"]["runtimeFieldMap"])


DOC = {
    "schema": "news.enriched.v1",
    "id": "a" * 32,
    "source": "wire",
    "body": "x",
    "received_at": "2026-11-25T09:00:00Z",
    "language": "en",
    "related_headlines": [],
    "topics": [
        {"code": "medtop:11000000", "label": "politics", "score": 0.9},
        {"code": "medtop:04000000", "label": "economy, business and finance", "score": 0.4},
    ],
    "stance": [
        {"target": "tariffs", "label": "disagree", "score": 0.8},
        {"target": "NATO", "label": "agree", "score": 0.6},
    ],
    "quotes": [
        {
            "text": "We will win",
            "speaker": "Jane Doe",
            "speaker_type": "PERSON",
            "kind": "direct",
            "start": 0,
            "end": 5,
        },
        {"text": "no comment", "speaker": None, "kind": "direct", "start": 6, "end": 9},
        {
            "text": "the plan was dead",
            "speaker": None,
            "speaker_mention": "the report",
            "kind": "indirect",
            "start": 10,
            "end": 20,
        },
    ],
    "entities": [
        {
            "text": "Doe",
            "canonical": "Jane Doe",
            "label": "PERSON",
            "start": 0,
            "end": 3,
            "sentiment": {"label": "negative", "score": 0.71},
        },
        {"text": "UN", "label": "ORG", "start": 9, "end": 11},
    ],
    "enrichment": {"model": "m", "version": "v", "took_ms": 1.0},
}


def test_runtime_fields_emit_one_value_per_nested_entry(es: Elasticsearch, unique_name):
    modules = {
        m["name"]
        for node in es.nodes.info(metric="plugins")["nodes"].values()
        for m in node.get("modules", [])
    }
    if "lang-painless" not in modules:
        pytest.skip(
            "this Elasticsearch has no lang-painless module (a minimal distribution): the "
            "data view's runtime fields cannot run here; the unit tests check them statically"
        )
    alias = unique_name("kibana-rt")
    settings = ElasticsearchSettings(alias=alias, index_prefix=f"{alias}-v")
    ensure_index(es, settings)
    try:
        es.index(index=alias, id=DOC["id"], document=DOC, refresh="true")
        runtime = _runtime_fields()
        result = es.search(
            index=alias,
            size=0,
            runtime_mappings=runtime,
            aggs={name: {"terms": {"field": name}} for name in runtime},
        )
        got = {
            name: sorted(b["key"] for b in agg["buckets"])
            for name, agg in result["aggregations"].items()
        }
        assert got["primary_topic"] == ["politics"]
        assert got["topic_code"] == ["medtop:04000000", "medtop:11000000"]
        assert got["quote_speaker"] == ["Jane Doe"]
        assert got["quote_speaker_typed"] == ["Jane Doe (PERSON)"]
        assert got["quote_line"] == [
            "Jane Doe: \u201cWe will win\u201d",
            "[the report] (reported): \u201cthe plan was dead\u201d",
            "unattributed: \u201cno comment\u201d",
        ]
        assert got["stance_pair"] == ["NATO \u00b7 agree", "tariffs \u00b7 disagree"]
        assert got["entity_person"] == ["Jane Doe"]
        assert got["entity_portrayal"] == ["Jane Doe \u00b7 negative"]
    finally:
        for index in es.indices.get(index=f"{settings.index_prefix}*"):
            es.indices.delete(index=index)
        es.options(ignore_status=404).indices.delete_index_template(name=template_name(settings))
