"""Model inputs for target-dependent sentiment: one sentence, one marked mention.

Training (pipeline/training/entity_sentiment.py), the worker's enricher and
`wirestream eval entity-sentiment` build their ids here, so what the model saw in training is
what it sees in the stream. The mention is wrapped in two of BERT's unused vocabulary tokens
([unused0] ... [unused1]) and repeated as the first segment:

    [CLS] mention [SEP] left [unused0] mention [unused1] right [SEP]

Pieces are tokenized separately (a mention starts and ends on word boundaries), and a long
sentence is cut to a window around the mention, not at its end, so the target is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

START_MARK = "[unused0]"
END_MARK = "[unused1]"
MAX_LENGTH = 96
MAX_MENTION_TOKENS = 12


@dataclass(frozen=True)
class PairIds:
    input_ids: list[int]
    token_type_ids: list[int]
    target_mask: list[int]
    """1 on the marked mention (markers included) in the sentence segment."""


class SentimentInputs:
    """Builds `PairIds` with a `tokenizers.Tokenizer` (the MiniLM's tokenizer.json)."""

    def __init__(self, tokenizer: Any, max_length: int = MAX_LENGTH) -> None:
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tok = tokenizer
        self.max_length = max_length
        self.cls = tokenizer.token_to_id("[CLS]")
        self.sep = tokenizer.token_to_id("[SEP]")
        self.pad_token_id = tokenizer.token_to_id("[PAD]") or 0
        self.start = tokenizer.token_to_id(START_MARK)
        self.end = tokenizer.token_to_id(END_MARK)

    @classmethod
    def from_model_dir(cls, path: Any, max_length: int = MAX_LENGTH) -> SentimentInputs:
        from pathlib import Path

        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(Path(path) / "tokenizer.json")), max_length)

    def _ids(self, text: str) -> list[int]:
        if not text.strip():
            return []
        return list(self._tok.encode(text, add_special_tokens=False).ids)

    def build(self, sentence: str, start: int, end: int) -> PairIds:
        left = self._ids(sentence[:start])
        mention = self._ids(sentence[start:end])[:MAX_MENTION_TOKENS] or [
            self._tok.token_to_id("[UNK]")
        ]
        right = self._ids(sentence[end:])
        # [CLS] mention [SEP] ... [unused0] mention [unused1] ... [SEP]
        fixed = 1 + len(mention) + 1 + 1 + len(mention) + 1 + 1
        room = max(0, self.max_length - fixed)
        keep_left = min(len(left), room // 2)
        keep_right = min(len(right), room - keep_left)
        keep_left = min(len(left), room - keep_right)
        left = left[len(left) - keep_left :]
        right = right[:keep_right]
        first = [self.cls, *mention, self.sep]
        second = [*left, self.start, *mention, self.end, *right, self.sep]
        ids = first + second
        types = [0] * len(first) + [1] * len(second)
        mask = [0] * len(ids)
        lo = len(first) + len(left)
        for i in range(lo, lo + len(mention) + 2):
            mask[i] = 1
        return PairIds(ids, types, mask)


def pad_batch(items: list[PairIds], pad_id: int) -> dict[str, Any]:
    """int64 arrays input_ids, attention_mask, token_type_ids, target_mask padded to the longest."""
    import numpy as np

    width = max(len(item.input_ids) for item in items)
    out = {
        name: np.zeros((len(items), width), dtype=np.int64)
        for name in ("input_ids", "attention_mask", "token_type_ids", "target_mask")
    }
    out["input_ids"][:] = pad_id
    for row, item in enumerate(items):
        n = len(item.input_ids)
        out["input_ids"][row, :n] = item.input_ids
        out["attention_mask"][row, :n] = 1
        out["token_type_ids"][row, :n] = item.token_type_ids
        out["target_mask"][row, :n] = item.target_mask
    return out
