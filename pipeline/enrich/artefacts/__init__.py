"""Trained heads shipped with wirestream: `.npz` arrays + `.json` metadata, loaded with numpy only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

SHIPPED = Path(__file__).resolve().parent


def artefact_dir(configured: Path | None = None) -> Path:
    return Path(configured) if configured else SHIPPED


def load_head(
    name: str, directory: Path | None = None
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the metadata of head `name` (e.g. `topic.minilm.v2`)."""
    folder = artefact_dir(directory)
    # allow_pickle=False: an artefact is data, never code.
    with np.load(folder / f"{name}.npz", allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return arrays, meta


def save_head(
    name: str, arrays: dict[str, np.ndarray], meta: dict[str, Any], directory: Path
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / f"{name}.npz", **arrays)
    (directory / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
