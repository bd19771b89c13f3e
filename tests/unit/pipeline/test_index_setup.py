"""The index template falls back to a lighter analyzer where Elasticsearch has no `english`."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import (
    LITE_ANALYZER,
    has_analyzer,
    load_template,
    put_template,
    without_english_analyzer,
)


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))
    return ApiError("analyze failed", meta, {"error": {"type": "x"}})


class FakeIndices:
    """`_analyze` knows the analyzers given; `put_index_template` records its body."""

    def __init__(self, analyzers: set[str], error_status: int = 400) -> None:
        self.analyzers, self.error_status = analyzers, error_status
        self.templates: list[dict[str, Any]] = []

    def analyze(self, *, analyzer: str, text: str) -> dict[str, Any]:
        if analyzer not in self.analyzers:
            raise api_error(self.error_status)
        return {"tokens": [{"token": text}]}

    def put_index_template(self, **kwargs: Any) -> None:
        self.templates.append(kwargs)


class FakeElasticsearch:
    def __init__(self, analyzers: set[str], error_status: int = 400) -> None:
        self.indices = FakeIndices(analyzers, error_status)


def analyzers_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "analyzer" and isinstance(v, str)]
        return found + [a for v in node.values() for a in analyzers_in(v)]
    if isinstance(node, list):
        return [a for v in node for a in analyzers_in(v)]
    return []


def test_has_analyzer_is_true_for_a_known_one_and_false_on_a_400():
    es = FakeElasticsearch({"standard"})
    assert has_analyzer(es, "standard") is True
    assert has_analyzer(es, "english") is False


def test_has_analyzer_raises_other_errors_instead_of_answering_no():
    with pytest.raises(ApiError):
        has_analyzer(FakeElasticsearch(set(), error_status=503), "english")


def test_without_english_analyzer_swaps_every_english_analyzer_and_defines_the_lite_one():
    template = load_template()
    original = copy.deepcopy(template)
    assert "english" in analyzers_in(template["template"]["mappings"])
    adapted = without_english_analyzer(template)
    assert template == original, "the loaded template is not modified"
    assert "english" not in analyzers_in(adapted)
    assert analyzers_in(adapted["template"]["mappings"]).count(LITE_ANALYZER) == analyzers_in(
        template["template"]["mappings"]
    ).count("english")
    analysis = adapted["template"]["settings"]["analysis"]
    assert analysis["analyzer"][LITE_ANALYZER]["tokenizer"] == "standard"
    # Apart from the analyzer names and its definition, it is the same template.
    rest = copy.deepcopy(adapted)
    del rest["template"]["settings"]["analysis"]
    assert "analysis" not in template["template"].get("settings", {})
    if not template["template"].get("settings"):
        del rest["template"]["settings"]
    assert json.loads(json.dumps(rest).replace(LITE_ANALYZER, "english")) == template


def test_without_english_analyzer_reaches_analyzers_inside_lists():
    template = {"template": {"mappings": {"dynamic_templates": [{"t": {"analyzer": "english"}}]}}}
    adapted = without_english_analyzer(template)
    assert adapted["template"]["mappings"]["dynamic_templates"] == [
        {"t": {"analyzer": LITE_ANALYZER}}
    ]


def test_put_template_uses_the_lite_analyzer_only_where_english_is_missing():
    settings = ElasticsearchSettings()
    with_english = FakeElasticsearch({"english", "standard"})
    put_template(with_english, settings)
    without = FakeElasticsearch({"standard"})
    put_template(without, settings)
    (full,) = with_english.indices.templates
    (lite,) = without.indices.templates
    assert full["template"] == load_template()["template"]
    assert "english" not in analyzers_in(lite["template"])
    assert LITE_ANALYZER in analyzers_in(lite["template"])
    assert lite["index_patterns"] == full["index_patterns"] == [f"{settings.index_prefix}*"]
