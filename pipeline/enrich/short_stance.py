"""Stance towards a short target (a name, policy or topic): `stance.short.minilm.v1`.

favor / against / neutral / unrelated, next to the claim head's agree / disagree / discuss /
unrelated (`pipeline/enrich/stance.py` routes each target by its kind,
`pipeline/enrich/target_kinds.py`). The head is a multinomial logistic regression over
`short_stance_features` (plain arrays: standardisation, weights, bias; no pickle), trained
by `scripts/train_heads.py --only stance-short` on SemEval-2016 stance, NewsMTSC and FNC-1
unrelated pairs (docs/quality.md, "Short targets").

It reuses what the article already paid for: the sentence vectors the claim path computes
(`stance_features.Article`) and the worker's one copy of the entity-sentiment model (the
same `Resources` key as `entity_sentiment.minilm.v1`, so the default chain loads it once).
Per (short target, article) it adds at most `READINGS` sentiment-model reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.enrich.artefacts import load_head
from pipeline.enrich.short_stance_features import (
    SCALARS,
    closest,
    design_row,
    find_mentions,
    reading_spans,
    scalar_features,
    similarities,
)
from pipeline.enrich.stance_features import Article

NAME = "stance.short.minilm.v1"
LABELS: tuple[str, ...] = ("favor", "against", "neutral", "unrelated")

Readings = Callable[[Sequence[tuple[str, int, int]]], np.ndarray]
"""The entity-sentiment model's probabilities (negative, neutral, positive) per input."""


@dataclass
class ShortStanceHead:
    labels: tuple[str, ...]
    groups: tuple[str, ...]
    mean: np.ndarray  # (d,) standardisation of the design matrix
    scale: np.ndarray  # (d,)
    weights: np.ndarray  # (classes, d)
    bias: np.ndarray  # (classes,)

    @classmethod
    def load(cls, directory: Path | None = None) -> ShortStanceHead:
        arrays, meta = load_head(NAME, directory)
        if tuple(meta["scalars"]) != SCALARS:
            raise ValueError(f"{NAME} artefact was trained on other features; retrain it")
        return cls(
            tuple(meta["labels"]),
            tuple(meta["groups"]),
            *(arrays[k].astype(np.float32) for k in ("mean", "scale", "weights", "bias")),
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "scale": self.scale, "weights": self.weights, "bias": self.bias}

    def probabilities(self, design: np.ndarray) -> np.ndarray:
        logits = ((design - self.mean) / self.scale) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, design: np.ndarray) -> list[tuple[str, float]]:
        probs = self.probabilities(design)
        best = probs.argmax(axis=1)
        return [(self.labels[i], round(float(p[i]), 4)) for i, p in zip(best, probs, strict=True)]


def pair_designs(
    pairs: Sequence[tuple[str, np.ndarray, Article]],
    readings: Readings,
    groups: tuple[str, ...],
) -> np.ndarray:
    """The design matrix of (target text, target vector, article) pairs; every sentiment
    reading of all pairs goes to the model in one call."""
    prepared, inputs = [], []
    for target, vector, article in pairs:
        sims = similarities(vector, article.sentence_vectors)
        best = int(np.argmax(sims)) if article.sentences else 0
        closest_text = article.sentences[best] if article.sentences else article.body[:600]
        mentions = find_mentions(target, article.body)
        spans, prefixed = reading_spans(target, article.body, mentions, closest_text)
        prepared.append((vector, article, sims, mentions, prefixed, len(inputs), len(spans)))
        inputs += spans
    probs = readings(inputs) if inputs else np.zeros((0, 3), dtype=np.float32)
    rows = []
    for vector, article, sims, mentions, prefixed, at, n in prepared:
        lede = article.lede_vector
        lede_cos = float(lede @ vector) if lede is not None else float(sims[0])
        scalars = scalar_features(sims, lede_cos, mentions, probs[at : at + n], prefixed)
        nearest = closest(article.sentence_vectors, sims, len(vector))
        rows.append(design_row(groups, scalars, vector, nearest))
    return np.stack(rows)
