"""Evaluation inputs as `wire.article.v1` records, enriched by the serving runner.

Evaluation goes through `EnrichmentRunner` with the same enrichers the worker runs (wire
copy clean-up and language detection included), so its numbers are those of the real path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from pipeline.enrich.runner import EnrichmentRunner, utc_now

TOPIC_CHAIN = ("wirecopy.v1", "language.lingua.v1", "topic.minilm.v3")
STANCE_CHAIN = ("wirecopy.v1", "language.lingua.v1", "embedding.minilm.v2", "stance.minilm.v1")
BATCH = 32


def article_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def wire_article(key: str, headline: str | None, body: str, targets: Sequence[str] = ()) -> dict:
    record: dict[str, Any] = {
        "schema": "wire.article.v1",
        "id": article_id(key),
        "source": "eval",
        "guid": key,
        "headline": headline or None,
        "body": body,
        "received_at": utc_now(),
        "format": "jsonl",
    }
    if targets:
        record["targets"] = list(targets)
    return record


def enrich_all(
    runner: EnrichmentRunner, articles: Sequence[dict]
) -> Iterator[tuple[dict, dict | None]]:
    """(article, enriched record or None when it failed), in input order."""
    for start in range(0, len(articles), BATCH):
        batch = articles[start : start + BATCH]
        oks, _ = runner.run(batch)
        by_id = {r["id"]: r for r in oks}
        for article in batch:
            yield article, by_id.get(article["id"])
