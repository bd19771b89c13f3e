"""The topic data, split and scores, and v2's head as the baseline `topic.minilm.v3` beats.

v2 (`topic.minilm.v2`, shipped until v3) was a logistic-regression head over the frozen
article embedding; `train_topic_head` still builds it, for comparison on the same split
(`scripts/train_heads.py --only topic-baseline`). The shipped model is the fine-tune in
`topic_finetune.py`, which uses the data, split, calibration and scores below.

Data: the 5,854 silver-labelled non-BBC articles (`topic_labels.jsonl`, texts read from the
shared data by id) and BBC News (its five classes mapped to IPTC codes). v2's design, chosen
by grouped cross-validation on the training part only (docs/quality.md):

* one-vs-rest logistic regressions over the centred article embedding, one per code,
  positives = the article's primary code and its `also` codes;
* per code, a Platt calibration of its logit on out-of-fold predictions, folded into the
  weights, so the served score is a calibrated probability that the code applies;
* per code, an emit threshold: the lowest score at which the out-of-fold precision of the
  code reaches TARGET_PRECISION (a margin over the 0.80 that `--topic` promises).

Held out, never trained on: the check set (pinned in CHECK_IDS_FILE: CHECK_SHARE of the
first 3,325 silver items, stratified by primary code; FNC-1 bodies split by story,
near-duplicates kept together; later items of a check item's group set aside) and BBC's
held-out 20 %. Reproducible: a fixed seed everywhere, deterministic solvers.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from pipeline.enrich.embedding import LEDE_TOKENS
from pipeline.enrich.iptc import BBC_TO_IPTC, CODES
from pipeline.training.cache import CachedEncoder
from pipeline.training.data import read_jsonl, shared_data
from pipeline.training.topic_labels import (
    Labelled,
    articles,
    fnc1_stories,
    load_labels,
    news,
    onehot,
    serving_texts,
)

BACKEND = "onnx-int8"
"""The serving encoder: the head learns the vectors it will be given."""
C = 2.0
BBC_WEIGHT = 0.5
"""Sample weight of a BBC article against a silver-labelled one (1)."""
HELDOUT = 0.2
CHECK_SHARE = 0.16
MAX_CHECK_GROUP = 8
"""Larger groups (FNC-1 stories told by many bodies) stay in training: one story must not
fill the check set."""
NEAR_DUPLICATE = 0.92
"""Cosine of two article embeddings above which they count as one story."""
FOLDS = 5
TARGET_PRECISION = 0.85
MIN_SUPPORT = 5
"""A threshold needs at least this many out-of-fold articles above it."""


def bbc_split(rows: list[dict], seed: int) -> tuple[np.ndarray, np.ndarray]:
    labels = [r["label"] for r in rows]
    return train_test_split(
        np.arange(len(rows)), test_size=HELDOUT, stratify=labels, random_state=seed
    )


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def story_groups(items: list[Labelled], x: np.ndarray, stories: dict[str, int]) -> np.ndarray:
    """A group number per item: FNC-1 bodies of one story, and near-duplicates, together."""
    groups = _Groups(len(items))
    first: dict[int, int] = {}
    for i, item in enumerate(items):
        if item.id in stories:
            story = stories[item.id]
            groups.join(i, first.setdefault(story, i))
    unit = x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)
    for start in range(0, len(items), 512):
        sims = unit[start : start + 512] @ unit.T
        for a, b in zip(*np.nonzero(sims >= NEAR_DUPLICATE), strict=True):
            if start + a != b:
                groups.join(int(start + a), int(b))
    return np.array([groups.find(i) for i in range(len(items))])


CHECK_IDS_FILE = Path(__file__).with_name("topic_check_ids.txt")
"""The check set, pinned: drawn once (seed 2026) from the first 3,325 labels by
`draw_check_split` and kept when more labels came, so that numbers stay comparable."""


def draw_check_split(items: list[Labelled], groups: np.ndarray, seed: int) -> np.ndarray:
    """A boolean mask of the check set: whole groups, about CHECK_SHARE of each primary code."""
    rng = np.random.default_rng(seed)
    members = collections.defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    per_code = collections.Counter(x.primary for x in items)
    target = {c: max(1, round(CHECK_SHARE * n)) for c, n in per_code.items()}
    taken: collections.Counter = collections.Counter()
    mask = np.zeros(len(items), dtype=bool)
    order = sorted(members)
    rng.shuffle(order)
    # rarest codes first, so that small groups of rare codes are not crowded out
    order.sort(key=lambda g: min(per_code[items[i].primary] for i in members[g]))
    for g in order:
        idx = members[g]
        if len(idx) > MAX_CHECK_GROUP:
            continue
        need = collections.Counter(items[i].primary for i in idx)
        if all(taken[c] + k <= target[c] for c, k in need.items()):
            mask[idx] = True
            taken.update(need)
    return mask


def check_split(
    items: list[Labelled], groups: np.ndarray, pinned: set[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(check mask, excluded mask): the pinned check ids, and the later-labelled items that
    share a group (an FNC-1 story, a near-duplicate) with one of them. Those are neither
    checked (the check set stays as drawn) nor trained on (that would leak the story)."""
    if pinned is None:
        pinned = set(CHECK_IDS_FILE.read_text(encoding="utf-8").split())
    check = np.array([x.id in pinned for x in items])
    check_groups = set(groups[check].tolist())
    excluded = np.array([g in check_groups for g in groups.tolist()]) & ~check
    return check, excluded


