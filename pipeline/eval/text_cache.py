"""Per-text embedding cache for evaluations that replay subsets of one data set.

`training.cache.CachedEncoder` keys a cache file by the whole list of texts, so scoring the
tune half, then the test half, then everything would encode the same bodies three times on
a CPU shared by many. This cache keys each vector by its own text (and the model and window),
so any subset or order of already seen texts costs no encoder call. It lives in the user's
cache directory, never in the repository.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.enrich.encoder import DIM, MODEL_NAME, SentenceEncoder, load_encoder
from pipeline.settings import StackSettings


class PerTextCache:
    def __init__(self, cache_dir: Path | None = None, encoder: SentenceEncoder | None = None):
        self.cache_dir = cache_dir or StackSettings().cache_dir / "eval-embeddings"
        self._encoder = encoder

    def _key(self, text: str, max_length: int) -> str:
        return hashlib.sha256(f"{MODEL_NAME}\0{max_length}\0{text}".encode()).hexdigest()

    def _store(self, max_length: int) -> Path:
        return self.cache_dir / f"{MODEL_NAME.replace('/', '_')}-{max_length}.npz"

    def encode(self, texts: Sequence[str], max_length: int) -> np.ndarray:
        store = self._store(max_length)
        known: dict[str, np.ndarray] = {}
        if store.exists():
            with np.load(store) as data:
                known = {k: data[k] for k in data.files}
        keys = [self._key(t, max_length) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
        if missing:
            if self._encoder is None:
                self._encoder = load_encoder()
            started = time.perf_counter()
            vectors = self._encoder.encode([t for _, t in missing], max_length=max_length)
            known.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            np.savez(store, **known)
            took = time.perf_counter() - started
            print(f"  encoded {len(missing)} texts (max {max_length} tokens) in {took:.0f}s")
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = known[key]
        return out
