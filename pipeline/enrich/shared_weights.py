"""One resident copy of MiniLM's word-embedding table for every ONNX graph that carries it.

The encoder's export, the topic classifier and the entity-sentiment model each hold the base
model's 30,522 x 384 fp32 word embeddings (47 MB). The fine-tunes kept them frozen, so the
three copies are byte-identical (pinned by tests/unit/enrich/test_shared_weights.py). ONNX
Runtime lets a session take an initializer from the caller's memory
(`SessionOptions.add_initializer`), so each session takes one read-only memory map of the
installed model's safetensors file instead of its own copy: three 47 MB copies become one
file-backed table, of which only the pages of words seen are resident (issue 15: worker RSS
at most 1 GB). A graph whose embeddings were trained must not take it: the models ask
their artefact's metadata first.

The file is read here by hand (an 8-byte header length, a JSON header, raw little-endian
arrays): the serving install has neither the safetensors nor the torch package, and the
format is that simple.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.enrich.resources import Resources

WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
"""The table's name in the model's safetensors file; graphs prefix it with their module."""
WEIGHTS_FILE = "model.safetensors"


def word_embeddings(model_dir: Path) -> np.ndarray:
    """The model's word-embedding table, memory-mapped read-only from its safetensors file."""
    path = model_dir / WEIGHTS_FILE
    with path.open("rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    entry = header[WORD_EMBEDDINGS]
    if entry["dtype"] != "F32":
        raise ValueError(f"{path}: {WORD_EMBEDDINGS} is {entry['dtype']}, not F32")
    start, end = entry["data_offsets"]
    shape = tuple(entry["shape"])
    if (end - start) != 4 * int(np.prod(shape)):
        raise ValueError(f"{path}: {WORD_EMBEDDINGS} has {end - start} bytes for shape {shape}")
    return np.memmap(path, dtype="<f4", mode="r", offset=8 + length + start, shape=shape)


def shared_word_embeddings(resources: Resources) -> np.ndarray:
    """The worker's one table, mapped on first use."""
    from pipeline.enrich.minilm import model_path

    return resources.shared(f"weights:{WORD_EMBEDDINGS}", lambda: word_embeddings(model_path()))


def take_word_embeddings(options: Any, graph_name: str, table: np.ndarray | None) -> Any:
    """Make a session built with `options` read its initializer `graph_name` from `table`.

    Returns the OrtValue (None without a table), which the caller keeps as long as the
    session: ONNX Runtime does not own the memory. A name the graph lacks is ignored by
    ONNX Runtime, so a graph exported under another name simply keeps its own copy.
    """
    if table is None:
        return None
    import onnxruntime as ort

    value = ort.OrtValue.ortvalue_from_numpy(table)
    options.add_initializer(graph_name, value)
    return value
