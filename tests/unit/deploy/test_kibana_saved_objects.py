"""The Kibana saved objects only reference fields the index template maps, with usable types."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
NDJSON = REPO / "deploy" / "kibana" / "wirestream.ndjson"
TEMPLATE = REPO / "schemas" / "elasticsearch" / "news-index-template.json"

AGGREGATABLE = {"keyword", "long", "integer", "short", "byte", "double", "float", "date", "boolean"}
SORTABLE = AGGREGATABLE
# Lens operations and the field types each one accepts.
LENS_OPERATIONS = {
    "terms": {"keyword", "long", "integer", "double", "float", "boolean"},
    "date_histogram": {"date"},
    "unique_count": AGGREGATABLE,
    "last_value": AGGREGATABLE,
}


def _flatten(properties: dict[str, Any], prefix: str = "", nested: str | None = None) -> dict:
    fields = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        kind = spec.get("type", "object")
        fields[path] = {"type": kind, "nested": nested}
        inner_nested = path if kind == "nested" else nested
        if "properties" in spec:
            fields.update(_flatten(spec["properties"], f"{path}.", inner_nested))
        for sub, sub_spec in spec.get("fields", {}).items():
            fields[f"{path}.{sub}"] = {"type": sub_spec["type"], "nested": nested}
    return fields


@pytest.fixture(scope="module")
def mapped() -> dict[str, dict]:
    return _flatten(json.loads(TEMPLATE.read_text())["template"]["mappings"]["properties"])


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines() if line]


def _by_type(objects: list[dict], type_: str) -> list[dict]:
    return [o for o in objects if o["type"] == type_]


def _runtime_fields(objects: list[dict]) -> dict[str, dict]:
    fields: dict[str, dict] = {}
    for view in _by_type(objects, "index-pattern"):
        fields.update(json.loads(view["attributes"].get("runtimeFieldMap", "{}")))
    return fields


def _field_type(name: str, mapped: dict, runtime: dict) -> tuple[str, str | None]:
    if name in runtime:
        return runtime[name]["type"], None
    assert name in mapped, f"{name!r} is neither in the index template nor a runtime field"
    return mapped[name]["type"], mapped[name]["nested"]


def _kql_fields(query: str) -> list[str]:
    return re.findall(r"([A-Za-z_][\w.]*)\s*:", query)


def test_saved_objects_file_is_what_the_generator_writes():
    result = subprocess.run(
        [sys.executable, str(NDJSON.parent / "build_saved_objects.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_saved_object_has_a_unique_id_and_known_type(objects):
    ids = [(o["type"], o["id"]) for o in objects]
    assert len(ids) == len(set(ids))
    assert {o["type"] for o in objects} == {"index-pattern", "search", "lens", "dashboard"}


def test_data_views_point_at_the_news_alias_with_a_date_time_field(objects, mapped):
    from pipeline.settings import ElasticsearchSettings

    views = _by_type(objects, "index-pattern")
    assert views
    for view in views:
        assert view["attributes"]["title"] == ElasticsearchSettings().alias
        time_field = view["attributes"]["timeFieldName"]
        assert mapped[time_field]["type"] == "date"
    assert {v["attributes"]["timeFieldName"] for v in views} == {"received_at", "published_at"}


def test_runtime_fields_read_only_source_paths_the_template_maps(objects, mapped):
    runtime = _runtime_fields(objects)
    assert runtime
    for name, spec in runtime.items():
        assert name not in mapped, f"runtime field {name} would shadow a mapped field"
        assert spec["type"] in AGGREGATABLE
        script = spec["script"]["source"]
        roots = re.findall(r"params\._source\.(\w+)", script)
        assert roots, f"{name} reads no _source path"
        loop_vars = dict(re.findall(r"for \(def (\w+) : (\w+)\)", script))
        for root in roots:
            assert root in mapped, f"{name} reads _source.{root}, not in the template"
        paths = [f"{roots[0]}.{attr}" for attr in re.findall(r"items\[0\]\.(\w+)", script)]
        for var in loop_vars:
            paths += [f"{roots[0]}.{attr}" for attr in re.findall(rf"\b{var}\.(\w+)", script)]
        for path in paths:
            assert path in mapped, f"{name} reads {path}, not in the template"


def test_lens_columns_use_fields_with_types_their_operation_accepts(objects, mapped):
    runtime = _runtime_fields(objects)
    checked = 0
    for vis in _by_type(objects, "lens"):
        layers = vis["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        for layer in layers.values():
            for column in layer["columns"].values():
                op, field = column["operationType"], column.get("sourceField")
                if op == "count":
                    continue
                kind, nested = _field_type(field, mapped, runtime)
                title = vis["attributes"]["title"]
                # Lens aggregates on the root document: fields inside nested objects are invisible.
                assert nested is None, f"{title}: {field} is inside nested {nested}"
                assert kind in LENS_OPERATIONS[op], f"{title}: {op} on {field} ({kind})"
                checked += 1
    assert checked >= 5


def test_saved_searches_columns_sort_and_query_use_known_fields(objects, mapped):
    runtime = _runtime_fields(objects)
    searches = _by_type(objects, "search")
    assert {s["id"] for s in searches} >= {
        "wirestream-search-by-topic",
        "wirestream-search-by-speaker",
        "wirestream-search-by-stance",
        "wirestream-top-stories",
    }
    for search in searches:
        attributes = search["attributes"]
        for column in attributes["columns"]:
            _field_type(column, mapped, runtime)
        for field, _direction in attributes["sort"]:
            assert _field_type(field, mapped, runtime)[0] in SORTABLE
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        for field in _kql_fields(source["query"]["query"]):
            _field_type(field, mapped, runtime)


def test_every_reference_resolves_to_an_object_in_the_file(objects):
    present = {(o["type"], o["id"]) for o in objects}
    for obj in objects:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in present, f"{obj['id']} -> {ref}"


def test_dashboard_panels_each_have_their_reference(objects):
    (board,) = _by_type(objects, "dashboard")
    panels = json.loads(board["attributes"]["panelsJSON"])
    names = {ref["name"] for ref in board["references"]}
    assert len(panels) == 7
    for panel in panels:
        assert f"{panel['panelIndex']}:{panel['panelRefName']}" in names
    titles = {o["attributes"]["title"] for o in objects if o["type"] in ("lens", "search")}
    assert {
        "Articles per topic over time",
        "Top quoted speakers",
        "Stance breakdown per target",
        "Sources",
        "Latest quotes",
        "Top stories now",
        "How they are portrayed",
    } <= titles
