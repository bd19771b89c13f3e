"""Train the short-target stance head (`stance.short.minilm.v1`) and cross-validate it.

Data (read from the shared folder, never copied into the repository):

* SemEval-2016 task 6 `train.tsv`: tweets towards 5 targets, FAVOR / AGAINST / NONE
  (NONE -> neutral; the dataset's `#SemST` tag is dropped);
* NewsMTSC `devtest_mt.jsonl`: sentiment towards a named person in a news sentence,
  positive -> favor, negative -> against, neutral -> neutral. Not `train.jsonl`: the
  entity-sentiment model whose readings are features was fine-tuned on it, so its
  readings there are too good, and a head trained on them would trust them too much;
* FNC-1 unrelated pairs: a name taken from a headline (its longest run of capitalised
  words) with a body FNC-1 marks unrelated to that headline and that never names it ->
  unrelated.

Protocol (docs/quality.md, "Short targets"): 5-fold cross-validation on SemEval grouped
by target (train on 4 targets + the news data, test on the 5th) and, for comparison,
5-fold stratified by target and label. Score: the mean of the F1 of favor and of against
(neutral and unrelated both count as "none"), per target and pooled.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.enrich.embedding import LEDE_TOKENS, article_text
from pipeline.enrich.short_stance import LABELS, NAME, ShortStanceHead, pair_designs
from pipeline.enrich.short_stance_features import GROUPS, SCALARS, find_mentions
from pipeline.enrich.stance_features import SENTENCE_TOKENS, TARGET_TOKENS, Article, split_sentences
from pipeline.eval.short_stance import f_avg
from pipeline.training.data import read_jsonl, shared_data

BACKEND = "onnx-int8"
"""The serving encoder's vectors, as the topic model's: the head learns what it is given."""
SEMEVAL = {"FAVOR": "favor", "AGAINST": "against", "NONE": "neutral"}
NEWSMTSC = {2.0: "against", 4.0: "neutral", 6.0: "favor"}
FNC_UNRELATED = 1500
FNC_BODIES = 500
HEAD_GROUPS: tuple[str, ...] = ("scalars",)
"""Chosen on the target-grouped cross-validation, the estimate for a target nobody trained
on: the scalars alone pool 0.445 there, with the target ⊙ sentence product 0.317 and with
the closest sentence's vector as well 0.319 (the vectors learn the 4 training targets:
within-target they reach 0.63). docs/quality.md lists every setting tried."""
C = 0.05
"""Inverse L2 strength of the logistic regression; 0.05 and 1.0 tried (grouped CV, pooled
0.445 and 0.441)."""
CLASS_WEIGHT = "balanced"
_CAPITALISED = re.compile(r"(?:[A-Z][\w'’.-]*(?:\s+|$)){1,4}")
_SEMST = re.compile(r"\s*#SemST\b")


@dataclass(frozen=True)
class Pair:
    target: str
    body: str
    label: str
    group: str  # "semeval:<target>", "newsmtsc" or "fnc1"


def semeval_pairs(path=None) -> list[Pair]:
    path = path or shared_data() / "semeval2016_stance" / "train.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Pair(
            r["Target"],
            _SEMST.sub("", r["Tweet"]).strip(),
            SEMEVAL[r["Stance"]],
            f"semeval:{r['Target']}",
        )
        for r in rows
    ]


def newsmtsc_pairs(path=None) -> list[Pair]:
    path = path or shared_data() / "newsmtsc" / "devtest_mt.jsonl"
    out = []
    for row in read_jsonl(path):
        for target in row["targets"]:
            mention = target["mention"].strip()
            if (
                mention[:1].isupper()
                and len(mention) > 2
                and mention.lower() not in {"she", "her", "his", "him", "they", "their"}
            ):
                out.append(
                    Pair(
                        mention,
                        row["sentence_normalized"],
                        NEWSMTSC[target["polarity"]],
                        "newsmtsc",
                    )
                )
    return out


def headline_name(headline: str) -> str | None:
    """The longest run of capitalised words after the headline's first word."""
    words = headline.split(maxsplit=1)
    runs = [m.group().strip() for m in _CAPITALISED.finditer(words[1] if len(words) > 1 else "")]
    runs = [r for r in runs if len(r) > 3 and not r.isupper()]
    return max(runs, key=len) if runs else None


