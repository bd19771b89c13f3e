"""The index template, the versioned index and the alias in front of it, set up idempotently.

Writes and searches go through the alias (`news`); the concrete index is versioned
(`news-v1`, `news-v2`, ...) so a mapping change is a reindex into the next version followed
by an alias swap. Every call here is safe to repeat and to run from two workers at once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from elasticsearch import ApiError, Elasticsearch

from pipeline.contracts.schemas import schema_dir
from pipeline.settings import ElasticsearchSettings

log = logging.getLogger(__name__)


def load_template() -> dict[str, Any]:
    path = schema_dir() / "elasticsearch" / "news-index-template.json"
    return json.loads(path.read_text(encoding="utf-8"))


def mapped_fields() -> frozenset[str]:
    """The index's top-level fields: its mapping is strict, so a document holds no others."""
    return frozenset(load_template()["template"]["mappings"]["properties"])


def template_name(settings: ElasticsearchSettings) -> str:
    return f"wirestream-{settings.alias}"


def index_name(settings: ElasticsearchSettings, version: int = 1) -> str:
    return f"{settings.index_prefix}{version}"


# Elasticsearch builds without the analysis-common module (e.g. the integ-test-zip that
# `wirestream stack up` runs) have no `english` analyzer. There the template falls back to
# this lighter one: same tokens and English stop words, no stemming.
LITE_ANALYZER = "wirestream_english_lite"
_LITE_ANALYSIS = {
    "filter": {"wirestream_english_stop": {"type": "stop", "stopwords": "_english_"}},
    "analyzer": {
        LITE_ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "wirestream_english_stop"],
        }
    },
}


def has_analyzer(es: Elasticsearch, name: str) -> bool:
    try:
        es.indices.analyze(analyzer=name, text="probe")
        return True
    except ApiError as exc:
        if exc.status_code == 400:
            return False
        raise


def without_english_analyzer(template: dict[str, Any]) -> dict[str, Any]:
    """The template with every `english` analyzer replaced by the lite fallback."""

    def swap(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (LITE_ANALYZER if k == "analyzer" and v == "english" else swap(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    adapted = swap(template)
    adapted["template"].setdefault("settings", {})["analysis"] = _LITE_ANALYSIS
    return adapted


def missing_properties(wanted: dict[str, Any], present: dict[str, Any]) -> dict[str, Any]:
    """The part of mapping `wanted` (properties) that `present` lacks, objects recursed into."""
    missing: dict[str, Any] = {}
    for name, spec in wanted.items():
        if name not in present:
            missing[name] = spec
        elif "properties" in spec and "properties" in present[name]:
            inner = missing_properties(spec["properties"], present[name]["properties"])
            if inner:
                missing[name] = {"properties": inner}
    return missing


def add_new_fields(es: Elasticsearch, index: str, template: dict[str, Any]) -> list[str]:
    """Put the template's new fields on an existing index; the names added.

    The mapping is strict, so a document with a field the index lacks is refused. A field
    that is only new is safe to add in place (Elasticsearch allows adding, never changing);
    a changed field still needs `wirestream reindex`, and Elasticsearch says so here.
    """
    current = es.indices.get_mapping(index=index).body[index]["mappings"].get("properties", {})
    missing = missing_properties(template["template"]["mappings"]["properties"], current)
    if not missing:
        return []
    try:
        es.indices.put_mapping(index=index, properties=missing)
    except ApiError as exc:
        log.warning(
            "the index lacks fields of the template and cannot take them in place; run "
            "`wirestream reindex`",
            extra={"index": index, "fields": sorted(missing), "error": str(exc)[:300]},
        )
        return []
    log.info("new fields added to the index", extra={"index": index, "fields": sorted(missing)})
    return sorted(missing)


def _template_for(es: Elasticsearch) -> dict[str, Any]:
    body = load_template()
    if not has_analyzer(es, "english"):
        log.warning(
            "this Elasticsearch has no english analyzer (analysis-common module missing); "
            "text fields use a lighter analyzer without stemming",
            extra={"analyzer": LITE_ANALYZER},
        )
        body = without_english_analyzer(body)
    return body


def put_template(
    es: Elasticsearch, settings: ElasticsearchSettings, body: dict[str, Any] | None = None
) -> None:
    """Install (or update) the composable template for this deployment's index prefix."""
    body = body or _template_for(es)
    es.indices.put_index_template(
        name=template_name(settings),
        index_patterns=[f"{settings.index_prefix}*"],
        template=body["template"],
        priority=body.get("priority", 200),
        meta=body.get("_meta"),
    )


def alias_indices(es: Elasticsearch, alias: str) -> dict[str, bool]:
    """The indices behind `alias` -> whether each is the write index; empty when no alias."""
    if not es.indices.exists_alias(name=alias):
        return {}
    found = es.indices.get_alias(name=alias).body
    result = {}
    for index, entry in found.items():
        spec = entry.get("aliases", {}).get(alias, {})
        result[index] = bool(spec.get("is_write_index", len(found) == 1))
    return result


def ensure_index(es: Elasticsearch, settings: ElasticsearchSettings | None = None) -> str:
    """Template + first versioned index + alias; returns the index the alias writes to."""
    settings = settings or ElasticsearchSettings()
    template = _template_for(es)
    put_template(es, settings, template)
    existing = alias_indices(es, settings.alias)
    if existing:
        write = next((index for index, write in existing.items() if write), next(iter(existing)))
        # An index made by an older version lacks the fields added since (upgrades).
        add_new_fields(es, write, template)
        return write
    if es.indices.exists(index=settings.alias) and not es.indices.exists_alias(name=settings.alias):
        raise RuntimeError(
            f"{settings.alias!r} is a concrete index, not an alias; move it behind the alias "
            "with a reindex before starting the worker"
        )
    index = index_name(settings, 1)
    try:
        es.indices.create(index=index, aliases={settings.alias: {"is_write_index": True}})
        log.info("created index behind alias", extra={"index": index, "alias": settings.alias})
    except ApiError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
        # Another worker won the race, or the index exists without the alias: attach it.
        es.indices.put_alias(index=index, name=settings.alias, is_write_index=True)
    return index
