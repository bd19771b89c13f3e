"""`wirestream eval entity-sentiment`: NewsMTSC JSON lines in, per-target polarity out.

Input rows carry `sentence_normalized`, `primary_gid` and `targets` (each with `Input.gid`,
`from`, `to`, `mention` and, for scoring, `polarity` 2.0/4.0/6.0). Predictions come from the
same `EntitySentiment` scorer the worker's enricher uses, one mention at a time, and are written
as `{primary_gid, targets: [{"Input.gid", polarity}]}` with negative|neutral|positive.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
_POLARITY = {2.0: 0, 4.0: 1, 6.0: 2}


@dataclass(frozen=True)
class Mention:
    primary_gid: str
    gid: str
    sentence: str
    start: int
    end: int
    label: int
    """Index into LABELS, -1 when the row has no (known) polarity."""


def _label(value: Any) -> int:
    if value is None:
        return -1
    if isinstance(value, str):
        return LABELS.index(value) if value in LABELS else -1
    return _POLARITY.get(float(value), -1)


def read_newsmtsc(path: Path) -> list[Mention]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            for t in row["targets"]:
                out.append(
                    Mention(
                        row["primary_gid"],
                        t["Input.gid"],
                        row["sentence_normalized"],
                        int(t["from"]),
                        int(t["to"]),
                        _label(t.get("polarity")),
                    )
                )
    return out


def macro_f1(gold: Sequence[int], predicted: Sequence[int], n: int = len(LABELS)) -> float:
    scores = []
    for c in range(n):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == c and p != c)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / n


def per_class_f1(gold: Sequence[int], predicted: Sequence[int]) -> dict[str, float]:
    out = {}
    for c, name in enumerate(LABELS):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == c and p != c)
        out[name] = 0.0 if tp == 0 else round(2 * tp / (2 * tp + fp + fn), 4)
    return out


def evaluate(scorer: Any, data: Path, predictions_out: Path | None) -> dict[str, Any]:
    """Score every mention with `scorer.score_mentions`, write predictions, return the report."""
    mentions = read_newsmtsc(data)
    results = scorer.score_mentions([(m.sentence, m.start, m.end) for m in mentions])
    predicted = [LABELS.index(label) for label, _ in results]
    if predictions_out is not None:
        grouped: dict[str, list[dict[str, str]]] = {}
        for m, p in zip(mentions, predicted, strict=True):
            grouped.setdefault(m.primary_gid, []).append(
                {"Input.gid": m.gid, "polarity": LABELS[p]}
            )
        with predictions_out.open("w", encoding="utf-8") as fh:
            for gid, targets in grouped.items():
                fh.write(json.dumps({"primary_gid": gid, "targets": targets}) + "\n")
    scored = [(m.label, p) for m, p in zip(mentions, predicted, strict=True) if m.label >= 0]
    report: dict[str, Any] = {"mentions": len(mentions), "scored": len(scored)}
    if scored:
        gold, pred = [g for g, _ in scored], [p for _, p in scored]
        report["macro_f1"] = round(macro_f1(gold, pred), 4)
        report["per_class_f1"] = per_class_f1(gold, pred)
        report["accuracy"] = round(sum(g == p for g, p in scored) / len(scored), 4)
    return report


def worker_scorer() -> Any:
    """The worker's own enricher, built from the registry with this deployment's settings."""
    from pipeline.enrich.registry import build
    from pipeline.enrich.resources import Resources

    (enricher,) = build(["entity_sentiment.minilm.v1"], Resources())
    return enricher.model


@click.command("entity-sentiment")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--predictions-out", type=click.Path(dir_okay=False, path_type=Path))
def entity_sentiment(data: Path, predictions_out: Path | None) -> None:
    """Macro-F1 on NewsMTSC-format JSON lines; predictions as {primary_gid, targets}."""
    import time

    scorer = worker_scorer()
    started = time.perf_counter()
    report = evaluate(scorer, data, predictions_out)
    took = time.perf_counter() - started
    report["took_s"] = round(took, 1)
    report["ms_per_mention"] = round(1000 * took / max(1, report["mentions"]), 2)
    click.echo(json.dumps(report, indent=2))