def fnc1_unrelated_pairs(seed: int) -> list[Pair]:
    from pipeline.training.data import fnc1_bodies, fnc1_stances

    folder = shared_data() / "fnc1"
    bodies = fnc1_bodies(folder)
    rng = np.random.default_rng(seed)
    keep = set(
        rng.choice(sorted(bodies), size=min(FNC_BODIES, len(bodies)), replace=False).tolist()
    )
    candidates = []
    for headline, body_id, stance in fnc1_stances(folder):
        name = headline_name(headline)
        unrelated = stance == "unrelated" and body_id in keep and name
        if unrelated and not find_mentions(name, bodies[body_id]).spans:
            candidates.append(Pair(name, bodies[body_id], "unrelated", "fnc1"))
    picked = rng.choice(len(candidates), size=min(FNC_UNRELATED, len(candidates)), replace=False)
    return [candidates[i] for i in sorted(picked)]


def all_pairs(seed: int) -> list[Pair]:
    return semeval_pairs() + newsmtsc_pairs() + fnc1_unrelated_pairs(seed)


def featurize(pairs: Sequence[Pair], encoder: Any, readings: Any) -> np.ndarray:
    """The design matrix with every group in `GROUPS` (a head keeps some of them)."""
    bodies = sorted({p.body for p in pairs})
    sentences = [split_sentences(b) for b in bodies]
    flat = [s for group in sentences for s in group]
    vectors = encoder.encode(flat, SENTENCE_TOKENS)
    ledes = encoder.encode([article_text({"headline": "", "body": b}) for b in bodies], LEDE_TOKENS)
    articles, start = {}, 0
    for body, group, lede in zip(bodies, sentences, ledes, strict=True):
        articles[body] = Article.build(body, group, vectors[start : start + len(group)], lede)
        start += len(group)
    targets = sorted({p.target for p in pairs})
    target_vec = dict(zip(targets, encoder.encode(targets, TARGET_TOKENS), strict=True))
    return pair_designs(
        [(p.target, target_vec[p.target], articles[p.body]) for p in pairs], readings, GROUPS
    )


def columns(groups: Sequence[str]) -> np.ndarray:
    """Indices of `groups` in a design matrix built with all of `GROUPS`."""
    sizes = {"scalars": len(SCALARS), "product": 384, "closest": 384}
    out, at = [], 0
    for g in GROUPS:
        if g in groups:
            out += list(range(at, at + sizes[g]))
        at += sizes[g]
    return np.array(out)


def fit(
    x: np.ndarray, y: Sequence[str], groups: Sequence[str], c: float, seed: int
) -> ShortStanceHead:
    from sklearn.linear_model import LogisticRegression

    cols = columns(groups)
    xs = x[:, cols].astype(np.float64)
    mean, scale = xs.mean(axis=0), xs.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=2000, random_state=seed)
    model.fit((xs - mean) / scale, [LABELS.index(v) for v in y])
    weights = np.zeros((len(LABELS), len(cols)))
    bias = np.zeros(len(LABELS))
    for row, cls in enumerate(model.classes_):
        weights[cls], bias[cls] = model.coef_[row], model.intercept_[row]
    return ShortStanceHead(
        LABELS,
        tuple(g for g in GROUPS if g in groups),
        *(a.astype(np.float32) for a in (mean, scale, weights, bias)),
    )


