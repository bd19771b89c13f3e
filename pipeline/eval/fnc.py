"""The FNC-1 score (as the official scorer.py computes it), per-class F1 and the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LABELS: tuple[str, ...] = ("agree", "disagree", "discuss", "unrelated")
RELATED = frozenset(LABELS[:3])


def fnc_score(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """+0.25 when related/unrelated is right; +0.75 more for the exact related label."""
    score = 0.0
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in RELATED and p in RELATED:
            score += 0.25
    return score


def max_fnc_score(gold: Sequence[str]) -> float:
    return fnc_score(gold, gold)


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> list[list[int]]:
    """Rows: gold label, columns: predicted label, both in `LABELS` order."""
    index = {label: i for i, label in enumerate(LABELS)}
    matrix = [[0] * len(LABELS) for _ in LABELS]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def stance_report(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    matrix = confusion(gold, predicted)
    f1 = {}
    for i, label in enumerate(LABELS):
        tp = matrix[i][i]
        fp = sum(matrix[r][i] for r in range(len(LABELS))) - tp
        fn = sum(matrix[i]) - tp
        f1[label] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    score, best = fnc_score(gold, predicted), max_fnc_score(gold)
    return {
        "n": len(gold),
        "fnc_score": round(score, 2),
        "fnc_max_score": round(best, 2),
        "fnc_relative_score": round(score / best, 4) if best else 0.0,
        "f1": f1,
        "macro_f1": round(sum(f1.values()) / len(f1), 4),
        "accuracy": round(
            sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1), 4
        ),
        "confusion": {"labels": list(LABELS), "rows_gold_cols_predicted": matrix},
    }
