"""PolNeAR (brat standoff) reading and the gold quote segments we score against.

Gold rules (the same ones docs/quality.md states):
- One annotation file per article: the first `<name>_<annotator>.ann` by file name, so the
  choice is deterministic; the other annotators' files were made for agreement checks.
- A relation is an `E` line; its Content and Source spans may be discontinuous (`s e;s e`).
- Gold direct segments: the parts of Content fragments that lie inside double quotation
  marks, found by the pattern pairing of `find_quoted_segments` on the whole article
  (so "X said the plan was “a disaster”" gives the gold segment `a disaster`). One
  segment per quoted stretch and paragraph; duplicates (two relations sharing a quote)
  count once. Single-quote marks are left out: in this corpus they mark nested quotes
  and headline quotes, which are not quotes by a speaker in running text.
- Gold reported segments (indirect and mixed): whole Content spans (fragments joined)
  with at least two word tokens outside double-quoted stretches; quoted words annotated
  without their marks count as quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.enrich.quotes.direct import find_quoted_segments

Span = tuple[int, int]


@dataclass
class Relation:
    content: list[Span]
    source: list[Span]
    cue: list[Span]


@dataclass
class GoldSegment:
    start: int
    end: int
    sources: list[Span] = field(default_factory=list)


@dataclass
class Article:
    name: str
    text: str
    relations: list[Relation]


def _spans(field_text: str) -> list[Span]:
    spans = []
    for frag in field_text.split(";"):
        parts = frag.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            spans.append((int(parts[0]), int(parts[1])))
    return spans


def parse_ann(ann: str) -> list[Relation]:
    spans: dict[str, tuple[str, list[Span]]] = {}
    links: list[dict[str, str]] = []
    for line in ann.splitlines():
        cols = line.split("\t")
        if len(cols) < 2:
            continue
        if cols[0].startswith("T"):
            label, _, rest = cols[1].partition(" ")
            spans[cols[0]] = (label, _spans(rest))
        elif cols[0].startswith("E"):
            links.append(dict(arg.split(":", 1) for arg in cols[1].split() if ":" in arg))
    relations = []
    for link in links:

        def get(role: str, link: dict[str, str] = link) -> list[Span]:
            return spans.get(link.get(role, ""), ("", []))[1]

        if get("Content"):
            relations.append(Relation(get("Content"), get("Source"), get("Cue")))
    return relations


def load_articles(data_dir: Path) -> Iterator[Article]:
    """Articles of a PolNeAR split directory (`text/` + `attributions/`), sorted by name."""
    for text_path in sorted((data_dir / "text").glob("*.txt")):
        anns = sorted((data_dir / "attributions").glob(f"{text_path.stem}_*.ann"))
        text = text_path.read_text(encoding="utf-8")
        relations = parse_ann(anns[0].read_text(encoding="utf-8")) if anns else []
        yield Article(text_path.stem, text, relations)


def gold_direct(article: Article) -> list[GoldSegment]:
    quoted = [(s.start, s.end) for s in find_quoted_segments(article.text) if not s.single]
    found: dict[Span, GoldSegment] = {}
    for rel in article.relations:
        for c_start, c_end in rel.content:
            for q_start, q_end in quoted:
                start, end = max(c_start, q_start), min(c_end, q_end)
                if end <= start or not re.search(r"\w", article.text[start:end]):
                    continue
                seg = found.setdefault((start, end), GoldSegment(start, end))
                seg.sources.extend(rel.source)
    return sorted(found.values(), key=lambda g: g.start)


MIN_REPORTED_WORDS = 2
"""Word tokens outside quotation marks that make a Content span reported speech: a
span that is all quote but for a stray word the annotator took along is a direct quote."""
_WORD = re.compile(r"\w+")


def gold_reported(article: Article) -> list[GoldSegment]:
    """Indirect and mixed attributions: whole Content spans (fragments joined) with at
    least `MIN_REPORTED_WORDS` word tokens outside double-quoted stretches. A span of
    quoted words annotated without their marks counts as quoted."""
    quoted = [(s.start, s.end) for s in find_quoted_segments(article.text) if not s.single]
    text = article.text
    found: dict[Span, GoldSegment] = {}
    for rel in article.relations:
        outside = 0
        for s, e in rel.content:
            for m in _WORD.finditer(text, s, e):
                p = m.start()
                outside += not any(qs <= p < qe for qs, qe in quoted)
        if outside < MIN_REPORTED_WORDS:
            continue
        start, end = min(s for s, _ in rel.content), max(e for _, e in rel.content)
        found.setdefault((start, end), GoldSegment(start, end)).sources.extend(rel.source)
    return sorted(found.values(), key=lambda g: g.start)
