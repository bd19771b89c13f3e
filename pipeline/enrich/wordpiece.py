"""MiniLM's tokenizer from the model directory's `tokenizer.json`, with `tokenizers` alone.

`transformers.AutoTokenizer` gives the same ids (pinned in tests/unit/enrich/test_wordpiece.py)
but importing `transformers` imports PyTorch, about 1 GB of a serving process's memory that
the ONNX backends never use (issue 8). The Rust tokenizer is what AutoTokenizer runs anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


class WordPieceTokenizer:
    """Token ids with [CLS] ... [SEP], truncated to a per-call length; no padding."""

    def __init__(self, tokenizer: Any, pad_token: str = "[PAD]") -> None:
        # sentence-transformers saved the file with padding to a fixed 128 and truncation at
        # 128; the encoder pads per batch itself and every caller names its own length.
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        self._max_length: int | None = None
        pad = tokenizer.token_to_id(pad_token)
        self.pad_token_id: int = 0 if pad is None else pad

    @classmethod
    def from_model_dir(cls, path: Path) -> WordPieceTokenizer:
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(path / "tokenizer.json")))

    def input_ids(self, texts: Sequence[str], max_length: int) -> list[list[int]]:
        """One id list per text, at most `max_length` ids counting the special tokens."""
        if max_length != self._max_length:
            # The same strategy AutoTokenizer passes for `truncation=True` on single texts.
            self._tokenizer.enable_truncation(
                max_length, strategy="longest_first", direction="right"
            )
            self._max_length = max_length
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        return [encoding.ids for encoding in encodings]
