"""Scoring predicted quote segments against gold ones by token overlap.

A token is a run of word characters (`\\w+`), so quotation marks and punctuation never
count. A predicted segment matches a gold one when the tokens they share are at least
80% of the gold segment's tokens. Matching is one-to-one and greedy by overlap, so one
long prediction cannot claim two gold segments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MATCH_THRESHOLD = 0.8
_TOKEN = re.compile(r"\w+")
Span = tuple[int, int]


def tokens(text: str, span: Span) -> set[int]:
    """Start offsets of the tokens inside span (a token counts when it starts inside)."""
    start, end = span
    return {start + m.start() for m in _TOKEN.finditer(text[start:end])}


@dataclass
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
        }


def match(text: str, predicted: Sequence[Span], gold: Sequence[Span]) -> dict[int, int]:
    """Map predicted index -> gold index for the one-to-one matches."""
    gold_tokens = [tokens(text, g) for g in gold]
    candidates = []
    for pi, p in enumerate(predicted):
        p_tokens = tokens(text, p)
        if not p_tokens:
            continue
        for gi, g_tokens in enumerate(gold_tokens):
            if not g_tokens or p[1] <= gold[gi][0] or gold[gi][1] <= p[0]:
                continue
            share = len(p_tokens & g_tokens) / len(g_tokens)
            if share >= MATCH_THRESHOLD:
                candidates.append((share, pi, gi))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, pi, gi in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if pi not in pairs and gi not in used:
            pairs[pi] = gi
            used.add(gi)
    return pairs


HALF = 0.5


def match_mutual(
    text: str, predicted: Sequence[Span], gold: Sequence[Span], share: float = HALF
) -> dict[int, int]:
    """Like `match`, but a pair needs each span to cover at least `share` of the other's
    tokens: the rule for reported speech, whose clause edges annotators draw differently."""
    gold_tokens = [tokens(text, g) for g in gold]
    candidates = []
    for pi, p in enumerate(predicted):
        p_tokens = tokens(text, p)
        if not p_tokens:
            continue
        for gi, g_tokens in enumerate(gold_tokens):
            if not g_tokens or p[1] <= gold[gi][0] or gold[gi][1] <= p[0]:
                continue
            common = len(p_tokens & g_tokens)
            low = min(common / len(g_tokens), common / len(p_tokens))
            if low >= share:
                candidates.append((low, pi, gi))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, pi, gi in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if pi not in pairs and gi not in used:
            pairs[pi] = gi
            used.add(gi)
    return pairs


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
