"""The analyzer probe answers for the real Elasticsearch, and the template it picks works there."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import LITE_ANALYZER, ensure_index, has_analyzer, template_name

pytestmark = pytest.mark.integration


def test_has_analyzer_tells_a_known_analyzer_from_an_unknown_one(es: Elasticsearch):
    assert has_analyzer(es, "standard") is True
    assert has_analyzer(es, "no_such_analyzer_anywhere") is False


def test_the_template_chosen_for_this_cluster_analyzes_english_text(es: Elasticsearch, unique_name):
    alias = unique_name("template")
    settings = ElasticsearchSettings(alias=alias, index_prefix=f"{alias}-v")
    index = ensure_index(es, settings)
    try:
        mapping = es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
        analyzer = mapping["body"]["analyzer"]
        # english where the cluster has it, else the lite fallback (no stemming).
        assert analyzer == ("english" if has_analyzer(es, "english") else LITE_ANALYZER)
        tokens = es.indices.analyze(index=index, analyzer=analyzer, text="The Ministers met")
        words = [t["token"] for t in tokens["tokens"]]
        assert "the" not in words and words[0] in ("minist", "ministers")
    finally:
        for name in es.indices.get(index=f"{settings.index_prefix}*"):
            es.indices.delete(index=name)
        es.options(ignore_status=404).indices.delete_index_template(name=template_name(settings))
