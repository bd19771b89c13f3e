"""The PyTorch fp32 backend of the sentence encoder: the model exactly as trained.

It knows neither the encoder nor the other backends: `backends.build_backend` picks it.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.enrich.minilm import offline
from pipeline.enrich.torch_guard import allow_torch


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
        offline()
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
