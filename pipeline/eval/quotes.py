"""`wirestream eval quotes`: score the quote extractor on a PolNeAR-format directory.

Prints direct-quote P/R/F1 (and the pattern-only baseline), speaker accuracy on matched
direct quotes, and indirect-quote P/R. The gold rules are in `pipeline.eval.polnear`, the
matching rule in `pipeline.eval.matching`; docs/quality.md states both.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from pipeline.eval.matching import Counts, match, match_mutual, overlaps
from pipeline.eval.polnear import Article, gold_direct, gold_reported, load_articles

_NAME_WORD = re.compile(r"[A-Z][\w'’.-]+")


@dataclass
class QuoteScores:
    direct: Counts = field(default_factory=Counts)
    baseline: Counts = field(default_factory=Counts)
    reported: Counts = field(default_factory=Counts)
    speaker_right: int = 0
    speaker_scored: int = 0
    reported_speaker_right: int = 0
    reported_speaker_scored: int = 0
    articles: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "direct": self.direct.as_dict(),
            "baseline_pattern_only": self.baseline.as_dict(),
            "speaker_accuracy": round(self.speaker_right / self.speaker_scored, 4)
            if self.speaker_scored
            else 0.0,
            "speaker_scored": self.speaker_scored,
            "reported": self.reported.as_dict(),
            "reported_speaker_accuracy": _ratio(
                self.reported_speaker_right, self.reported_speaker_scored
            ),
            "reported_speaker_scored": self.reported_speaker_scored,
            "speaker_accuracy_all": _ratio(
                self.speaker_right + self.reported_speaker_right,
                self.speaker_scored + self.reported_speaker_scored,
            ),
        }


def _ratio(right: int, scored: int) -> float:
    return round(right / scored, 4) if scored else 0.0


def speaker_is_right(text: str, quote: dict[str, Any], sources: Sequence[tuple[int, int]]) -> bool:
    """The predicted mention overlaps a gold Source span, or the resolved name shares a
    capitalised word with the text of one."""
    start, end = quote.get("speaker_start"), quote.get("speaker_end")
    if start is not None and end is not None and any(overlaps((start, end), s) for s in sources):
        return True
    name = quote.get("speaker") or ""
    words = {w.lower() for w in _NAME_WORD.findall(name)}
    return any(words & {w.lower() for w in _NAME_WORD.findall(text[s:e])} for s, e in sources)


def direct_parts(quotes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quoted stretches, each as a quote: direct and partial records, and the quoted
    parts of mixed records (one record per attribution; docs/quality.md)."""
    parts = []
    for q in quotes:
        if q["kind"] in ("direct", "partial"):
            parts.append(q)
        elif q["kind"] == "mixed":
            parts.extend(q | {"start": p["start"], "end": p["end"]} for p in q.get("quoted") or [])
    return parts


def score_article(article: Article, quotes: Sequence[dict[str, Any]], scores: QuoteScores) -> None:
    from pipeline.enrich.quotes.direct import find_quoted_segments

    text = article.text
    scores.articles += 1
    gold = gold_direct(article)
    gold_spans = [(g.start, g.end) for g in gold]
    direct = direct_parts(quotes)
    pairs = match(text, [(q["start"], q["end"]) for q in direct], gold_spans)
    scores.direct.add(Counts(len(pairs), len(direct), len(gold)))
    for pi, gi in pairs.items():
        if gold[gi].sources:
            scores.speaker_scored += 1
            scores.speaker_right += speaker_is_right(text, direct[pi], gold[gi].sources)
    pattern = [(s.start, s.end) for s in find_quoted_segments(text)]
    scores.baseline.add(Counts(len(match(text, pattern, gold_spans)), len(pattern), len(gold)))
    gold_rep = gold_reported(article)
    reported = [q for q in quotes if q["kind"] in ("indirect", "mixed")]
    pairs = match_mutual(
        text, [(q["start"], q["end"]) for q in reported], [(g.start, g.end) for g in gold_rep]
    )
    scores.reported.add(Counts(len(pairs), len(reported), len(gold_rep)))
    for pi, gi in pairs.items():
        if gold_rep[gi].sources:
            scores.reported_speaker_scored += 1
            right = speaker_is_right(text, reported[pi], gold_rep[gi].sources)
            scores.reported_speaker_right += right


QUOTES_CHAIN = ("entities.spacy.v1", "quotes.rules.v1")
"""The serving enrichers, minus `wirecopy.v1` (it would move text and so the gold offsets)
and language detection (PolNeAR is English; the articles declare `en`)."""


def run(articles: Iterable[Article], batch_size: int = 32) -> Iterable[tuple[Article, list[dict]]]:
    """Each article with the quotes the serving runner finds in it, in batches."""
    from pipeline.enrich.runner import EnrichmentRunner
    from pipeline.eval.articles import wire_article

    runner = EnrichmentRunner.from_names(QUOTES_CHAIN)
    batch: list[Article] = []

    def flush() -> Iterable[tuple[Article, list[dict]]]:
        records = [wire_article(a.name, None, a.text) | {"language": "en"} for a in batch]
        oks, failures = runner.run(records)
        by_id = {r["id"]: r for r in oks}
        for failure in failures:
            click.echo(f"failed: {failure.as_json()}", err=True)
        for article, record in zip(batch, records, strict=True):
            enriched = by_id.get(record["id"])
            yield article, enriched["quotes"] if enriched else []
        batch.clear()

    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from flush()
    yield from flush()


@click.command("quotes")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="PolNeAR-format directory with text/ and attributions/",
)
@click.option(
    "--predictions-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write JSON lines {file, quotes}",
)
def quotes(data_dir: Path, predictions_out: Path | None) -> None:
    """Score quotes.rules.v1 on PolNeAR: direct P/R/F1, speakers, indirect, baseline."""
    scores = QuoteScores()
    out = predictions_out.open("w", encoding="utf-8") if predictions_out else None
    started = time.perf_counter()
    try:
        for article, found in run(load_articles(data_dir)):
            score_article(article, found, scores)
            if out is not None:
                out.write(json.dumps({"file": f"{article.name}.txt", "quotes": found}) + "\n")
    finally:
        if out is not None:
            out.close()
    result = scores.as_dict()
    elapsed = time.perf_counter() - started
    result["articles_per_s"] = round(scores.articles / elapsed, 2) if elapsed else None
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
