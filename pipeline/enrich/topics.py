"""IPTC Media Topics (level 1) for English articles: `topic.minilm.v2`.

One head learned from articles for every one of the 17 codes (v1 learned only BBC News's
five and guessed the other twelve from IPTC's definitions, which did not carry over to
real news): a one-vs-rest logistic regression per code over the article embedding,
trained on silver-labelled news from many desks plus BBC News, with a per-code Platt
calibration folded into the weights, so each score is a calibrated probability that the
code applies. Multi-label: a code is emitted when its score reaches its own threshold,
calibrated so that the code's precision there is at least 0.80 (docs/quality.md); the top
code is always emitted. `--topic` search and the Kibana facet read only emitted codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.enrich.artefacts import load_head
from pipeline.enrich.base import Record, is_english
from pipeline.enrich.embedding import ensure_embeddings
from pipeline.enrich.encoder import shared_encoder
from pipeline.enrich.iptc import CODES, LABELS
from pipeline.enrich.resources import Resources

NAME = "topic.minilm.v2"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class TopicHead:
    article_mean: np.ndarray  # (384,) centring of article embeddings
    weight: np.ndarray  # (17, 384), calibration folded in, rows in `CODES` order
    bias: np.ndarray  # (17,)
    thresholds: np.ndarray  # (17,) emit thresholds on the calibrated scores

    @classmethod
    def load(cls, directory: Path | None = None) -> TopicHead:
        a, meta = load_head(NAME, directory)
        if list(meta["codes"]) != list(CODES):
            raise ValueError(f"{NAME}: the artefact's codes are not {len(CODES)} IPTC codes")
        return cls(
            article_mean=a["article_mean"].astype(np.float32),
            weight=a["weight"].astype(np.float32),
            bias=a["bias"].astype(np.float32),
            thresholds=a["thresholds"].astype(np.float32),
        )

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 17) calibrated probabilities, columns in `CODES` order."""
        return _sigmoid((embeddings - self.article_mean) @ self.weight.T + self.bias)

    def ranked(self, probs: np.ndarray) -> list[dict]:
        """All 17 codes with their scores, best first."""
        order = np.argsort(-probs, kind="stable")
        return [{"code": CODES[i], "score": round(float(probs[i]), 4)} for i in order]

    def topics(self, probs: np.ndarray) -> list[dict]:
        """The emitted codes: those at or above their threshold, best first, at least the top."""
        order = np.argsort(-probs, kind="stable")
        keep = [int(order[0])] + [i for i in order[1:] if probs[i] >= self.thresholds[i]]
        return [
            {"code": CODES[i], "label": LABELS[CODES[i]], "score": round(float(probs[i]), 4)}
            for i in keep
        ]


class TopicEnricher:
    name = NAME

    def __init__(self, resources: Resources) -> None:
        self._encoder = shared_encoder(resources)
        self._head = resources.shared(
            f"head:{NAME}", lambda: TopicHead.load(resources.settings.artefacts_dir)
        )

    def enrich(self, records: Sequence[Record]) -> None:
        english = [r for r in records if is_english(r)]
        for record in records:
            record["topics"] = []
        if not english:
            return
        probs = self._head.probabilities(ensure_embeddings(english, self._encoder))
        for record, row in zip(english, probs, strict=True):
            if record.get("embedding"):
                record["topics"] = self._head.topics(row)
