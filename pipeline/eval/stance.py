"""`wirestream eval stance`: FNC-1 format in (bodies + stances CSV), FNC-1 CSV predictions out.

Each body becomes one article whose `targets` are the headlines paired with it (split over
several articles when there are more than the schema's 50), enriched by the serving chain.
A pair the pipeline gave no stance (e.g. a body not detected as English) counts as
`unrelated`, and the report says how many there were.

`--target-kind` says what the headlines are (it becomes the runner's
`WIRESTREAM_ENRICH_TARGET_KIND`, so a headline is never rewritten): `claim` (FNC-1's own,
the default), `short` (names, policies, topics: SemEval-2016 targets) or `auto` (each
detected, as the worker does by default). A short target's answer is written in FNC-1's vocabulary so the same files score
it: favor -> agree, against -> disagree, neutral -> discuss, unrelated -> unrelated.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.eval.articles import enrich_all, wire_article

MAX_TARGETS = 50  # wire.article.v1 allows at most 50 targets per article
FALLBACK = "unrelated"
AS_FNC = {"favor": "agree", "against": "disagree", "neutral": "discuss", "unrelated": "unrelated"}


def read_bodies(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["Body ID"]: row["articleBody"] for row in csv.DictReader(fh)}


def read_stances(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def predict_stances(
    runner: Any, bodies: dict[str, str], stances: list[dict[str, str]]
) -> tuple[list[str], int]:
    """A label per stance row (FNC-1's vocabulary), in order, and how many rows fell back
    to `unrelated`. The runner's `target_kind` setting says what the headlines are."""
    targets: dict[str, list[str]] = defaultdict(list)
    for row in stances:
        if row["Headline"].strip() not in targets[row["Body ID"]]:
            targets[row["Body ID"]].append(row["Headline"].strip())
    articles, owner = [], {}
    for body_id, heads in targets.items():
        if body_id not in bodies:
            raise ValueError(f"Body ID {body_id} is in the stances but not in the bodies file")
        for part in range(0, len(heads), MAX_TARGETS):
            chunk = heads[part : part + MAX_TARGETS]
            article = wire_article(f"fnc1:{body_id}:{part}", None, bodies[body_id], chunk)
            articles.append(article)
            owner[article["id"]] = body_id
    labels: dict[tuple[str, str], str] = {}
    for article, record in enrich_all(runner, articles):
        for stance in (record or {}).get("stance", []):
            label = stance["label"]
            labels[(owner[article["id"]], stance["target"])] = AS_FNC.get(label, label)
    out = [labels.get((row["Body ID"], row["Headline"].strip())) for row in stances]
    return [label or FALLBACK for label in out], sum(label is None for label in out)


def write_predictions(path: Path, stances: list[dict[str, str]], labels: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Headline", "Body ID", "Stance"])
        for row, label in zip(stances, labels, strict=True):
            writer.writerow([row["Headline"], row["Body ID"], label])


def short_target_report(rows: list[dict[str, str]], predicted: list[str]) -> dict[str, Any]:
    """SemEval-2016's score of FNC-1-vocabulary labels read as short-target stances:
    F1 of favor (agree) and against (disagree), their mean, pooled and per headline."""
    from pipeline.eval.short_stance import f_avg

    favour = {"agree": "favor", "disagree": "against"}
    gold = [favour.get(r.get("Stance") or "", "none") for r in rows]
    said = [favour.get(p, "none") for p in predicted]
    per: dict[str, Any] = {}
    for target in sorted({r["Headline"].strip() for r in rows}):
        index = [i for i, r in enumerate(rows) if r["Headline"].strip() == target]
        per[target] = {"n": len(index), **f_avg([gold[i] for i in index], [said[i] for i in index])}
    return {"pooled": f_avg(gold, said), "per_target": per}