def cross_validate(
    pairs: Sequence[Pair], x: np.ndarray, groups: Sequence[str], c: float, seed: int
) -> dict[str, Any]:
    """Grouped by SemEval target (each fold holds out one target) and stratified within."""
    from sklearn.model_selection import StratifiedKFold

    semeval = np.array([p.group.startswith("semeval:") for p in pairs])
    target = np.array([p.group for p in pairs])
    labels = np.array([p.label for p in pairs])
    results: dict[str, Any] = {}
    for scheme in ("grouped_by_target", "stratified_within_target"):
        predicted = np.array([""] * len(pairs), dtype=object)
        if scheme == "grouped_by_target":
            folds = [target == t for t in sorted(set(target[semeval]))]
        else:
            strata = np.char.add(target.astype(str), labels.astype(str))
            split = StratifiedKFold(5, shuffle=True, random_state=seed)
            idx = np.flatnonzero(semeval)
            folds = []
            for _, test in split.split(idx, strata[idx]):
                mask = np.zeros(len(pairs), bool)
                mask[idx[test]] = True
                folds.append(mask)
        for test in folds:
            head = fit(x[~test], labels[~test], groups, c, seed)
            predicted[test] = [label for label, _ in head.predict(x[test][:, columns(groups)])]
        per_target = {
            t.split(":", 1)[1]: f_avg(labels[target == t], predicted[target == t])
            for t in sorted(set(target[semeval]))
        }
        results[scheme] = {
            "per_target": per_target,
            "macro_f_avg": round(float(np.mean([v["f_avg"] for v in per_target.values()])), 4),
            "pooled": f_avg(labels[semeval], predicted[semeval]),
        }
    return results


def majority_baseline(pairs: Sequence[Pair]) -> dict[str, Any]:
    """Each target's majority label (an oracle: it knows the held-out target's prior)."""
    from collections import Counter

    semeval = [p for p in pairs if p.group.startswith("semeval:")]
    major = {
        t: Counter(p.label for p in semeval if p.group == t).most_common(1)[0][0]
        for t in {p.group for p in semeval}
    }
    per = {
        t.split(":", 1)[1]: f_avg(
            [p.label for p in semeval if p.group == t],
            [major[t]] * sum(p.group == t for p in semeval),
        )
        for t in sorted(major)
    }
    return {
        "per_target": per,
        "macro_f_avg": round(float(np.mean([v["f_avg"] for v in per.values()])), 4),
        "pooled": f_avg([p.label for p in semeval], [major[p.group] for p in semeval]),
    }


def fingerprint(pairs: Sequence[Pair]) -> str:
    digest = hashlib.sha256()
    for p in pairs:
        digest.update(f"{p.target}\0{p.label}\0{p.group}\0{p.body}\1".encode())
    return digest.hexdigest()[:16]


def train_short_stance_head(
    encoder: Any, seed: int, sentiment_threads: int = 1
) -> tuple[dict, dict[str, Any]]:
    """The shipped head (all the data) and its cross-validation, for `scripts/train_heads.py`."""
    from collections import Counter

    from pipeline.enrich.entity_sentiment import NAME as SENTIMENT
    from pipeline.enrich.entity_sentiment import SentimentModel

    pairs = all_pairs(seed)
    readings = SentimentModel(threads=sentiment_threads).probabilities
    x = featurize(pairs, encoder, readings)
    cv = cross_validate(pairs, x, HEAD_GROUPS, C, seed)
    head = fit(x, [p.label for p in pairs], HEAD_GROUPS, C, seed)
    meta = {
        "name": NAME,
        "labels": list(LABELS),
        "groups": list(head.groups),
        "scalars": list(SCALARS),
        "seed": seed,
        "logistic_regression": {"C": C, "class_weight": CLASS_WEIGHT, "penalty": "l2"},
        "encoder_backend": getattr(encoder, "backend", "onnx-int8"),
        "reads": SENTIMENT,
        "training_data": {
            "pairs": dict(sorted(Counter(p.group for p in pairs).items())),
            "labels": dict(sorted(Counter(p.label for p in pairs).items())),
            "fingerprint": fingerprint(pairs),
        },
        "metrics": {"cross_validation": cv, "majority_per_target": majority_baseline(pairs)},
    }
    return head.to_arrays(), meta
