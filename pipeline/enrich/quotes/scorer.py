"""The reported-speech candidate scorer: a logistic regression over cheap features.

The cue table (`quotes.cues.v1`, per `lemma|shape`) alone cannot tell `said` heading
the report of a minister from `said` in `the money, he said, was spent`, nor a long
clause from a two-word object: at its threshold it keeps four in ten annotated
reports. The scorer (`quotes.scorer.v1`, trained on PolNeAR train candidates by
`pipeline/training/quote_scorer.py`) reads the table's rates at each back-off level
plus what the candidate already knows about itself: its shape, the cue's part of
speech and subject, the content's length, position, `that` and quotation marks, and
how many candidates compete for the same cue.

Every feature is read from the parse's arrays or from a token the candidate generator
already touched: building spaCy Token objects is most of the quote step's CPU, so a
feature that walks a subtree would cost more than the whole scorer.
"""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

from pipeline.enrich.artefacts import SHIPPED
from pipeline.enrich.quotes.candidates import Kids, cue_lemma, kids_of, subject_kind
from pipeline.enrich.quotes.lexicon import INDIRECT_CUE_LEMMAS

SCORER = "quotes.scorer.v1"

_SHAPE_GROUPS = (
    "ccomp", "xcomp", "dobj", "prep", "rest", "parataxis", "noun-ccomp", "noun-prep", "according"
)  # fmt: skip
_TAGS = ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB", "NN", "NNS")
_SUBJECT_KINDS = ("person", "org", "pronoun", "noun", "none")

FEATURES: tuple[str, ...] = (
    "logit_specific",
    "logit_general",
    *(f"shape={s}" for s in _SHAPE_GROUPS),
    *(f"tag={t}" for t in _TAGS),
    *(f"subject={k}" for k in _SUBJECT_KINDS),
    "speech_lemma",
    "log_length",
    "short",
    "after_cue",
    "gap",
    "starts_that",
    "quoted",
    "to_sentence_end",
    "cue_candidates",
    "best_of_cue",
    "cue_is_root",
    "negated",
    "has_verb",
)
"""The feature vector, in the order the shipped weights follow."""

_INDEX = {name: i for i, name in enumerate(FEATURES)}
_LOG_LENGTH, _SHORT, _AFTER, _GAP, _THAT, _QUOTED, _TO_END, _CUE_CANDIDATES, _BEST, _HAS_VERB = (
    _INDEX[name]
    for name in (
        "log_length", "short", "after_cue", "gap", "starts_that", "quoted",
        "to_sentence_end", "cue_candidates", "best_of_cue", "has_verb",
    )
)  # fmt: skip


def shape_group(shape: str) -> str:
    """`prep:of` -> `prep`, `noun-prep:for` -> `noun-prep`: one weight per family."""
    return shape.split(":", 1)[0]


def _logit(p: float) -> float:
    p = min(max(p, 0.01), 0.99)
    return math.log(p / (1 - p))


def cue_features(cue: Token, kids: Kids = (), lemma: str = "") -> list[tuple[int, float]]:
    """The features every candidate of one cue shares, computed once per cue; `kids`:
    the cue's `kids_of` and `cue_lemma`, if already read."""
    kids = kids or kids_of(cue)
    found = [(_INDEX[f"subject={subject_kind(cue, kids)}"], 1.0)]
    if (tag := _INDEX.get(f"tag={cue.tag_}")) is not None:
        found.append((tag, 1.0))
    if (lemma or cue_lemma(cue)) in INDIRECT_CUE_LEMMAS:
        found.append((_INDEX["speech_lemma"], 1.0))
    if cue.dep_ == "ROOT":
        found.append((_INDEX["cue_is_root"], 1.0))
    if any(d == "neg" and c.i < cue.i for c, d in kids):
        found.append((_INDEX["negated"], 1.0))
    return found


