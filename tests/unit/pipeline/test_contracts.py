"""The index template and the AsyncAPI document agree with the JSON Schemas (the source of truth)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from pipeline.contracts import schemas

TEMPLATE = schemas.schema_dir() / "elasticsearch" / "news-index-template.json"
ASYNCAPI = schemas.schema_dir() / "asyncapi.yaml"


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        assert ref.startswith("#/"), ref
        for part in ref[2:].split("/"):
            root = root[part]
        return _resolve(root, schemas.load_schema(schemas.ENRICHED))
    return node


def _schema_paths(properties: dict[str, Any], root: dict[str, Any], prefix: str = "") -> set[str]:
    paths = set()
    for name, node in properties.items():
        node = _resolve(node, root)
        path = prefix + name
        paths.add(path)
        if "items" in node:
            node = _resolve(node["items"], root)
        if "properties" in node:
            paths |= _schema_paths(node["properties"], root, path + ".")
    return paths


def _mapping_paths(properties: dict[str, Any], prefix: str = "") -> set[str]:
    paths = set()
    for name, node in properties.items():
        paths.add(prefix + name)
        if "properties" in node:
            paths |= _mapping_paths(node["properties"], prefix + name + ".")
    return paths


def _template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def test_every_enriched_field_is_mapped_and_nothing_else():
    schema = schemas.load_schema(schemas.ENRICHED)
    mapping = _template()["template"]["mappings"]
    assert _schema_paths(schema["properties"], schema) == _mapping_paths(mapping["properties"])


def test_the_mapping_is_strict_so_unknown_fields_are_rejected():
    assert _template()["template"]["mappings"]["dynamic"] == "strict"


def test_the_embedding_is_an_indexed_cosine_vector_of_the_schema_length():
    schema = schemas.load_schema(schemas.ENRICHED)
    embedding = _template()["template"]["mappings"]["properties"]["embedding"]
    assert embedding["type"] == "dense_vector"
    assert embedding["dims"] == schema["properties"]["embedding"]["maxItems"] == 384
    assert embedding["index"] is True and embedding["similarity"] == "cosine"


def test_quotes_are_nested_with_a_keyword_speaker():
    properties = _template()["template"]["mappings"]["properties"]
    assert properties["quotes"]["type"] == "nested"
    assert properties["quotes"]["properties"]["speaker"]["type"] == "keyword"
    assert properties["headline"]["fields"]["keyword"]["type"] == "keyword"
    assert properties["body"]["analyzer"] == "english"


def test_dates_in_the_schema_are_dates_in_the_mapping():
    schema = schemas.load_schema(schemas.ENRICHED)
    properties = _template()["template"]["mappings"]["properties"]
    for name, node in schema["properties"].items():
        if node.get("format") == "date-time":
            assert properties[name]["type"] == "date", name


def test_asyncapi_lists_every_topic_with_its_schema_file():
    doc = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
    assert doc["asyncapi"].startswith("3.")
    addresses = {channel["address"] for channel in doc["channels"].values()}
    assert addresses == {schemas.ARTICLE, schemas.ENRICHED, schemas.QUOTE, schemas.DEADLETTER}
    for message in doc["components"]["messages"].values():
        ref = message["payload"]["schema"]["$ref"]
        assert (schemas.schema_dir() / ref).is_file(), ref
        assert ref == f"./{message['name']}.json"
        assert "key" in message["bindings"]["kafka"]


def test_asyncapi_has_a_producer_and_a_consumer_for_every_topic():
    doc = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
    for name in doc["channels"]:
        actions = {
            op["action"]
            for op in doc["operations"].values()
            if op["channel"]["$ref"] == f"#/channels/{name}"
        }
        assert actions == {"send", "receive"}, name
