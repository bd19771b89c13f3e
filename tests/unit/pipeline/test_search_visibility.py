"""Default searches hide withdrawn and embargoed articles; editors can ask for embargoed ones."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.search.query import build_search, visibility_filter


def _filters(request: dict[str, Any]) -> list[dict[str, Any]]:
    return request["query"]["bool"]["filter"]


@pytest.mark.parametrize(
    "options",
    [
        {"text": "ceasefire"},
        {"topic": "politics"},
        {"since": "2026-01-01"},
        {"vector": [0.1] * 384},
        {"vector": [0.1] * 384, "speaker": "Mattis"},
    ],
)
def test_every_kind_of_search_hides_withdrawn_and_embargoed_articles(options):
    request = build_search(**options)
    hide = visibility_filter()
    if "knn" in request:
        assert hide in request["knn"]["filter"]
    if "query" in request:
        assert hide in _filters(request)
    must_not = hide["bool"]["must_not"]
    assert {"terms": {"status": ["withheld", "canceled"]}} in must_not
    assert {"range": {"embargoed_until": {"gt": "now"}}} in must_not


def test_include_embargoed_shows_held_articles_but_never_withdrawn_ones():
    request = build_search("ceasefire", include_embargoed=True)
    (hide,) = [f for f in _filters(request) if "must_not" in f.get("bool", {})]
    assert hide["bool"]["must_not"] == [{"terms": {"status": ["withheld", "canceled"]}}]
