"""`wirestream eval stance`: FNC-1 format in (bodies + stances CSV), FNC-1 CSV predictions out.

Each body becomes one article whose `targets` are the headlines paired with it (split over
several articles when there are more than the schema's 50), enriched by the serving chain.
A pair the pipeline gave no stance (e.g. a body not detected as English) counts as
`unrelated`, and the report says how many there were.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.eval.articles import enrich_all, wire_article

MAX_TARGETS = 50  # wire.article.v1 allows at most 50 targets per article
FALLBACK = "unrelated"


def read_bodies(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["Body ID"]: row["articleBody"] for row in csv.DictReader(fh)}


def read_stances(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def predict_stances(
    runner: Any, bodies: dict[str, str], stances: list[dict[str, str]]
) -> tuple[list[str], int]:
    """A label per stance row, in order, and how many rows fell back to `unrelated`."""
    targets: dict[str, list[str]] = defaultdict(list)
    for row in stances:
        if row["Headline"].strip() not in targets[row["Body ID"]]:
            targets[row["Body ID"]].append(row["Headline"].strip())
    articles, owner = [], {}
    for body_id, heads in targets.items():
        if body_id not in bodies:
            raise ValueError(f"Body ID {body_id} is in the stances but not in the bodies file")
        for part in range(0, len(heads), MAX_TARGETS):
            article = wire_article(
                f"fnc1:{body_id}:{part}", None, bodies[body_id], heads[part : part + MAX_TARGETS]
            )
            articles.append(article)
            owner[article["id"]] = body_id
    labels: dict[tuple[str, str], str] = {}
    for article, record in enrich_all(runner, articles):
        for stance in (record or {}).get("stance", []):
            labels[(owner[article["id"]], stance["target"])] = stance["label"]
    out = [labels.get((row["Body ID"], row["Headline"].strip())) for row in stances]
    return [label or FALLBACK for label in out], sum(label is None for label in out)


def write_predictions(path: Path, stances: list[dict[str, str]], labels: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Headline", "Body ID", "Stance"])
        for row, label in zip(stances, labels, strict=True):
            writer.writerow([row["Headline"], row["Body ID"], label])
