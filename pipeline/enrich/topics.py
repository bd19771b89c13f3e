"""IPTC Media Topics (level 1) for English articles: `topic.minilm.v3`.

A MiniLM fine-tuned as a 17-code classifier (pipeline/training/topic_finetune.py) on some
5,000 silver-labelled news articles from many desks plus BBC News, served as an int8 ONNX
graph with ONNX Runtime alone. It reads the text the shared embedding reads (headline +
lede, 192 word pieces). v2, logistic regressions over the frozen sentence embedding,
stopped at about 0.70 top-1 on real non-BBC news: a vector made for similarity averages
away what files a story; the fine-tuned layers learn it (docs/quality.md, "Topics").

v2's kind of head is kept beside it as a second opinion: its logits, over the article
embedding the worker computes anyway (so it costs a 384 x 17 product), are added to the
fine-tuned logits with a weight chosen on validation. The two make different mistakes; the
blend lifts macro-F1 and top-2 on the validation fold, mostly on the small codes.

Each code's blended logit goes through its own Platt calibration (fitted on a validation
fold never trained on), so a score is a calibrated probability that the code applies.
Multi-label: a code is emitted when its score reaches its own threshold, set so that the
code's precision there is at least 0.88 on that fold; the top code is always emitted.
`--topic` search and the Kibana facet read only emitted codes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.enrich.artefacts import artefact_dir
from pipeline.enrich.base import Record, is_english
from pipeline.enrich.embedding import LEDE_TOKENS, article_text, ensure_embeddings
from pipeline.enrich.encoder import shared_encoder
from pipeline.enrich.iptc import CODES, LABELS
from pipeline.enrich.resources import Resources
from pipeline.enrich.shared_weights import shared_word_embeddings

NAME = "topic.minilm.v3"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class TopicScorer:
    """Calibrated logits to scores, and scores to the emitted and the ranked codes."""

    scale: np.ndarray  # (17,) Platt slope per code, `CODES` order
    shift: np.ndarray  # (17,) Platt intercept
    thresholds: np.ndarray  # (17,) emit thresholds on the calibrated scores

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return _sigmoid(logits * self.scale + self.shift)

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


@dataclass
class EmbeddingHead:
    """v2's linear head over the article embedding, the blend's second opinion."""

    mean: np.ndarray  # (384,) centring of the article embeddings
    weight: np.ndarray  # (17, 384)
    bias: np.ndarray  # (17,)
    blend: float  # its logits' weight in the sum

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        return self.blend * ((embeddings - self.mean) @ self.weight.T + self.bias)


class TopicModel:
    """The int8 ONNX classifier (token ids in, 17 logits out), the embedding head blended
    with it, and their calibration."""

    def __init__(
        self,
        directory: Path | None = None,
        threads: int | None = None,
        word_embeddings: np.ndarray | None = None,
    ) -> None:
        """`word_embeddings`: the base model's table, taken in place of the graph's copy
        when the artefact says its embeddings stayed frozen (shared_weights)."""
        from pipeline.enrich.minilm import model_path
        from pipeline.enrich.onnx_backend import model_session
        from pipeline.enrich.wordpiece import WordPieceTokenizer

        folder = artefact_dir(directory)
        self.meta: dict[str, Any] = json.loads(
            (folder / f"{NAME}.json").read_text(encoding="utf-8")
        )
        if list(self.meta["codes"]) != list(CODES):
            raise ValueError(f"{NAME}: the artefact's codes are not the {len(CODES)} IPTC codes")
        calibration = self.meta["calibration"]
        self.scorer = TopicScorer(
            scale=np.array(calibration["scale"], dtype=np.float64),
            shift=np.array(calibration["shift"], dtype=np.float64),
            thresholds=np.array(calibration["thresholds"], dtype=np.float64),
        )
        self.max_length = int(self.meta.get("max_length", LEDE_TOKENS))
        self.embedding_head: EmbeddingHead | None = None
        if self.meta.get("blend"):
            # allow_pickle=False: an artefact is data, never code
            with np.load(folder / f"{NAME}.npz", allow_pickle=False) as arrays:
                self.embedding_head = EmbeddingHead(
                    mean=arrays["article_mean"].astype(np.float32),
                    weight=arrays["weight"].astype(np.float32),
                    bias=arrays["bias"].astype(np.float32),
                    blend=float(self.meta["blend"]["embedding_weight"]),
                )
        self._tokenizer = WordPieceTokenizer.from_model_dir(model_path())
        # build_model trains the embeddings only when no layer is frozen
        frozen = int(self.meta.get("training", {}).get("frozen_layers", 0)) > 0
        self._session, self._shared = model_session(
            folder / f"{NAME}.int8.onnx", threads, word_embeddings if frozen else None
        )

    def logits(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """(n, 17) uncalibrated logits: the classifier's, plus the embedding head's on
        `embeddings` (the articles' `embedding.minilm.v2` vectors) when the model blends."""
        out = self._classifier_logits(texts)
        if self.embedding_head is not None:
            if embeddings is None:
                raise ValueError(f"{NAME} blends an embedding head: pass the embeddings")
            out += self.embedding_head.logits(np.asarray(embeddings, dtype=np.float32))
        return out

    def _classifier_logits(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(CODES)), dtype=np.float32)
        # One article per run, never a padded batch: the int8 graph quantises activations
        # per tensor at run time, so a batch neighbour (and its padding) shifts the others'
        # logits (up to 0.6, and 7 top codes of 256 check articles flipped). One at a time,
        # an article's topics never depend on what it arrived with; it costs about 8-29 %
        # more of this step's CPU (docs/quality.md, "Topics").
        for row, ids in enumerate(self._tokenizer.input_ids(texts, self.max_length)):
            input_ids = np.array([ids], dtype=np.int64)
            (logits,) = self._session.run(
                ["logits"], {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
            )
            out[row] = logits[0]
        return out

    def probabilities(
        self, texts: Sequence[str], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """(n, 17) calibrated probabilities, columns in `CODES` order."""
        return self.scorer.probabilities(self.logits(texts, embeddings))


class TopicEnricher:
    name = NAME

    def __init__(self, resources: Resources) -> None:
        self.model: TopicModel = resources.shared(
            f"model:{NAME}",
            lambda: TopicModel(
                resources.settings.artefacts_dir,
                resources.encoder_threads(),
                shared_word_embeddings(resources),
            ),
        )
        # the article embedding, computed once for the blend, semantic search and stance
        self._encoder = shared_encoder(resources) if self.model.embedding_head else None

    def probabilities(self, records: Sequence[Record]) -> np.ndarray:
        """(n, 17) calibrated probabilities of articles that have text (embeds them first
        when the model blends the embedding head)."""
        embeddings = ensure_embeddings(records, self._encoder) if self._encoder else None
        return self.model.probabilities([article_text(r) for r in records], embeddings)

    def enrich(self, records: Sequence[Record]) -> None:
        for record in records:
            record["topics"] = []
        english = [r for r in records if is_english(r) and article_text(r)]
        if not english:
            return
        for record, row in zip(english, self.probabilities(english), strict=True):
            record["topics"] = self.model.scorer.topics(row)
