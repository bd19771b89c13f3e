"""IPTC Media Topics (level 1) for English articles: `topics.minilm.v1`.

Two parts, each giving a calibrated probability per code (so several codes can apply):

* a supervised one-vs-rest logistic head over the article embedding for the five codes
  that BBC News labels (trained on BBC News plus the IPTC descriptions of all 17 codes);
* a description-similarity score for every other code: the mean cosine of the article to
  the three closest IPTC descriptions (name + definition of the code and of each
  sub-topic), relative to its mean over all codes, mapped to a probability by a
  code-agnostic logistic calibration fitted on the BBC codes.

Codes whose probability reaches the threshold are kept, sorted, at least the top one.
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

NAME = "topic.minilm.v1"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class TopicHead:
    article_mean: np.ndarray  # (384,) centring of article embeddings
    descriptors: np.ndarray  # (m, 384) centred, normalised IPTC description embeddings
    descriptor_code: np.ndarray  # (m,) index into CODES
    sup_codes: np.ndarray  # (k,) indices into CODES with a supervised head
    sup_weight: np.ndarray  # (k, 384)
    sup_bias: np.ndarray  # (k,)
    sim_coef: float
    sim_bias: float
    top_k: int = 3
    threshold: float = 0.5

    @classmethod
    def load(cls, directory: Path | None = None) -> TopicHead:
        a, meta = load_head(NAME, directory)
        return cls(
            article_mean=a["article_mean"].astype(np.float32),
            descriptors=a["descriptors"].astype(np.float32),
            descriptor_code=a["descriptor_code"].astype(np.int64),
            sup_codes=a["sup_codes"].astype(np.int64),
            sup_weight=a["sup_weight"].astype(np.float32),
            sup_bias=a["sup_bias"].astype(np.float32),
            sim_coef=float(a["sim_calibration"][0]),
            sim_bias=float(a["sim_calibration"][1]),
            top_k=int(meta["top_k"]),
            threshold=float(meta["threshold"]),
        )

    def similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 17): mean cosine to each code's top-k closest descriptions."""
        centred = embeddings - self.article_mean
        centred /= np.clip(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12, None)
        sims = centred @ self.descriptors.T
        out = np.zeros((len(embeddings), len(CODES)), dtype=np.float32)
        for c in range(len(CODES)):
            own = sims[:, self.descriptor_code == c]
            k = min(self.top_k, own.shape[1])
            out[:, c] = np.sort(own, axis=1)[:, -k:].mean(axis=1)
        return out

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 17) calibrated probabilities, columns in `CODES` order."""
        sim = self.similarity(embeddings)
        probs = _sigmoid(self.sim_coef * (sim - sim.mean(axis=1, keepdims=True)) + self.sim_bias)
        logits = (embeddings - self.article_mean) @ self.sup_weight.T + self.sup_bias
        probs[:, self.sup_codes] = _sigmoid(logits)
        return probs

    def topics(self, probs: np.ndarray) -> list[dict]:
        order = np.argsort(-probs, kind="stable")
        keep = [i for i in order if probs[i] >= self.threshold] or [int(order[0])]
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
