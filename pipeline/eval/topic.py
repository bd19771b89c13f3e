"""`wirestream eval topic`: IPTC topics of a JSON-lines data set, scored when it is labelled.

Input lines: `{"id", "title"?, "text", "label"? | "topics"?}`; `label` may be a level-1
code, an IPTC label or a BBC News class (business, entertainment, politics, sport, tech).
`topics` may list several codes, the first being the primary one.
Output lines (`--predictions-out`): `{"id", "topics": [codes as indexed, in order],
"ranked": [{"code", "score"}, all 17, best first]}`.
The single-label score uses each article's top code against the primary gold code; F1 is
macro-averaged over the classes the gold labels use, and predicting any other code counts
as a miss. Precision of the emitted codes (what `--topic` matches) counts an emitted code
as right when it is any of the article's gold codes.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

from pipeline.enrich.iptc import to_code


def gold_codes(row: dict) -> list[str]:
    if row.get("topics"):
        return [to_code(t) for t in row["topics"]]
    if row.get("label"):
        return [to_code(row["label"])]
    return []


def topic_report(
    gold: Sequence[list[str]],
    predicted: Sequence[list[str]],
    ranked: Sequence[list[str]] | None = None,
) -> dict[str, Any]:
    """Top-1 against the first gold code; also whether any gold code is among those emitted.
    With `ranked` (all codes, best first): whether the primary is in the top two."""
    pairs = [(g[0], p[0] if p else None) for g, p in zip(gold, predicted, strict=True) if g]
    classes = sorted({g for g, _ in pairs})
    per_class = {}
    for c in classes:
        tp = sum(g == c and p == c for g, p in pairs)
        fp = sum(g != c and p == c for g, p in pairs)
        fn = sum(g == c and p != c for g, p in pairs)
        per_class[c] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    majority = collections.Counter(g for g, _ in pairs).most_common(1)
    emitted_hit = [bool(set(g) & set(p)) for g, p in zip(gold, predicted, strict=True) if g]
    labelled = [(g, p) for g, p in zip(gold, predicted, strict=True) if g]
    emitted = collections.Counter(c for _, p in labelled for c in p)
    right = collections.Counter(c for g, p in labelled for c in p if c in g)
    support = collections.Counter(g[0] for g, _ in labelled)
    confusion: dict[str, dict[str, int]] = {}
    for g, p in pairs:
        row = confusion.setdefault(g, {})
        row[str(p)] = row.get(str(p), 0) + 1
    report: dict[str, Any] = {
        "n": len(pairs),
        "macro_f1": round(sum(per_class.values()) / max(len(per_class), 1), 4),
        "accuracy": round(sum(g == p for g, p in pairs) / max(len(pairs), 1), 4),
        "f1": per_class,
        "gold_among_emitted": round(sum(emitted_hit) / max(len(emitted_hit), 1), 4),
        "mean_codes_emitted": round(sum(len(p) for p in predicted) / max(len(predicted), 1), 3),
        "majority_class": majority[0][0] if majority else None,
        "no_topics": sum(1 for p in predicted if not p),
        "support": dict(sorted(support.items())),
        "precision_emitted": {c: round(right[c] / emitted[c], 4) for c in sorted(emitted)},
        "emitted": dict(sorted(emitted.items())),
        "confusion": dict(sorted(confusion.items())),
    }
    if ranked is not None:
        top2 = [g[0] in r[:2] for g, r in zip(gold, ranked, strict=True) if g]
        report["primary_in_top2"] = round(sum(top2) / max(len(top2), 1), 4)
    return report
