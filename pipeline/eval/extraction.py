"""`wirestream eval extract`: the article-extraction benchmark's own metric, re-implemented.

The metric is that of Zyte's article-extraction-benchmark (its `evaluate.py`): text is split
into `\\w+` tokens, each body becomes 4-token shingles (a text shorter than 4 tokens is one
shingle), and per page TP/FP/FN count shingles with multiplicity, normalised to sum 1 so a long
page weighs no more than a short one. Precision and recall are averaged over the pages where
they are defined (TP+FP > 0, TP+FN > 0) and F1 is taken of the two averages, not averaged per
page. Re-implemented rather than imported so the number printed here is comparable with the
published ones without depending on the benchmark's repository.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
SHINGLE = 4

Counts = tuple[float, float, float]


def shingles(text: str, n: int = SHINGLE) -> Counter:
    tokens = TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def page_counts(true: str, predicted: str) -> Counts:
    """TP, FP, FN of one page's shingles, normalised to sum 1 (all 0 when both are empty)."""
    gold, pred = shingles(true), shingles(predicted)
    tp = fp = fn = 0.0
    for key in gold.keys() | pred.keys():
        g, p = gold.get(key, 0), pred.get(key, 0)
        tp += min(g, p)
        fp += max(0, p - g)
        fn += max(0, g - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(counts: list[Counts]) -> dict[str, float]:
    """Precision and recall averaged over pages, F1 of the two averages."""
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1}


def evaluate(gold: Mapping[str, str], predicted: Mapping[str, str]) -> dict[str, float]:
    """The benchmark's score of `predicted` bodies against `gold` bodies (same ids)."""
    counts = [page_counts(gold[key], predicted.get(key, "")) for key in gold]
    return {**score(counts), "n": len(counts)}


def read_pages(data: Path) -> Iterator[tuple[str, bytes]]:
    """(id, HTML bytes) of `DATA/html/<id>.html.gz` or `<id>.html`, sorted by id."""
    folder = data / "html"
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".html.gz"):
            yield path.name[: -len(".html.gz")], gzip.decompress(path.read_bytes())
        elif path.name.endswith((".html", ".htm")):
            yield path.stem, path.read_bytes()


def read_gold(data: Path) -> dict[str, str] | None:
    """`{id: articleBody}` from `DATA/ground-truth.json`, or None when there is none."""
    path = data / "ground-truth.json"
    if not path.exists():
        return None
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {key: (row or {}).get("articleBody") or "" for key, row in rows.items()}


def extract_pages(data: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({id: body} of every page, {id: reason} of the pages that gave no body).

    The connectors' own extractor, so the score is that of the ingest path; a refused page
    scores as an empty body.
    """
    from connectors.html_article import ExtractionError, extract_article

    bodies: dict[str, str] = {}
    refused: dict[str, str] = {}
    for key, html in read_pages(data):
        try:
            bodies[key] = extract_article(html).body
        except ExtractionError as exc:
            bodies[key] = ""
            refused[key] = str(exc)
    return bodies, refused
