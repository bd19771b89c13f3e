"""The reported-speech cue table (`quotes.cues.v1`), counted on PolNeAR train.

For every candidate the parse proposes (`pipeline/enrich/quotes/candidates.py`: a cue
token and a content span of one shape), the label is whether an annotated indirect or
mixed attribution has its Cue over that token and a Content span that the candidate
matches by the scorer's rule (each covers at least half of the other's word tokens).
Candidates that serving leaves to the direct-quote rules (a cue inside a quote, content
that is all quote) are not counted. The table keeps, per `lemma|shape`, the smoothed share of positives

    score = (positives + PRIOR * shape_rate) / (count + PRIOR)

where `shape_rate` is the share over all lemmas of that shape, so a lemma seen twice
leans on its shape; `lemma|shape|s` (the cue has a subject) and `lemma|shape|-` lean
on `lemma|shape` the same way. Only keys whose `lemma|shape` reaches `KEEP_FLOOR` are stored; the serving
threshold is chosen on dev and written with the table (`--threshold`).
Parses are cached as spaCy DocBins in the user cache directory, keyed by the texts.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

from pipeline.enrich.quotes.candidates import candidates
from pipeline.enrich.quotes.direct import find_quoted_segments
from pipeline.enrich.quotes.indirect import MIN_OUTSIDE_WORDS
from pipeline.eval.matching import tokens
from pipeline.eval.polnear import Article, gold_reported

PRIOR = 2.0
KEEP_FLOOR = 0.2
MIN_COUNT = 2
_ATTRS = ["ORTH", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "LEMMA", "POS", "SENT_START"]


def parsed(articles: Sequence[Article], cache_dir: Path) -> list[Doc]:
    """The serving parse of every article, from the cache when the texts are unchanged."""
    import spacy

    from pipeline.enrich.nlp import SPACY_MODEL, load_spacy, parse_prefix

    digest = hashlib.sha256(SPACY_MODEL.encode())
    for article in articles:
        digest.update(article.text.encode("utf-8", "replace") + b"\0\1")
    path = cache_dir / f"polnear-{digest.hexdigest()[:32]}.spacy"
    if path.exists():
        vocab = spacy.blank("en").vocab
        return list(DocBin().from_bytes(path.read_bytes()).get_docs(vocab))
    nlp = load_spacy()
    docs = list(nlp.pipe([parse_prefix(a.text) for a in articles], batch_size=32))
    cache = DocBin(attrs=_ATTRS)
    for doc in docs:
        cache.add(doc)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cache.to_bytes())
    return docs


def count(articles: Sequence[Article], docs: Sequence[Doc]) -> tuple[Counter, Counter]:
    """(positives, totals) per `lemma|shape` key."""
    positives: Counter = Counter()
    totals: Counter = Counter()
    for article, doc in zip(articles, docs, strict=True):
        pos, tot = count_article(article, doc)
        positives.update(pos)
        totals.update(tot)
    return positives, totals


def gold_with_cues(article: Article) -> list[tuple[set[int], list[tuple[int, int]]]]:
    """(content word tokens, cue spans) of every gold reported attribution."""
    text = article.text
    reported = {(g.start, g.end) for g in gold_reported(article)}
    gold = []
    for rel in article.relations:
        span = (min(s for s, _ in rel.content), max(e for _, e in rel.content))
        if span in reported:
            gold.append((tokens(text, span), rel.cue))
    return gold


def is_attribution(
    predicted: set[int],
    at: int,
    gold: list[tuple[set[int], list[tuple[int, int]]]],
    any_cue: bool = False,
) -> bool:
    """An annotated attribution has its Cue over character `at` and a Content that the
    predicted word tokens match by the scorer's rule (each covers half of the other)."""
    for gold_tokens, cues in gold:
        if not gold_tokens or not (any_cue or any(s <= at < e for s, e in cues)):
            continue
        common = len(predicted & gold_tokens)
        if common >= 0.5 * len(gold_tokens) and common >= 0.5 * len(predicted):
            return True
    return False


def count_article(article: Article, doc: Doc) -> tuple[Counter, Counter]:
    """(positives, totals) per `lemma|shape` key in one article."""
    positives: Counter = Counter()
    totals: Counter = Counter()
    text = article.text
    gold = gold_with_cues(article)
    quoted = [(s.start, s.end) for s in find_quoted_segments(text) if not s.single]
    for cand in candidates(doc):
        first, end = cand.span()
        if end <= first:
            continue
        last = doc[end - 1]
        at = cand.cue.idx
        predicted = tokens(text, (doc[first].idx, last.idx + len(last)))
        outside = {t for t in predicted if not any(s <= t < e for s, e in quoted)}
        if len(outside) < MIN_OUTSIDE_WORDS or any(s <= at < e for s, e in quoted):
            continue  # left to the direct-quote rules, as in serving
        label = int(is_attribution(predicted, at, gold))
        for key in (cand.specific_key, cand.key):
            totals[key] += 1
            positives[key] += label
    return positives, totals


def table(positives: Counter, totals: Counter, threshold: float) -> dict[str, Any]:
    shape_pos: Counter = Counter()
    shape_tot: Counter = Counter()
    for key, n in totals.items():
        if key.count("|") == 1:
            shape = key.split("|", 1)[1]
            shape_tot[shape] += n
            shape_pos[shape] += positives[key]
    general = {}
    for key, n in totals.items():
        if key.count("|") == 1:
            rate = shape_pos[key.split("|")[1]] / shape_tot[key.split("|")[1]]
            general[key] = (positives[key] + PRIOR * rate) / (n + PRIOR)
    scores = {}
    for key, n in totals.items():
        if n < MIN_COUNT:
            continue
        if key.count("|") == 1:
            score = general[key]
        else:  # `lemma|shape|s`: leans on `lemma|shape`
            score = (positives[key] + PRIOR * general[key.rsplit("|", 1)[0]]) / (n + PRIOR)
        if general[key.rsplit("|", 1)[0] if key.count("|") == 2 else key] >= KEEP_FLOOR:
            scores[key] = round(score, 4)
    return {
        "name": "quotes.cues.v1",
        "threshold": threshold,
        "prior": PRIOR,
        "min_count": MIN_COUNT,
        "training_data": "PolNeAR v1.0.0 train (840 articles), first annotator file each",
        "scores": dict(sorted(scores.items())),
    }


def write(meta: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
