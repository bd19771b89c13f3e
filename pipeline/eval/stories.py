"""`wirestream eval stories`: replay JSON lines as a stream through the story assigner.

Each line `{id, text, title?, published_at?, story?}` becomes a `wire.article.v1` record,
goes through the serving enrichers that stories read (wire-copy clean-up, embedding), and
then through `pipeline.stories.assign` exactly as the worker runs it, in file order. `story`,
when present, is the gold story and the report gives BCubed precision, recall and F1.

Embeddings come from a per-text cache (`text_cache.PerTextCache`), so re-scoring a half or
another threshold never re-encodes (CPU is scarce); the vectors are those of the serving
encoder at the serving window.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson

from pipeline.enrich.embedding import LEDE_TOKENS, article_text
from pipeline.enrich.wirecopy import WireCopyEnricher
from pipeline.eval.articles import wire_article
from pipeline.stories.assign import ArticleFeatures, Assignment, StoryAssigner, StoryParams
from pipeline.stories.terms import story_text

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def bcubed(gold: Sequence[Any], predicted: Sequence[Any]) -> dict[str, float]:
    """BCubed precision, recall and F1, averaged over items."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    g, p = Counter(gold), Counter(predicted)
    both = Counter(zip(gold, predicted, strict=True))
    precision = sum(both[(a, b)] / p[b] for a, b in zip(gold, predicted, strict=True)) / len(gold)
    recall = sum(both[(a, b)] / g[a] for a, b in zip(gold, predicted, strict=True)) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _time(value: Any) -> datetime:
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return EPOCH


def prepared(rows: Sequence[dict], encoder: Any) -> list[ArticleFeatures]:
    """The features the worker would hand the assigner, for each row, in order."""
    records = [wire_article(f"story:{r['id']}", r.get("title"), r.get("text") or "") for r in rows]
    for record in records:
        record.setdefault("related_headlines", [])
        record["dateline"] = None
    WireCopyEnricher().enrich(records)
    vectors = encoder.encode([article_text(record) for record in records], LEDE_TOKENS)
    return [
        ArticleFeatures(
            id=str(row["id"]),
            text=story_text(record),
            embedding=vector,
            time=_time(row.get("published_at")),
            source=row.get("source"),
        )
        for row, record, vector in zip(rows, records, vectors, strict=True)
    ]


def replay(features: Sequence[ArticleFeatures], params: StoryParams) -> list[Assignment]:
    assigner = StoryAssigner(params)
    return [assigner.assign(article) for article in features]


def _read_rows(path: Path) -> list[dict]:
    with path.open("rb") as fh:
        return [orjson.loads(line) for line in fh if line.strip()]


@click.command("stories")
@click.option(
    "--data", "data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--predictions-out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--threshold", type=float, default=None, help="override the shipped threshold")
def stories(data: Path, predictions_out: Path | None, threshold: float | None) -> None:
    """Story ids of JSON lines {"id", "text", "title"?, "published_at"?, "story"?} in order."""
    from pipeline.eval.text_cache import PerTextCache

    rows = _read_rows(data)
    params = StoryParams() if threshold is None else replace(StoryParams(), threshold=threshold)
    features = prepared(rows, PerTextCache())
    started = time.perf_counter()
    assignments = replay(features, params)
    took = time.perf_counter() - started
    if predictions_out:
        with predictions_out.open("wb") as fh:
            for row, assignment in zip(rows, assignments, strict=True):
                out = {"id": row["id"], "story": assignment.story["id"]}
                if assignment.duplicate_of:
                    out["duplicate_of"] = assignment.duplicate_of
                fh.write(orjson.dumps(out) + b"\n")
    predicted = [a.story["id"] for a in assignments]
    report: dict[str, Any] = {"n": len(rows), "stories": len(set(predicted))}
    if rows and all(row.get("story") is not None for row in rows):
        gold = [str(row["story"]) for row in rows]
        report["gold_stories"] = len(set(gold))
        report.update({f"bcubed_{k}": round(v, 4) for k, v in bcubed(gold, predicted).items()})
    report["threshold"] = params.threshold
    report["assign_ms_per_article"] = round(took * 1000 / max(len(rows), 1), 3)
    click.echo(json.dumps(report, indent=2))