def grouped_folds(groups: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """k folds of item indices, whole groups in one fold."""
    rng = np.random.default_rng(seed)
    unique = np.unique(groups)
    rng.shuffle(unique)
    fold_of = {g: i % k for i, g in enumerate(unique)}
    which = np.array([fold_of[g] for g in groups])
    return [np.nonzero(which == f)[0] for f in range(k)]


@dataclass
class Fitted:
    mean: np.ndarray
    weight: np.ndarray  # (17, 384)
    bias: np.ndarray  # (17,)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) @ self.weight.T + self.bias


def fit_ovr(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, seed: int, c: float = C, mean=None
) -> Fitted:
    """One logistic regression per code on (x, multi-label y), sample weights w."""
    mean = x.mean(axis=0) if mean is None else mean
    xc = x - mean
    weight = np.zeros((y.shape[1], x.shape[1]), dtype=np.float64)
    bias = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        model = LogisticRegression(C=c, max_iter=3000, random_state=seed)
        model.fit(xc, y[:, j], sample_weight=w)
        weight[j], bias[j] = model.coef_[0], model.intercept_[0]
    return Fitted(mean, weight, bias)


def platt(logits: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per code (a, b) so that sigmoid(a * logit + b) is calibrated on these out-of-fold logits."""
    a = np.ones(y.shape[1])
    b = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        model = LogisticRegression(C=100.0, random_state=seed)
        model.fit(logits[:, j : j + 1], y[:, j])
        a[j], b[j] = model.coef_[0, 0], model.intercept_[0]
    return a, b


def thresholds(probs: np.ndarray, y: np.ndarray, target: float = TARGET_PRECISION) -> np.ndarray:
    """Per code, the lowest score at which the out-of-fold precision of "score >= it"
    still reaches `target`, with at least MIN_SUPPORT articles above it; 1.0
    (emitted only as an article's top code) when no score does."""
    out = np.ones(probs.shape[1])
    for j in range(probs.shape[1]):
        order = np.argsort(-probs[:, j], kind="stable")
        ranked = probs[order, j]
        precision = np.cumsum(y[order, j]) / np.arange(1, len(order) + 1)
        # a cut between k and k + 1 only where the score drops (ties stay together)
        cut = np.append(ranked[:-1] > ranked[1:], True)
        ok = np.nonzero(cut & (precision >= target))[0]
        ok = ok[ok >= MIN_SUPPORT - 1]
        if len(ok):
            out[j] = float(ranked[ok[-1]])
    return out


def emitted(probs: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """(n, 17) boolean: codes at or above their threshold, and always the top code."""
    out = probs >= limits[None]
    out[np.arange(len(probs)), probs.argmax(axis=1)] = True
    return out


def top_code_f1(gold: np.ndarray, top: np.ndarray) -> dict[int, float]:
    """Per code the gold labels use (sorted), the F1 of the top code against the gold code."""
    out = {}
    for c in sorted(set(gold.tolist())):
        tp = int(((top == c) & (gold == c)).sum())
        fp = int(((top == c) & (gold != c)).sum())
        fn = int(((top != c) & (gold == c)).sum())
        out[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def scores(primary: np.ndarray, multi: np.ndarray, probs: np.ndarray, limits) -> dict:
    """Top-1 / top-2 against the primary code, macro-F1 of the top code over the codes the
    gold labels use, per-code precision of the emitted codes against primary + also."""
    order = np.argsort(-probs, axis=1, kind="stable")
    top = order[:, 0]
    f1 = {CODES[c]: round(v, 4) for c, v in top_code_f1(primary, top).items()}
    emit = emitted(probs, limits)
    above = probs >= limits[None]
    precision, precision_all = {}, {}
    for c in range(len(CODES)):
        if above[:, c].any():
            precision[CODES[c]] = round(float(multi[above[:, c], c].mean()), 4)
        if emit[:, c].any():
            precision_all[CODES[c]] = round(float(multi[emit[:, c], c].mean()), 4)
    return {
        "n": len(primary),
        "top1": round(float((top == primary).mean()), 4),
        "top2": round(float((order[:, :2] == primary[:, None]).any(axis=1).mean()), 4),
        "macro_f1": round(float(np.mean(list(f1.values()))), 4),
        "f1": f1,
        "precision_at_threshold": precision,
        "precision_emitted": precision_all,
        "emitted_per_article": round(float(emit.sum(axis=1).mean()), 3),
        "primary_emitted": round(float(emit[np.arange(len(primary)), primary].mean()), 4),
    }


def confusion(primary: np.ndarray, top: np.ndarray) -> list[list[int]]:
    table = np.zeros((len(CODES), len(CODES)), dtype=int)
    for g, p in zip(primary, top, strict=True):
        table[g, p] += 1
    return table.tolist()


@dataclass
class Data:
    items: list[Labelled]
    x: np.ndarray  # silver articles
    primary: np.ndarray
    multi: np.ndarray
    groups: np.ndarray
    check: np.ndarray  # mask over items
    excluded: np.ndarray  # mask over items: in a check item's group, never trained on
    bbc_rows: list[dict]
    bx: np.ndarray
    by: np.ndarray  # BBC code index
    bbc_train: np.ndarray
    bbc_heldout: np.ndarray
    n_not_news: int


def load_data(encoder: CachedEncoder, seed: int, data: Path | None = None) -> Data:
    data = data or shared_data()
    labels = load_labels()
    texts = articles(data, [x.id for x in labels])
    # every labelled text in file order: one cached array
    x_all = encoder.encode(serving_texts([texts[x.id] for x in labels]), LEDE_TOKENS)
    keep = [i for i, x in enumerate(labels) if x.flag != "not_news"]
    items = news(labels)
    x = x_all[keep]
    primary, multi = onehot(items)
    groups = story_groups(items, x, fnc1_stories(data))
    check, excluded = check_split(items, groups)
    rows = list(read_jsonl(data / "bbc_news" / "train.jsonl"))
    bx = encoder.encode(
        serving_texts([{"headline": r["title"], "body": r["text"]} for r in rows]), LEDE_TOKENS
    )
    by = np.array([CODES.index(BBC_TO_IPTC[r["label"]]) for r in rows])
    tr, te = bbc_split(rows, seed)
    return Data(
        items,
        x,
        primary,
        multi,
        groups,
        check,
        excluded,
        rows,
        bx,
        by,
        tr,
        te,
        len(labels) - len(items),
    )


def training_set(d: Data, silver: np.ndarray, bbc: np.ndarray, bbc_weight: float = BBC_WEIGHT):
    """(x, multi-label y, weights) of silver items `silver` and BBC rows `bbc`."""
    ybbc = np.zeros((len(bbc), len(CODES)), dtype=np.int8)
    ybbc[np.arange(len(bbc)), d.by[bbc]] = 1
    x = np.concatenate([d.x[silver], d.bx[bbc]])
    y = np.concatenate([d.multi[silver], ybbc])
    w = np.concatenate([np.ones(len(silver)), np.full(len(bbc), bbc_weight)])
    return x, y, w


def out_of_fold(d: Data, seed: int, c: float = C, bbc_weight: float = BBC_WEIGHT):
    """Out-of-fold logits of the silver training items and of BBC's training rows."""
    train = np.nonzero(~d.check & ~d.excluded)[0]
    folds = grouped_folds(d.groups[train], FOLDS, seed)
    bbc_folds = np.array_split(np.random.default_rng(seed).permutation(d.bbc_train), FOLDS)
    silver_logits = np.zeros((len(train), len(CODES)))
    bbc_logits = np.zeros((len(d.bbc_train), len(CODES)))
    where = {r: i for i, r in enumerate(d.bbc_train)}
    for f in range(FOLDS):
        fit_s = np.setdiff1d(np.arange(len(train)), folds[f])
        fit_b = np.concatenate([bbc_folds[g] for g in range(FOLDS) if g != f])
        x, y, w = training_set(d, train[fit_s], fit_b, bbc_weight)
        model = fit_ovr(x, y, w, seed, c)
        silver_logits[folds[f]] = model.logits(d.x[train[folds[f]]])
        bbc_logits[[where[r] for r in bbc_folds[f]]] = model.logits(d.bx[bbc_folds[f]])
    return train, silver_logits, bbc_logits


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def bbc_macro_f1(gold: np.ndarray, probs: np.ndarray) -> float:
    """Over BBC's five codes; a top code outside them counts as a miss."""
    return float(np.mean(list(top_code_f1(gold, probs.argmax(axis=1)).values())))


BASELINE_NAME = "topic.minilm.v2"


@dataclass
class _BaselineHead:
    article_mean: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    thresholds: np.ndarray

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid((x - self.article_mean) @ self.weight.T + self.bias)


def train_topic_head(encoder: CachedEncoder, seed: int) -> tuple[dict, dict[str, Any]]:
    d = load_data(encoder, seed)
    train, oof, bbc_oof = out_of_fold(d, seed)
    # calibration on the out-of-fold logits of silver + BBC training items
    cal_logits = np.concatenate([oof, bbc_oof])
    ybbc = np.zeros((len(d.bbc_train), len(CODES)), dtype=np.int8)
    ybbc[np.arange(len(d.bbc_train)), d.by[d.bbc_train]] = 1
    a, b = platt(cal_logits, np.concatenate([d.multi[train], ybbc]), seed)
    oof_probs = _sigmoid(oof * a + b)
    # thresholds on the silver out-of-fold scores only: the articles `--topic` must serve
    limits = thresholds(oof_probs, d.multi[train])
    x, y, w = training_set(d, train, d.bbc_train)
    model = fit_ovr(x, y, w, seed)
    head = _BaselineHead(
        article_mean=model.mean.astype(np.float32),
        weight=(model.weight * a[:, None]).astype(np.float32),
        bias=(model.bias * a + b).astype(np.float32),
        thresholds=limits.astype(np.float32),
    )
    check = np.nonzero(d.check)[0]
    check_probs = head.probabilities(d.x[check])
    bbc_probs = head.probabilities(d.bx[d.bbc_heldout])
    metrics = {
        "not_news_dropped": d.n_not_news,
        "train_cv": scores(d.primary[train], d.multi[train], oof_probs, limits),
        "bbc_train_cv_macro_f1": round(bbc_macro_f1(d.by[d.bbc_train], bbc_oof), 4),
        "check": scores(d.primary[check], d.multi[check], check_probs, limits),
        "check_confusion": confusion(d.primary[check], check_probs.argmax(axis=1)),
        "bbc_heldout_n": len(d.bbc_heldout),
        "bbc_heldout_macro_f1": round(bbc_macro_f1(d.by[d.bbc_heldout], bbc_probs), 4),
        "bbc_heldout_accuracy": round(
            float((bbc_probs.argmax(axis=1) == d.by[d.bbc_heldout]).mean()), 4
        ),
    }
    counts = collections.Counter(x.source for x in d.items)
    check_counts = collections.Counter(d.items[i].source for i in check)
    arrays = {
        "article_mean": head.article_mean,
        "weight": head.weight,
        "bias": head.bias,
        "thresholds": head.thresholds,
    }
    meta = {
        "name": BASELINE_NAME,
        "codes": list(CODES),
        "seed": seed,
        "encoder_backend": BACKEND,
        "design": {
            "C": C,
            "bbc_weight": BBC_WEIGHT,
            "folds": FOLDS,
            "target_precision": TARGET_PRECISION,
            "min_support": MIN_SUPPORT,
            "check_share": CHECK_SHARE,
            "near_duplicate_cosine": NEAR_DUPLICATE,
        },
        "thresholds": {c: round(float(t), 4) for c, t in zip(CODES, limits, strict=True)},
        "training_data": {
            "silver": f"{len(train)} labelled non-BBC articles ({dict(counts)} before the check split)",
            "bbc_news": f"train.jsonl, stratified {1 - HELDOUT:.0%} (seed {seed}): "
            f"{len(d.bbc_train)} articles, weight {BBC_WEIGHT}",
        },
        "check_ids": sorted(d.items[i].id for i in check),
        "check_sources": dict(check_counts),
        "heldout_ids": sorted(d.bbc_rows[i]["id"] for i in d.bbc_heldout),
        "metrics": metrics,
    }
    return arrays, meta
