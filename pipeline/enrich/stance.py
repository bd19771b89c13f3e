"""Stance of an English article towards each target: `stance.minilm.v1`.

Targets are the union, in order and without repeats, of the deployment's
(`WIRESTREAM_ENRICH_TARGETS`), the record's own `targets` and those the enrich CLI puts
there from `--target`. The article's sentences are embedded once for all its targets;
target embeddings are cached, since a deployment asks the same targets of every article.

Each target has a kind (`target_kinds`: a `short:`/`claim:` prefix, else
`WIRESTREAM_ENRICH_TARGET_KIND`, else detected). Claims go to the FNC-1 head (agree /
disagree / discuss / unrelated) exactly as before; short targets (names, policies,
topics) to `short_stance` (favor / against / neutral / unrelated), whose head and the
entity-sentiment model it reads load only when a short target first appears.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.enrich.artefacts import load_head
from pipeline.enrich.base import Record, is_english
from pipeline.enrich.embedding import ensure_embeddings, has_embedding
from pipeline.enrich.encoder import SentenceEncoder, shared_encoder
from pipeline.enrich.resources import Resources
from pipeline.enrich.short_stance import NAME as SHORT_NAME
from pipeline.enrich.short_stance import Readings, ShortStanceHead, pair_designs
from pipeline.enrich.stance_features import (
    FEATURES,
    SENTENCE_TOKENS,
    TARGET_TOKENS,
    Article,
    best_sentence_product,
    pair_features,
    split_sentences,
)
from pipeline.enrich.target_kinds import Kind, resolve_kind
from pipeline.enrich.trees import TreeEnsemble

NAME = "stance.minilm.v1"
TARGET_CACHE = 4096


def stance_targets(configured: Iterable[str], record: Record) -> list[str]:
    """Deployment targets, then the record's, stripped, first occurrence kept."""
    seen: dict[str, None] = {}
    for target in [*configured, *(record.get("targets") or [])]:
        text = (target or "").strip()
        if text and text not in seen:
            seen[text] = None
    return list(seen)


def kinded_targets(
    configured: Iterable[str], record: Record, default_kind: str = "auto"
) -> list[tuple[Kind, str]]:
    """(kind, text) of `stance_targets`, prefixes read; the first of a repeated text wins."""
    seen: dict[str, Kind] = {}
    for target in stance_targets(configured, record):
        kind, text = resolve_kind(target, default_kind)
        if text and text not in seen:
            seen[text] = kind
    return [(kind, text) for text, kind in seen.items()]


@dataclass
class StanceHead:
    ensemble: TreeEnsemble
    labels: tuple[str, ...]
    product_mean: np.ndarray  # (384,) PCA centre of the target ⊙ sentence products
    product_components: np.ndarray  # (k, 384) their principal components

    @classmethod
    def load(cls, directory: Path | None = None) -> StanceHead:
        arrays, meta = load_head(NAME, directory)
        if tuple(meta["features"]) != FEATURES:
            raise ValueError(f"{NAME} artefact was trained on other features; retrain it")
        return cls(
            TreeEnsemble.from_arrays(arrays),
            tuple(meta["labels"]),
            arrays["product_mean"].astype(np.float32),
            arrays["product_components"].astype(np.float32),
        )

    def design(self, scalars: np.ndarray, products: np.ndarray) -> np.ndarray:
        """The head's input: scalar features, then the products' principal components."""
        return np.hstack([scalars, (products - self.product_mean) @ self.product_components.T])

    def predict(self, scalars: np.ndarray, products: np.ndarray) -> list[tuple[str, float]]:
        probs = self.ensemble.predict_proba(self.design(scalars, products))
        best = probs.argmax(axis=1)
        return [(self.labels[i], round(float(p[i]), 4)) for i, p in zip(best, probs, strict=True)]


class TargetVectors:
    """Embeddings of target texts, least recently used dropped first."""

    def __init__(self, encoder: SentenceEncoder, size: int = TARGET_CACHE) -> None:
        self._encoder = encoder
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, targets: Sequence[str]) -> dict[str, np.ndarray]:
        missing = list(dict.fromkeys(t for t in targets if t not in self._cache))
        if missing:
            for text, vector in zip(
                missing, self._encoder.encode(missing, TARGET_TOKENS), strict=True
            ):
                self._cache[text] = vector
        out = {}
        for text in targets:
            self._cache.move_to_end(text)
            out[text] = self._cache[text]
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return out


class StanceEnricher:
    name = NAME

    def __init__(self, resources: Resources) -> None:
        self._resources = resources
        self._encoder = shared_encoder(resources)
        self._configured = list(resources.settings.targets)
        self._default_kind = resources.settings.target_kind
        self._head = resources.shared(
            f"head:{NAME}", lambda: StanceHead.load(resources.settings.artefacts_dir)
        )
        self._targets = TargetVectors(self._encoder)

    def enrich(self, records: Sequence[Record]) -> None:
        work = []
        for record in records:
            record["stance"] = []
            targets = kinded_targets(self._configured, record, self._default_kind)
            if targets and is_english(record) and (record.get("body") or "").strip():
                work.append((record, targets))
        if not work:
            return
        ensure_embeddings([r for r, _ in work], self._encoder)
        articles = self._articles([r for r, _ in work])
        vectors = self._targets.get([t for _, targets in work for _, t in targets])
        rows, products, claims, shorts = [], [], [], []
        for (record, targets), article in zip(work, articles, strict=True):
            for kind, target in targets:
                if kind == "claim":
                    rows.append(pair_features(target, vectors[target], article))
                    products.append(best_sentence_product(vectors[target], article))
                    claims.append((record, target))
                else:
                    shorts.append((record, target, article))
        results: dict[tuple[int, str], dict] = {}
        if claims:
            predictions = self._head.predict(np.stack(rows), np.stack(products))
            for (record, target), (label, score) in zip(claims, predictions, strict=True):
                results[id(record), target] = {
                    "target": target,
                    "kind": "claim",
                    "label": label,
                    "score": score,
                }
        if shorts:
            head, readings = self._short_head()
            design = pair_designs(
                [(t, vectors[t], article) for _, t, article in shorts], readings, head.groups
            )
            for (record, target, _), (label, score) in zip(
                shorts, head.predict(design), strict=True
            ):
                results[id(record), target] = {
                    "target": target,
                    "kind": "short",
                    "label": label,
                    "score": score,
                }
        for record, targets in work:
            record["stance"] = [results[id(record), target] for _, target in targets]

    def _short_head(self) -> tuple[ShortStanceHead, Readings]:
        """The short-target head and the entity-sentiment model, built on first use."""
        from pipeline.enrich.entity_sentiment import shared_sentiment_model

        resources = self._resources
        head = resources.shared(
            f"head:{SHORT_NAME}", lambda: ShortStanceHead.load(resources.settings.artefacts_dir)
        )
        return head, shared_sentiment_model(resources).probabilities

    def _articles(self, records: Sequence[Record]) -> list[Article]:
        # All sentences of the batch in one encoder call: one sort, full batches.
        sentences = [split_sentences(r["body"]) for r in records]
        flat = [s for group in sentences for s in group]
        vectors = self._encoder.encode(flat, SENTENCE_TOKENS)
        out, start = [], 0
        for record, group in zip(records, sentences, strict=True):
            lede = (
                np.asarray(record["embedding"], dtype=np.float32) if has_embedding(record) else None
            )
            out.append(
                Article.build(record["body"], group, vectors[start : start + len(group)], lede)
            )
            start += len(group)
        return out
