"""Features of one (short target, article) pair: pure functions of text, vectors and readings.

A short target ("Hillary Clinton", "Brexit") is rarely restated in an article the way a
claim is paraphrased; what carries the stance is how the sentences that name it treat it.
So the features are:

* where the target is: is it named (whole, or a word of it by its stem, "Clinton's",
  "#feminism"), and how close are the article's sentences to it (cosines, as for claims);
* how it is treated there: the entity-sentiment model's (NewsMTSC, negative / neutral /
  positive) reading of the target in up to `READINGS` sentences that name it; when none
  does, of the sentence closest to it with the target put in front (`"Brexit: <sentence>"`),
  so an article about a topic that never names it still gets a reading;
* in which respect: the target vector times its closest sentence's vector, element-wise.

The trap avoided: the readings are *inputs* (`reading_spans`), scored by the caller in one
batch with every other reading of the batch, so these functions stay pure and testable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from pipeline.enrich.stance_features import STOPWORDS

READINGS = 2
"""Sentences read by the sentiment model per (target, article): the CPU bound per target."""
MIN_STEM = 5
SCALARS: tuple[str, ...] = (
    "cos_max",
    "cos_top2",
    "cos_lede",
    "named_whole",
    "named_word",
    "mentions_log",
    "reading_negative",
    "reading_neutral",
    "reading_positive",
    "reading_prefixed",
)
GROUPS: tuple[str, ...] = ("scalars", "product", "closest")
"""Feature groups a head may use, each a block of the design matrix: `SCALARS`, the
target ⊙ closest sentence product (384) and the closest sentence's vector itself (384)."""
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n+")


def _stems(target: str) -> list[str]:
    """Stems of the target's content words, in order: 'Legalization of Abortion' ->
    ['legaliza', 'abort']; a word keeps at least MIN_STEM letters (or all of a short one)."""
    out = []
    for word in re.findall(r"[a-z0-9]+", target.lower()):
        if word in STOPWORDS or len(word) < 3:
            continue
        stem = word[: max(MIN_STEM, len(word) - 3)]
        if stem not in out:
            out.append(stem)
    return out


@dataclass(frozen=True)
class Mentions:
    spans: list[tuple[int, int]]  # character spans in the body, in order
    whole: bool  # the whole target text occurs


def find_mentions(target: str, body: str) -> Mentions:
    """Where the body names the target: the whole text, else any content word by its stem."""
    whole = [
        m.span()
        for m in re.finditer(rf"(?<!\w){re.escape(target.strip())}(?!\w)", body, re.IGNORECASE)
    ]
    if whole:
        return Mentions(whole, True)
    spans: list[tuple[int, int]] = []
    for stem in _stems(target):
        spans += [m.span() for m in re.finditer(rf"\b{re.escape(stem)}\w*", body, re.IGNORECASE)]
    return Mentions(sorted(set(spans)), False)


def sentence_span(body: str, start: int) -> tuple[int, int]:
    lo = 0
    for match in _BOUNDARY.finditer(body, 0, start):
        lo = match.end()
    found = _BOUNDARY.search(body, start)
    return lo, found.start() if found else len(body)


def reading_spans(
    target: str, body: str, mentions: Mentions, closest_sentence: str
) -> tuple[list[tuple[str, int, int]], bool]:
    """The (sentence, start, end) inputs of the sentiment model, and whether they are
    the prefixed fallback. One mention per sentence, the first `READINGS` sentences."""
    from pipeline.enrich.entity_sentiment import sentence_around

    out, seen = [], set()
    for start, end in mentions.spans:
        key = sentence_span(body, start)
        if key in seen:
            continue
        seen.add(key)
        out.append(sentence_around(body, start, end))
        if len(out) == READINGS:
            break
    if out:
        return out, False
    text = target.strip()
    return [(f"{text}: {closest_sentence}", 0, len(text))], True


def similarities(target_vector: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
    if not len(sentence_vectors):
        return np.zeros(1, dtype=np.float32)
    return sentence_vectors @ target_vector


def scalar_features(
    sims: np.ndarray,
    lede_cos: float,
    mentions: Mentions,
    readings: np.ndarray,
    prefixed: bool,
) -> np.ndarray:
    """`SCALARS` in order; `readings` are the sentiment model's (k, 3) probabilities."""
    top = np.sort(sims)[::-1]
    mean = readings.mean(axis=0) if len(readings) else np.full(3, 1 / 3)
    values = (
        float(top[0]),
        float(top[:2].mean()),
        float(lede_cos),
        float(mentions.whole),
        float(bool(mentions.spans)),
        math.log1p(len(mentions.spans)),
        float(mean[0]),
        float(mean[1]),
        float(mean[2]),
        float(prefixed),
    )
    return np.asarray(values, dtype=np.float32)


def closest(sentence_vectors: np.ndarray, sims: np.ndarray, dim: int) -> np.ndarray:
    if not len(sentence_vectors):
        return np.zeros(dim, dtype=np.float32)
    return sentence_vectors[int(np.argmax(sims))]


def design_row(
    groups: tuple[str, ...],
    scalars: np.ndarray,
    target_vector: np.ndarray,
    closest_vector: np.ndarray,
) -> np.ndarray:
    blocks = {
        "scalars": scalars,
        "product": target_vector * closest_vector,
        "closest": closest_vector,
    }
    return np.concatenate([blocks[g] for g in groups]).astype(np.float32)
