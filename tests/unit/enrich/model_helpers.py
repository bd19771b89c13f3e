"""Shared by the encoder, topic and stance tests: a fake encoder and the real one, loaded once."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

import numpy as np

from pipeline.enrich.encoder import DIM
from pipeline.enrich.resources import Resources


class FakeEncoder:
    """Deterministic unit vectors from a hash of the text; counts what it was asked."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], max_length: int | None = None) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            v = np.random.default_rng(seed).standard_normal(DIM)
            out[i] = v / np.linalg.norm(v)
        return out


def fake_resources(**settings) -> tuple[Resources, FakeEncoder]:
    from pipeline.settings import EnrichSettings

    resources = Resources(settings=EnrichSettings(**settings))
    fake = FakeEncoder()
    resources.shared("encoder", lambda: fake)
    return resources, fake


@functools.cache
def real_resources() -> Resources:
    """One real encoder for the whole test session (slow tests only)."""
    from pipeline.enrich.encoder import shared_encoder

    resources = Resources()
    shared_encoder(resources)
    return resources
