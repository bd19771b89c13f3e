"""Features of one (target, article) pair for the stance head; pure functions of text and vectors.

Two families, both cheap once the sentences are embedded:
* transformer: cosine of the target to the article's sentences (max, top-3 mean, mean,
  first sentence, lede window) and to the mean sentence;
* classical FNC-1 baseline features: word and n-gram overlap of target and body, refuting
  and hedging words in the body, in the sentences closest to the target and in the target;
* and, separately, the element-wise product of the target vector and its closest sentence's
  vector (`best_sentence_product`), which the head reduces to a few principal components:
  it carries *how* the two texts relate, not only how close they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MAX_SENTENCES = 48
SENTENCE_TOKENS = 96
TARGET_TOKENS = 64

_NEXT = r"\s+(?=[\"'“‘(\[]?[A-Z0-9])"
# After end punctuation, optionally closed by a quote or bracket (kept with its sentence).
_SENTENCE_END = re.compile(rf"(?<=[.!?…]){_NEXT}|(?<=[.!?…][\"'”’)]){_NEXT}|\n+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    "a an the and or but if of at by for with about against between into through during "
    "before after above below to from up down in out on off over under again further then "
    "once here there when where why how all any both each few more most other some such no "
    "nor not only own same so than too very can will just should now is are was were be been "
    "being have has had having do does did doing i me my we our you your he him his she her "
    "it its they them their what which who whom this that these those am s t says said".split()
)
REFUTING = frozenset(
    "fake fraud hoax false deny denies denied denial not despite nope doubt doubts bogus "
    "debunk debunks debunked pranks prank retract retracts retracted no never untrue "
    "incorrect misleading rumour rumor myth baseless".split()
)
HEDGING = frozenset(
    "reportedly allegedly alleged claim claims claimed claiming report reports reported "
    "according rumour rumor rumours rumors unconfirmed unverified purportedly supposedly "
    "appears appear apparently may might could possibly suggest suggests suggested "
    "speculation speculate believed".split()
)

FEATURES: tuple[str, ...] = (
    "cos_max",
    "cos_top3",
    "cos_mean",
    "cos_first",
    "cos_lede",
    "cos_centroid",
    "argmax_position",
    "share_above_05",
    "n_sentences",
    "word_jaccard",
    "target_words_in_body",
    "target_words_in_lede",
    "bigrams_in_body",
    "trigrams_in_body",
    "char4_overlap",
    "refuting_target",
    "refuting_body",
    "refuting_top3",
    "hedging_body",
    "hedging_top3",
    "negation_top1",
    "polarity_target",
    "polarity_body",
    "question_target",
)


def split_sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    parts = (p.strip() for p in _SENTENCE_END.split(text or ""))
    return [p for p in parts if len(p) > 1][:limit]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _content(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS]


def _ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _share(words_: list[str], lexicon: frozenset[str]) -> float:
    return sum(w in lexicon for w in words_) / max(len(words_), 1) * 100


@dataclass(frozen=True)
class Article:
    """One article prepared for stance, once for all its targets."""

    body: str
    sentences: list[str]
    sentence_vectors: np.ndarray  # (n, 384), L2-normalised
    lede_vector: np.ndarray | None  # (384,) the `embedding` field
    body_words: list[str]
    body_lower: str
    body_set: frozenset[str]
    lede_set: frozenset[str]
    body_bigrams: frozenset[tuple[str, ...]]
    body_trigrams: frozenset[tuple[str, ...]]
    refuting_body: float
    hedging_body: float
    polarity_body: float

    @classmethod
    def build(
        cls,
        body: str,
        sentences: list[str],
        sentence_vectors: np.ndarray,
        lede_vector: np.ndarray | None,
    ) -> Article:
        b_words = words(body)
        return cls(
            body=body,
            sentences=sentences,
            sentence_vectors=sentence_vectors,
            lede_vector=lede_vector,
            body_words=b_words,
            body_lower=body.lower(),
            body_set=frozenset(_content(b_words)),
            lede_set=frozenset(_content(words(body[:255]))),
            body_bigrams=frozenset(_ngrams(b_words, 2)),
            body_trigrams=frozenset(_ngrams(b_words, 3)),
            refuting_body=_share(b_words, REFUTING),
            hedging_body=_share(b_words, HEDGING),
            polarity_body=float(sum(w in REFUTING for w in b_words) % 2),
        )


def pair_features(target: str, target_vector: np.ndarray, article: Article) -> np.ndarray:
    sims = article.sentence_vectors @ target_vector if len(article.sentences) else np.zeros(1)
    n = len(article.sentences)
    order = np.argsort(-sims)
    top3 = [article.sentences[i] for i in order[:3]] if n else []
    centroid = article.sentence_vectors.mean(axis=0) if n else np.zeros_like(target_vector)
    centroid_norm = np.linalg.norm(centroid)
    lede = article.lede_vector

    t_words = words(target)
    t_content = _content(t_words)
    b_set = article.body_set
    lede_set = article.lede_set
    top_words = words(" ".join(top3))
    first_top = words(top3[0]) if top3 else []
    t_chars = {target.lower()[i : i + 4] for i in range(max(len(target) - 3, 0))}
    body_lower = article.body_lower

    values = (
        float(sims.max()),
        float(np.sort(sims)[-3:].mean()),
        float(sims.mean()),
        float(sims[0]),
        float(lede @ target_vector) if lede is not None else float(sims[0]),
        float(centroid @ target_vector / centroid_norm) if centroid_norm > 0 else 0.0,
        float(order[0] / max(n, 1)),
        float((sims > 0.5).mean()),
        float(n),
        len(set(t_content) & b_set) / max(len(set(t_content) | b_set), 1),
        sum(w in b_set for w in t_content) / max(len(t_content), 1),
        sum(w in lede_set for w in t_content) / max(len(t_content), 1),
        len(_ngrams(t_words, 2) & article.body_bigrams) / max(len(t_words) - 1, 1),
        len(_ngrams(t_words, 3) & article.body_trigrams) / max(len(t_words) - 2, 1),
        sum(g in body_lower for g in t_chars) / max(len(t_chars), 1),
        float(sum(w in REFUTING for w in t_words)),
        article.refuting_body,
        _share(top_words, REFUTING),
        article.hedging_body,
        _share(top_words, HEDGING),
        float(sum(w in REFUTING for w in first_top)),
        float(sum(w in REFUTING for w in t_words) % 2),
        article.polarity_body,
        float("?" in target),
    )
    return np.asarray(values, dtype=np.float32)


def best_sentence_product(target_vector: np.ndarray, article: Article) -> np.ndarray:
    """target ⊙ closest sentence, (384,); zeros for an article without sentences."""
    if not len(article.sentences):
        return np.zeros_like(target_vector)
    best = int(np.argmax(article.sentence_vectors @ target_vector))
    return target_vector * article.sentence_vectors[best]
