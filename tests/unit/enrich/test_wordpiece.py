"""The serving tokenizer (`tokenizers` on tokenizer.json) gives AutoTokenizer's ids exactly."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from pipeline.enrich.minilm import model_path
from pipeline.enrich.wordpiece import WordPieceTokenizer

TEXTS = [
    "The central bank raised interest rates by a quarter point on Thursday.",
    "GENEVA (Reuters) — Talks resumed on Monday. “We are hopeful,” the envoy said.",
    "",
    "   \n\t  ",
    "Café déjà vu: naïve façade, Straße, İstanbul, Ǆ, ﬁnance, Ångström, Øre.",
    "東京都 北京 서울 Москва القاهرة मुंबई — emoji 🚀🇺🇳👩‍👩‍👧 and symbols ©®™ ½ ∑",
    "control\u0000chars\u200bzero\u00a0width\u2028line\r\nbreaks\ttabs",
    "URLs https://example.org/a?b=c&d=e and e-mails someone@example.com, $1,234.56, 10%",
    "UPPER CASE HEADLINE: PM RESIGNS AFTER VOTE",
    "a" * 3000,
    " ".join(["supercalifragilisticexpialidocious antidisestablishmentarianism"] * 80),
    ("A long wire story about the economy, with quotes and numbers (3.2 %). " * 60).strip(),
]
LENGTHS = [8, 64, 96, 128, 192, 256, 512]
SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "wikinews" / "articles.jsonl"


@functools.cache
def _ours() -> WordPieceTokenizer:
    return WordPieceTokenizer.from_model_dir(model_path())


@functools.cache
def _reference():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_path()), local_files_only=True)


def test_special_tokens_truncation_and_no_padding():
    tokenizer = _ours()
    short, long = tokenizer.input_ids(["Hello world", "word " * 1000], max_length=16)
    assert short[0] == 101 and short[-1] == 102 and len(short) == 4  # [CLS] hello world [SEP]
    assert len(long) == 16 and long[0] == 101 and long[-1] == 102
    assert tokenizer.pad_token_id == 0
    # The length is per call, not sticky from the previous one.
    (again,) = tokenizer.input_ids(["word " * 1000], max_length=256)
    assert len(again) == 256


@pytest.mark.slow
@pytest.mark.parametrize("max_length", LENGTHS)
def test_same_ids_as_autotokenizer(max_length):
    reference = _reference()
    expected = reference(TEXTS, truncation=True, max_length=max_length, add_special_tokens=True)[
        "input_ids"
    ]
    assert _ours().input_ids(TEXTS, max_length) == expected
    assert _ours().pad_token_id == reference.pad_token_id


@pytest.mark.slow
def test_same_ids_as_autotokenizer_on_real_articles():
    from pipeline.enrich.embedding import LEDE_TOKENS

    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    texts = [f"{r['title']}\n\n{r['text']}" for r in rows]
    expected = _reference()(texts, truncation=True, max_length=LEDE_TOKENS)["input_ids"]
    assert _ours().input_ids(texts, LEDE_TOKENS) == expected
