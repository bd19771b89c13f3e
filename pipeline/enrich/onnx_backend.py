"""ONNX Runtime backend of the sentence encoder: the int8 (or fp32) export of MiniLM.

Plugs into `SentenceEncoder` through `EncoderBackend` (token ids in, token embeddings out),
so tokenisation, length-sorted batching and mean pooling + L2 norm are the torch path's own.
It knows neither the encoder nor the other backends: `backends.build_backend` picks it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.enrich import onnx_export
from pipeline.enrich.shared_weights import WORD_EMBEDDINGS, take_word_embeddings

GRAPH_WORD_EMBEDDINGS = f"inner.{WORD_EMBEDDINGS}"
"""The table's name in the export (`onnx_export` wraps the model as `inner`)."""
FINE_TUNE_WORD_EMBEDDINGS = f"encoder.{WORD_EMBEDDINGS}"
"""The table's name in a fine-tune's graph (the training scripts wrap MiniLM as `encoder`)."""


def session_options(threads: int | None = None, arena: bool = False) -> Any:
    """Options of every ONNX session of the chain (encoder, topic and sentiment models).

    No CPU memory arena by default: an arena keeps the largest working set a session ever
    needed, which spaCy's parse in the same process could otherwise reuse. Over 512 real
    articles the default chain's peak RSS was 838 MB with arenas and 762 MB without, the
    encoder's CPU per article the same within noise (issue 15: worker RSS <= 1 GB).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = arena
    # One intra-op pool over the machine's cores; the graph is a chain, so inter-op
    # parallelism only adds contention on a 2-core box.
    options.intra_op_num_threads = threads or os.cpu_count() or 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle pool threads sleep instead of spinning: the worker shares its cores with the
    # spaCy prefetch thread, Kafka and Elasticsearch. Running the encode of 64 articles
    # beside their parse beat running them one after the other by 1.10-1.36x without
    # spinning and by 1.00-1.04x with it (issue 8).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def model_session(
    path: Path,
    threads: int | None,
    word_embeddings: np.ndarray | None,
    table_name: str = FINE_TUNE_WORD_EMBEDDINGS,
) -> tuple[Any, Any]:
    """(session, the OrtValue it reads its word embeddings from, or None) of a MiniLM graph
    (a fine-tune by default; the encoder's export names its table GRAPH_WORD_EMBEDDINGS).
    Pass `word_embeddings` only for a graph whose table is the base model's. Keep the
    second as long as the first (ONNX Runtime does not own that memory)."""
    import onnxruntime as ort

    options = session_options(threads)
    shared = take_word_embeddings(options, table_name, word_embeddings)
    session = ort.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return session, shared


@dataclass
class OnnxBackend:
    """`model.int8.onnx` (default) or `model.fp32.onnx` from the export cache."""

    path: Path
    threads: int | None = None
    quantised: bool = True
    cache_root: Path | None = None
    name: str = ""
    # The base model's table, shared with the other graphs that carry it (shared_weights).
    word_embeddings: np.ndarray | None = field(default=None, repr=False)
    _session: Any = field(default=None, repr=False)
    _shared: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        directory = onnx_export.export(self.path, self.cache_root)
        filename = onnx_export.INT8_FILE if self.quantised else onnx_export.FP32_FILE
        self.name = "onnx-int8" if self.quantised else "onnx-fp32"
        # The export is of the base model: its table is the file's, always.
        self._session, self._shared = model_session(
            directory / filename, self.threads, self.word_embeddings, GRAPH_WORD_EMBEDDINGS
        )

    def token_embeddings(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        (hidden,) = self._session.run(
            ["last_hidden_state"], {"input_ids": input_ids, "attention_mask": attention_mask}
        )
        return hidden
