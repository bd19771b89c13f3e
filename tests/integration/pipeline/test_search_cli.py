"""`wirestream search` against a real Elasticsearch index made from the real template:
the topic, date and speaker filters, semantic search with a speaker, and the error paths.

The command runs in this process (click's runner) so the sentence encoder can be replaced by
fixed vectors: the kNN ranking is then known without loading a model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from elasticsearch import Elasticsearch

from pipeline.cli import search as search_cli
from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import ensure_index, template_name

pytestmark = pytest.mark.integration

DIMS = 384


def axis(n: int) -> list[float]:
    return [1.0 if i == n else 0.0 for i in range(DIMS)]


def doc(letter: str, headline: str, topic: tuple[str, str], speaker: str, **extra: Any) -> dict:
    code, label = topic
    return {
        "schema": "news.enriched.v1",
        "id": letter * 32,
        "source": "wire",
        "headline": headline,
        "body": f"{headline}. More words follow.",
        "received_at": "2026-11-27T09:00:00Z",
        "language": "en",
        "related_headlines": [],
        "topics": [{"code": code, "label": label, "score": 0.9}],
        "quotes": [
            {"text": "It is done now.", "speaker": speaker, "kind": "direct", "start": 0, "end": 5}
        ],
        "enrichment": {"model": "m", "version": "v", "took_ms": 1.0},
        **extra,
    }


POLITICS = ("medtop:11000000", "politics")
ECONOMY = ("medtop:04000000", "economy, business and finance")
DOCS = [
    # Published before the --since date, received after it: publication time wins.
    doc("a", "Grain corridor extended", POLITICS, "Maria Lopez",
        published_at="2026-11-20T08:00:00Z", embedding=axis(0)),
    doc("b", "Ferry strike ends", ECONOMY, "Jim Mattis",
        published_at="2026-11-26T08:00:00Z", embedding=axis(1)),
    # No publication time: the receipt time counts.
    doc("c", "Harbour plan approved", ECONOMY, "Jim Mattis", embedding=axis(2)),
]  # fmt: skip


@pytest.fixture
def index(es: Elasticsearch, unique_name) -> Iterator[dict[str, str]]:
    alias = unique_name("search-cli")
    settings = ElasticsearchSettings(alias=alias, index_prefix=f"{alias}-v")
    ensure_index(es, settings)
    try:
        for document in DOCS:
            es.index(index=alias, id=document["id"], document=document)
        es.indices.refresh(index=alias)
        yield {
            "WIRESTREAM_ES_URL": settings.url,
            "WIRESTREAM_ES_ALIAS": alias,
            "WIRESTREAM_ES_INDEX_PREFIX": settings.index_prefix,
        }
    finally:
        for name in es.indices.get(index=f"{settings.index_prefix}*"):
            es.indices.delete(index=name)
        es.options(ignore_status=404).indices.delete_index_template(name=template_name(settings))


def search(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(search_cli.search, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return [orjson.loads(line) for line in result.output.splitlines()]


def ids(hits: list[dict[str, Any]]) -> list[str]:
    return [hit["id"][0] for hit in hits]


def test_topic_filter_by_label_and_by_code(index):
    assert ids(search(index, "--topic", "politics")) == ["a"]
    assert sorted(ids(search(index, "--topic", "04000000"))) == ["b", "c"]
    assert sorted(ids(search(index, "--topic", "medtop:04000000"))) == ["b", "c"]


def test_since_uses_the_publication_time_and_else_the_receipt_time(index):
    assert sorted(ids(search(index, "--since", "2026-11-25"))) == ["b", "c"]
    assert ids(search(index, "--since", "2026-11-28")) == []


def test_semantic_with_a_speaker_ranks_only_that_speakers_articles(index, monkeypatch):
    monkeypatch.setattr(search_cli, "_encode", lambda text: axis(0))  # nearest to "a"
    assert ids(search(index, "--semantic", "grain"))[0] == "a"
    hits = search(index, "--semantic", "grain", "--speaker", "Mattis")
    assert sorted(ids(hits)) == ["b", "c"]
    assert all([q["speaker"] for q in hit["matched_quotes"]] == ["Jim Mattis"] for hit in hits)


def test_a_request_elasticsearch_refuses_is_a_clear_error(index):
    result = CliRunner().invoke(search_cli.search, ["--since", "not a date"], env=index)
    assert result.exit_code == 1
    assert "search failed" in result.output and "Traceback" not in result.output