def base_features(
    shape: str, specific: float, general: float, cue_part: list[tuple[int, float]]
) -> list[float]:
    """The features known before the content is trimmed: the table's rates (`specific`:
    `lemma|shape|s` or `|-`, backing off to `general`: `lemma|shape`), the shape and
    the cue's own (`cue_features`); `content_values` gives the rest."""
    x = [0.0] * len(FEATURES)
    for i, v in cue_part:
        x[i] = v
    x[0] = _logit(specific)
    x[1] = _logit(general)
    x[_INDEX[f"shape={shape_group(shape)}"]] = 1.0
    return x


_MAX_LENGTH, _MAX_GAP, _MAX_COMPETITORS = math.log(200), math.log1p(30), math.log(8)
"""Content features are clipped: a run-on parse of a 900-token list is no more a report
than one of 200."""
CONTENT = (_LOG_LENGTH, _SHORT, _AFTER, _GAP, _THAT, _QUOTED, _TO_END, _CUE_CANDIDATES, _BEST,
           _HAS_VERB)  # fmt: skip
"""Feature indices of `content_values`, in its order."""


def content_values(
    cue_i: int, first: int, last: int, facts: tuple[int, bool, bool, bool, int, bool]
) -> tuple[float, ...]:
    """The content features (`CONTENT`) of trimmed content tokens [first, last) of a
    candidate of cue token `cue_i`. `facts`: (sentence end, quoted, starts with `that`,
    holds a verb, candidates of the cue, best table rate of the cue)."""
    sentence_end, quoted, that, has_verb, competitors, best = facts
    length = last - first
    after = first > cue_i
    return (
        min(math.log(length), _MAX_LENGTH),
        float(length <= 3),
        float(after),
        min(math.log1p(first - cue_i - 1 if after else max(0, cue_i - last)), _MAX_GAP),
        float(that),
        float(quoted),
        float(sentence_end - last <= 1),
        min(math.log(competitors), _MAX_COMPETITORS),
        float(best),
        float(has_verb),
    )


def feature_vector(
    shape: str,
    specific: float,
    general: float,
    cue_part: list[tuple[int, float]],
    content: tuple[float, ...],
) -> list[float]:
    """The whole feature vector (training reads it; serving sums the same parts)."""
    x = base_features(shape, specific, general, cue_part)
    for i, v in zip(CONTENT, content, strict=True):
        x[i] = v
    return x


@dataclass(frozen=True)
class Scorer:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    """Probability at or above which a candidate is a report (chosen on dev)."""
    floor: float
    """Candidates whose table rate is below this are never scored (cheap and hopeless)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_content", tuple(self.weights[i] for i in CONTENT))
        object.__setattr__(self, "_keys", {})

    def probability(self, x: list[float]) -> float:
        z = self.bias + sum(map(operator.mul, self.weights, x))
        return 1.0 / (1.0 + math.exp(-z))

    # Serving never builds the vector: the logit is the bias plus the weight of each part,
    # and the parts of a table key and of a cue are summed once (one dot product of ten
    # content values per candidate instead of thirty-six).

    @property
    def threshold_logit(self) -> float:
        return math.log(self.threshold / (1 - self.threshold))

    def key_logit(self, shape: str, specific: float, general: float) -> float:
        """Bias + the weights of the table's rates and of the shape."""
        memo = self._keys  # type: ignore[attr-defined]
        key = (shape, specific, general)
        found = memo.get(key)
        if found is None:
            w = self.weights
            group = _INDEX[f"shape={shape_group(shape)}"]
            found = self.bias + w[0] * _logit(specific) + w[1] * _logit(general) + w[group]
            memo[key] = found
        return found

    def cue_logit(self, cue_part: list[tuple[int, float]]) -> float:
        return sum(self.weights[i] * v for i, v in cue_part)

    def content_logit(self, content: tuple[float, ...]) -> float:
        return sum(map(operator.mul, self._content, content))  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def load_scorer(path: Path | None = None) -> Scorer:
    meta = json.loads((path or SHIPPED / f"{SCORER}.json").read_text(encoding="utf-8"))
    if tuple(meta["features"]) != FEATURES:
        raise ValueError(f"{SCORER}: features differ from this code's; retrain it")
    return Scorer(tuple(meta["weights"]), meta["bias"], meta["threshold"], meta["floor"])
