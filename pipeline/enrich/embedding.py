"""Article embeddings: all-MiniLM-L6-v2 of headline + lede, stored in the `embedding` field.

The one text window every head reads (`article_text`), so the topic and stance heads, the
training script and semantic search all see the same vector, computed once per article.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.enrich.base import Record
from pipeline.enrich.encoder import DIM, SentenceEncoder, shared_encoder
from pipeline.enrich.resources import Resources

LEDE_CHARS = 1200
"""Body characters read after the headline; more than LEDE_TOKENS word pieces hold."""
LEDE_TOKENS = 192
"""The window: 0.73x the encoder's CPU of the model's full 256, quality within a point of it
(docs/benchmarks.md, "Lede window"), and the encoder and the parse share two cores (issue 8)."""


def article_text(record: Record) -> str:
    headline = (record.get("headline") or "").strip()
    body = (record.get("body") or "").strip()[:LEDE_CHARS]
    return f"{headline}\n\n{body}".strip()


def has_embedding(record: Record) -> bool:
    value = record.get("embedding")
    return isinstance(value, list) and len(value) == DIM


def ensure_embeddings(records: Sequence[Record], encoder: SentenceEncoder) -> np.ndarray:
    """The (n, DIM) embeddings of the records; computes and stores only the missing ones."""
    todo = [r for r in records if not has_embedding(r) and article_text(r)]
    if todo:
        vectors = encoder.encode([article_text(r) for r in todo], max_length=LEDE_TOKENS)
        for record, vector in zip(todo, vectors, strict=True):
            # Six decimals: a third of the JSON size, far below the model's own precision.
            record["embedding"] = np.round(vector.astype(np.float64), 6).tolist()
    out = np.zeros((len(records), DIM), dtype=np.float32)
    for i, record in enumerate(records):
        if has_embedding(record):
            out[i] = record["embedding"]
    return out


class EmbeddingEnricher:
    # v2: a 192-piece window; v1 vectors (256 pieces) sit at median cosine 0.97 of these,
    # close, but not the same feature, so semantic search should not mix the two.
    name = "embedding.minilm.v2"

    def __init__(self, resources: Resources) -> None:
        self._encoder = shared_encoder(resources)

    def enrich(self, records: Sequence[Record]) -> None:
        ensure_embeddings(records, self._encoder)
        for record in records:
            record.setdefault("embedding", None)
