"""The reported-speech candidate scorer (`quotes.scorer.v1`), trained on PolNeAR train.

Rows are the candidates serving scores (`indirect.scored_candidates`, behind the same
direct-quote rules). A row is positive when its content matches an annotated indirect
or mixed Content by the scorer's rule (each covers half of the other), whatever token
the annotator marked as its Cue (`quote_cues.is_attribution(..., any_cue=True)`): the
table's own labels, which require the Cue on the candidate's token, gave 0.02 less dev
recall at precision 0.80.

The table's rates are features, and the table is counted on train too: a rate counted
on the candidate's own article would tell the model its label. So the rows of each of
`FOLDS` folds (articles by index) get the rates of a table counted on the other folds
(cross-fitting); serving then reads the table counted on all of train. The regression
is scikit-learn's L2 logistic regression on standardised features (deterministic with
lbfgs); the standardisation is folded into the shipped weights, so serving sums weights
(`scorer.Scorer.key_logit` and the like) and never standardises.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc

from pipeline.enrich.quotes.extract import direct_quotes
from pipeline.enrich.quotes.filters import looks_like_headline
from pipeline.enrich.quotes.indirect import MIN_OUTSIDE_WORDS, scored_candidates
from pipeline.enrich.quotes.scorer import FEATURES, SCORER, feature_vector
from pipeline.eval.matching import tokens
from pipeline.eval.polnear import Article
from pipeline.training.quote_cues import count_article, gold_with_cues, is_attribution, table

FOLDS = 5
FLOOR = 0.3
"""Table rate below which serving never scores a candidate: lower floors add CPU and
no recall at precision 0.80 on dev (0.2: the same; 0.4: -0.02)."""
THRESHOLD = 0.59
"""Serving probability threshold: the lowest with precision >= 0.80 on dev."""
C = 1.0
SEED = 0
"""lbfgs draws nothing at random; the seed is pinned so that stays true if the solver changes."""
_WORD = re.compile(r"\w+")


def _line_is_headline(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return looks_like_headline(text[start : end if end >= 0 else len(text)])


def article_rows(
    article: Article, doc: Doc, scores: dict[str, float], floor: float | None = None
) -> tuple[list[list[float]], list[int]]:
    """(features, labels) of the candidates serving would score in one article."""
    floor = FLOOR if floor is None else floor
    text = article.text
    gold = gold_with_cues(article)
    direct = sorted(direct_quotes(text, doc), key=lambda q: q["start"])
    spans = [(q["start"], q["end"]) for q in direct]
    xs, ys = [], []
    for cand, first, last, specific, general, cue_part, content in scored_candidates(
        doc, spans, scores, floor
    ):
        at = cand.cue.idx
        if any(s <= at < e for s, e in spans) or _line_is_headline(text, at):
            continue  # serving leaves these to the direct-quote rules
        start, end = doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
        outside = sum(
            1
            for m in _WORD.finditer(text, start, end)
            if not any(s <= m.start() < e for s, e in spans)
        )
        if outside < MIN_OUTSIDE_WORDS:
            continue
        xs.append(feature_vector(cand.shape, specific, general, cue_part, content))
        ys.append(int(is_attribution(tokens(text, (start, end)), at, gold, any_cue=True)))
    return xs, ys


def cross_fitted_rows(
    articles: Sequence[Article], docs: Sequence[Doc]
) -> tuple[np.ndarray, np.ndarray]:
    """Every train candidate's features with table rates counted on the other folds."""
    counts = [count_article(a, d) for a, d in zip(articles, docs, strict=True)]
    xs: list[list[float]] = []
    ys: list[int] = []
    for fold in range(FOLDS):
        positives: Counter = Counter()
        totals: Counter = Counter()
        for i, (pos, tot) in enumerate(counts):
            if i % FOLDS != fold:
                positives.update(pos)
                totals.update(tot)
        scores = table(positives, totals, 0.0)["scores"]
        for i in range(fold, len(articles), FOLDS):
            x, y = article_rows(articles[i], docs[i], scores)
            xs.extend(x)
            ys.extend(y)
    return np.array(xs, dtype=np.float64), np.array(ys, dtype=np.int64)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[list[float], float]:
    """L2 logistic regression on standardised features, weights mapped back to raw ones."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000, solver="lbfgs", random_state=SEED)
    model.fit((x - mean) / scale, y)
    weights = model.coef_[0] / scale
    bias = float(model.intercept_[0] - (weights * mean).sum())
    return [round(float(w), 6) for w in weights], round(bias, 6)


def scorer_meta(
    weights: list[float],
    bias: float,
    threshold: float,
    rows: int,
    positives: int,
    floor: float = FLOOR,
) -> dict[str, Any]:
    return {
        "name": SCORER,
        "features": list(FEATURES),
        "weights": weights,
        "bias": bias,
        "threshold": threshold,
        "floor": floor,
        "folds": FOLDS,
        "C": C,
        "training_rows": rows,
        "training_positives": positives,
        "training_data": "PolNeAR v1.0.0 train (840 articles), first annotator file each",
    }


def write(meta: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
