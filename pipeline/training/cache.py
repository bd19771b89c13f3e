"""Embeddings for training, computed once with the serving encoder and cached on disk.

The cache lives in the user's cache directory (never in the repository) and is keyed by
the texts, the window length and the model, so a changed input is simply re-encoded.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.enrich.encoder import MODEL_NAME, SentenceEncoder, load_encoder
from pipeline.settings import StackSettings

log = logging.getLogger(__name__)


class CachedEncoder:
    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir or StackSettings().cache_dir / "train-embeddings"
        self._encoder: SentenceEncoder | None = None

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    def encode(self, texts: Sequence[str], max_length: int) -> np.ndarray:
        digest = hashlib.sha256(f"{MODEL_NAME}\0{max_length}".encode())
        for text in texts:
            digest.update(text.encode("utf-8", "replace") + b"\0\1")
        path = self.cache_dir / f"{digest.hexdigest()[:32]}.npy"
        if path.exists():
            return np.load(path)
        started = time.perf_counter()
        vectors = self.encoder.encode(texts, max_length=max_length)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        took = time.perf_counter() - started
        print(f"  encoded {len(texts)} texts (max {max_length} tokens) in {took:.0f}s")
        return vectors
