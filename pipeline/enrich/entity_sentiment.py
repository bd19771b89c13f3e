"""`entity_sentiment.minilm.v1`: how each person and organisation of an article is portrayed.

A MiniLM fine-tuned on NewsMTSC (pipeline/training/entity_sentiment.py; int8 ONNX, served
with ONNX Runtime alone) reads one sentence with one mention marked and says negative,
neutral or positive toward that mention. Per entity (PERSON or ORG, grouped by `canonical`):

- salience decides which entities are scored: most mentions first, then earliest first; at
  most `WIRESTREAM_ENRICH_SENTIMENT_ENTITIES` of them (the CPU bound, docs/quality.md);
- at most `WIRESTREAM_ENRICH_SENTIMENT_MENTIONS` mentions each, the earliest;
- aggregation: the mean of the class probabilities over the scored mentions; `label` is its
  argmax and `score` that mean probability. Every mention entry of the entity carries it.

Entities left out by the bound carry no `sentiment`. `score_mentions` is also what
`wirestream eval entity-sentiment` calls, so evaluation scores the worker's code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.enrich.artefacts import artefact_dir
from pipeline.enrich.base import Record, is_english
from pipeline.enrich.resources import Resources
from pipeline.enrich.sentiment_inputs import SentimentInputs, pad_batch
from pipeline.enrich.shared_weights import shared_word_embeddings

NAME = "entity_sentiment.minilm.v1"
LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
SCORED_LABELS = frozenset({"PERSON", "ORG"})
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n+")
MAX_SENTENCE_CHARS = 600


def sentence_around(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The sentence of `text` holding [start, end), with the offsets moved into it."""
    lo = 0
    for match in _BOUNDARY.finditer(text, 0, start):
        lo = match.end()
    found = _BOUNDARY.search(text, end)
    hi = found.start() if found else len(text)
    # A run-on "sentence" (a table, a list) is cut to a window around the mention.
    lo = max(lo, start - MAX_SENTENCE_CHARS // 2)
    hi = min(hi, end + MAX_SENTENCE_CHARS // 2)
    return text[lo:hi], start - lo, end - lo


class SentimentModel:
    """The int8 ONNX classifier and its inputs; `score_mentions` is the whole API."""

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

        folder = artefact_dir(directory)
        self.meta = json.loads((folder / f"{NAME}.json").read_text(encoding="utf-8"))
        self.inputs = SentimentInputs.from_model_dir(model_path(), int(self.meta["max_length"]))
        frozen = "embeddings" in str(self.meta.get("recipe", {}).get("frozen", ""))
        self._session, self._shared = model_session(
            folder / f"{NAME}.int8.onnx", threads, word_embeddings if frozen else None
        )

    def probabilities(
        self, mentions: Sequence[tuple[str, int, int]], batch: int = 32
    ) -> np.ndarray:
        built = [self.inputs.build(s, a, b) for s, a, b in mentions]
        out = np.zeros((len(built), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(built)), key=lambda i: len(built[i].input_ids))
        for lo in range(0, len(order), batch):
            chunk = order[lo : lo + batch]
            arrays = pad_batch([built[i] for i in chunk], self.inputs.pad_token_id)
            (logits,) = self._session.run(["logits"], arrays)
            logits = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            out[chunk] = exp / exp.sum(axis=1, keepdims=True)
        return out

    def score_mentions(self, mentions: Sequence[tuple[str, int, int]]) -> list[tuple[str, float]]:
        """(label, probability) per (sentence, start, end)."""
        probs = self.probabilities(mentions)
        return [(LABELS[int(p.argmax())], float(p.max())) for p in probs]


def salient_entities(
    entities: Sequence[dict[str, Any]], max_entities: int, max_mentions: int
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The mentions to score, by (label, canonical): the most mentioned entities first."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entity in entities:
        if entity.get("label") in SCORED_LABELS:
            key = (entity["label"], entity.get("canonical") or entity["text"])
            groups.setdefault(key, []).append(entity)
    ranked = sorted(groups, key=lambda k: (-len(groups[k]), min(e["start"] for e in groups[k])))
    return {
        key: sorted(groups[key], key=lambda e: e["start"])[:max_mentions]
        for key in ranked[:max_entities]
    }


def aggregate(probs: np.ndarray) -> dict[str, Any]:
    mean = probs.mean(axis=0)
    best = int(mean.argmax())
    return {"label": LABELS[best], "score": round(float(mean[best]), 4)}


def shared_sentiment_model(resources: Resources) -> SentimentModel:
    """The worker's one sentiment model (this enricher and the short-target stance read
    it), built on first use."""
    return resources.shared(
        f"model:{NAME}",
        lambda: SentimentModel(
            resources.settings.artefacts_dir,
            resources.encoder_threads(),
            shared_word_embeddings(resources),
        ),
    )


class EntitySentimentEnricher:
    name = NAME

    def __init__(self, resources: Resources) -> None:
        settings = resources.settings
        self.max_entities = settings.sentiment_entities
        self.max_mentions = settings.sentiment_mentions
        self.model: SentimentModel = shared_sentiment_model(resources)

    def enrich(self, records: Sequence[Record]) -> None:
        jobs: list[tuple[Record, tuple[str, str], list[dict[str, Any]]]] = []
        mentions: list[tuple[str, int, int]] = []
        for record in records:
            entities = record.get("entities") or []
            if not is_english(record) or not entities:
                continue
            body = record.get("body") or ""
            for key, chosen in salient_entities(
                entities, self.max_entities, self.max_mentions
            ).items():
                jobs.append((record, key, chosen))
                mentions += [sentence_around(body, e["start"], e["end"]) for e in chosen]
        if not mentions:
            return
        probs = self.model.probabilities(mentions)
        at = 0
        for record, key, chosen in jobs:
            sentiment = aggregate(probs[at : at + len(chosen)])
            at += len(chosen)
            for entity in record["entities"]:
                if (entity.get("label"), entity.get("canonical") or entity["text"]) == key:
                    entity["sentiment"] = dict(sentiment)
