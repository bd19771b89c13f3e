"""Every shape of the corpus (tests/fixtures/shapes) through the real push endpoint and `ingest`.

Against the running stack: `wirestream serve-http` answers each file, and what reaches Kafka is
what `shapes-expected.json` pins; `wirestream ingest` of the whole corpus sends every readable article
(warnings and all) to the article topic and only the unreadable ones to the dead-letter topic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from connector_helpers import FIXTURES, consume
from test_connectors_http_push_endpoint import running_endpoint

from connectors.decoding import warning_code
from pipeline.contracts import schemas

pytestmark = pytest.mark.integration

SHAPES = FIXTURES / "shapes"
EXPECTED: dict[str, list[dict[str, Any]]] = json.loads(
    (SHAPES.parent / "shapes-expected.json").read_text()
)
ACCEPTED = sorted(name for name, items in EXPECTED.items() if "error" not in items[0])
REFUSED = sorted(name for name, items in EXPECTED.items() if "error" in items[0])
CONTENT_TYPES = {
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".txt": "text/plain",
}


def _summary(article: dict[str, Any]) -> dict[str, Any]:
    summary = {
        k: article.get(k)
        for k in ("headline", "byline", "published_at", "url", "guid", "language", "source")
    }
    summary["headline_derived"] = bool(article.get("headline_derived"))
    summary["body_starts"] = article["body"][:48]
    summary["warnings"] = [warning_code(w) for w in article.get("warnings", [])]
    return summary


def test_every_shape_pushed_to_the_endpoint_is_answered_and_on_kafka_as_pinned(
    env, topics, kafka_bootstrap
) -> None:
    pushed: list[str] = []
    with running_endpoint(env) as base:
        for name in ACCEPTED + REFUSED:
            response = httpx.post(
                f"{base}/v1/articles",
                content=(SHAPES / name).read_bytes(),
                headers={"Content-Type": CONTENT_TYPES[Path(name).suffix]},
                timeout=30,
            )
            expected = EXPECTED[name]
            if "error" in expected[0]:
                status = 400 if expected[0]["error"] == "MalformedInput" else 422
                assert response.status_code == status, (name, response.text)
                assert expected[0]["message"] in response.json()["error"]
                continue
            assert response.status_code == 202, (name, response.text)
            assert len(response.json()["ids"]) == len(expected), name
            pushed.extend(response.json()["ids"])
        spec = httpx.get(f"{base}/openapi.json", timeout=10)
        assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.1")
    # The endpoint names what it receives (docs/security.md, issue 20): its own source, `wire`
    # here, whatever source a shape names for itself.
    wanted = [{**item, "source": "wire"} for name in ACCEPTED for item in EXPECTED[name]]
    records = consume(kafka_bootstrap, topics["article"], len(wanted))
    assert [key for key, _ in records] == pushed
    for (_, article), item in zip(records, wanted, strict=True):
        schemas.validate(schemas.ARTICLE, article)
        assert _summary(article) == item


def test_ingesting_the_corpus_dead_letters_only_what_cannot_be_read(
    wirestream, topics, kafka_bootstrap
) -> None:
    result = wirestream("ingest", str(SHAPES))
    wanted = sum(len(EXPECTED[name]) for name in ACCEPTED)
    assert f"sent: {wanted}  dead-lettered: {len(REFUSED)}" in result.stdout, result.stderr
    articles = [a for _, a in consume(kafka_bootstrap, topics["article"], wanted)]
    assert len(articles) == wanted
    warned = {warning_code(w) for a in articles for w in a.get("warnings", [])}
    assert {"encoding_detected", "invalid_bytes_replaced"} <= warned
    dead = [d for _, d in consume(kafka_bootstrap, topics["deadletter"], len(REFUSED) + 1, 5)]
    assert sorted(d["original"]["source"].rsplit("/", 1)[1] for d in dead) == REFUSED
