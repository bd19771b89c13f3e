"""Every saved search and visualisation hides withdrawn and embargoed articles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "deploy" / "kibana"))

import build_saved_objects as kibana  # noqa: E402


def _queries() -> dict[str, str]:
    queries = {}
    for obj in kibana.saved_objects():
        attributes = obj["attributes"]
        if obj["type"] == "search":
            source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
            queries[obj["id"]] = source["query"]["query"]
        elif obj["type"] == "lens":
            queries[obj["id"]] = attributes["state"]["query"]["query"]
    return queries


def test_saved_searches_and_lenses_filter_out_withdrawn_and_embargoed_articles():
    queries = _queries()
    assert len(queries) >= 8
    for name, query in queries.items():
        assert query.endswith(kibana.VISIBLE_KQL), name
    assert "status : (withheld or canceled)" in kibana.VISIBLE_KQL
    assert "embargoed_until > now" in kibana.VISIBLE_KQL
