"""The encoder's backends, by name: the one place that knows them all.

`WIRESTREAM_ENRICH_BACKEND` names a backend (`torch`, `onnx-int8`, `onnx-fp32`); this
factory builds it and says whether serving with it needs PyTorch (the torch backend, or an
ONNX export whose cache is cold). The backends themselves know neither each other nor the
encoder, so the import graph runs one way: encoder -> backends -> each backend.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.enrich import onnx_export, torch_guard
from pipeline.enrich.cpu import cpu_flags, int8_kernel, reported_flags
from pipeline.enrich.minilm import model_path
from pipeline.enrich.onnx_backend import OnnxBackend
from pipeline.enrich.torch_backend import TorchBackend

log = logging.getLogger(__name__)

BACKENDS = ("torch", "onnx-int8", "onnx-fp32")
ONNX_BACKENDS = ("onnx-int8", "onnx-fp32")


def build_backend(
    name: str, path: Path, threads: int | None = None, word_embeddings: Any = None
) -> Any:
    """The backend called `name` (see BACKENDS) for the model at `path`; an ONNX backend
    reads its word embeddings from `word_embeddings` when given (shared_weights)."""
    if name == "torch":
        return TorchBackend(path, threads=threads)
    if name in ONNX_BACKENDS:
        backend = OnnxBackend(
            path,
            threads=threads,
            quantised=name == "onnx-int8",
            word_embeddings=word_embeddings,
        )
        # Whether int8 pays depends on the CPU (docs/benchmarks.md): say which kernel runs.
        log.info(
            "encoder backend ready",
            extra={
                "backend": name,
                "threads": threads,
                "cpu_flags": reported_flags(),
                "int8_kernel": int8_kernel(cpu_flags()) if name == "onnx-int8" else None,
            },
        )
        return backend
    raise ValueError(f"unknown encoder backend {name!r}; choose one of {', '.join(BACKENDS)}")


def torch_needed(backend: str) -> bool:
    """Whether serving with `backend` will run PyTorch: the torch backend, or a cold export."""
    if backend not in ONNX_BACKENDS:
        return True
    return not onnx_export.is_cached(model_path())


@contextlib.contextmanager
def torch_kept_out(backend: str) -> Iterator[bool]:
    """Around the models' loading at serving start-up: PyTorch cannot be imported inside,
    unless the configured backend needs it. Yields whether it was blocked."""
    blocked = not torch_needed(backend) and torch_guard.block_torch()
    if blocked:
        log.info("pytorch kept out of the models", extra={"backend": backend})
    try:
        yield blocked
    finally:
        if blocked:
            torch_guard.allow_torch()
