"""SemEval-2016's stance score: the mean of the F1 of favor and of against.

Neutral and unrelated both count as "none": the score rewards finding a position, not
telling the two kinds of none apart. Shared by `wirestream eval stance --target-kind
short` and the short head's training (pipeline/training/short_stance.py).
"""

from __future__ import annotations

from collections.abc import Sequence


def f_avg(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """{"f1_favor", "f1_against", "f_avg"}; labels other than favor/against are "none"."""
    out = {}
    pairs = list(zip(gold, predicted, strict=True))
    for label in ("favor", "against"):
        tp = sum(g == p == label for g, p in pairs)
        fp = sum(p == label != g for g, p in pairs)
        fn = sum(g == label != p for g, p in pairs)
        out[f"f1_{label}"] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    out["f_avg"] = round((out["f1_favor"] + out["f1_against"]) / 2, 4)
    return out
