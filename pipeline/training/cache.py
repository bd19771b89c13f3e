"""Embeddings for training, computed once with the serving encoder and cached on disk.

The cache lives in the user's cache directory (never in the repository) and is keyed by
the texts, the window length, the model and the backend, so a changed input is simply
re-encoded. The topic head trains on the serving backend's vectors (ONNX int8 by default),
so it learns the embeddings it will be given.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.enrich.backends import build_backend
from pipeline.enrich.encoder import MODEL_NAME, SentenceEncoder, load_encoder
from pipeline.enrich.minilm import model_path
from pipeline.settings import StackSettings

log = logging.getLogger(__name__)


class CachedEncoder:
    def __init__(
        self, cache_dir: Path | None = None, backend: str = "torch", threads: int | None = None
    ) -> None:
        self.cache_dir = cache_dir or StackSettings().cache_dir / "train-embeddings"
        self.backend = backend
        self.threads = threads
        self._encoder: SentenceEncoder | None = None

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            if self.backend == "torch":
                self._encoder = load_encoder(threads=self.threads)
            else:
                backend = build_backend(self.backend, model_path(), threads=self.threads)
                self._encoder = load_encoder(backend=backend)
        return self._encoder

    def encode(self, texts: Sequence[str], max_length: int) -> np.ndarray:
        # torch keys stay as they were, so existing caches of the stance head still hit
        key = f"{MODEL_NAME}\0{max_length}" + (
            "" if self.backend == "torch" else f"\0{self.backend}"
        )
        digest = hashlib.sha256(key.encode())
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
