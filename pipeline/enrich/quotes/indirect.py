"""Indirect quotes: `X said that ...`, `..., X said.`, `according to X, ...`.

The content is the clause the cue verb governs (its `ccomp` subtree, "that" included),
or for "according to X" the rest of the sentence. Clauses that contain quotation marks
are left to the direct-quote rules, cues inside a direct quote are speech of the quoted
speaker, not reporting, and headlines report nobody's words: all three are skipped.
Nested reports (`He confirmed a statement by Gedney, who said ...`) are kept, one per cue.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.tokens import Doc, Span, Token

from pipeline.enrich.quotes.attribution import attribute
from pipeline.enrich.quotes.filters import looks_like_headline
from pipeline.enrich.quotes.lexicon import INDIRECT_CUE_LEMMAS
from pipeline.enrich.quotes.resolution import resolve
from pipeline.enrich.quotes.speakers import PersonIndex

MIN_CONTENT_TOKENS = 3
MAX_CONTENT_CHARS = 3000
_MARKS = re.compile("''|``|[\"“”„‟«»＂]")
_EDGE_PUNCT = frozenset(",;:—–-")


def _in_headline(text: str, pos: int, cache: dict[int, bool]) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    if start not in cache:
        end = text.find("\n", pos)
        cache[start] = looks_like_headline(text[start : end if end >= 0 else len(text)])
    return cache[start]


def _overlaps_any(starts: list[int], spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, disjoint `spans`."""
    i = bisect.bisect_left(starts, end) - 1
    return i >= 0 and spans[i][1] > start


def _trim(doc: Doc, start: int, end: int) -> Span:
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].text in _EDGE_PUNCT or doc[end - 1].is_space):
        end -= 1
    return doc[start:end]


def _clause_content(cue: Token) -> Span | None:
    for child in cue.children:
        if child.dep_ == "ccomp":
            end = child.right_edge.i + 1
            if child.i > cue.i:
                # `said that X, with Y`: what follows the clause to the sentence end is
                # still the report.
                end = max(end, cue.sent.end)
            return _trim(cue.doc, child.left_edge.i, end)
    if cue.dep_ == "parataxis" and any(c.dep_ in ("nsubj", "nsubjpass") for c in cue.children):
        # `Those who vote, he said, must register`: the report is the sentence around it.
        sent = cue.sent
        return _trim(cue.doc, sent.start, sent.end)
    return None


def _according_content(cue: Token) -> Span | None:
    """`According to X, the plan failed.` / `The plan failed, according to X.`"""
    prep_start, prep_end = cue.i, cue.doc[cue.i + 1].right_edge.i + 1
    sent = cue.sent
    if prep_start - sent.start <= 1:
        return _trim(cue.doc, prep_end, sent.end)
    if sent.end - prep_end <= 2:
        return _trim(cue.doc, sent.start, prep_start)
    return None


def find_indirect(
    text: str,
    doc: Doc,
    direct: list[dict[str, Any]],
    people: PersonIndex,
) -> list[dict[str, Any]]:
    direct_spans = sorted((q["start"], q["end"]) for q in direct)
    direct_starts = [s for s, _ in direct_spans]
    seen: set[tuple[int, int]] = set()
    headlines: dict[int, bool] = {}
    found: list[dict[str, Any]] = []
    for tok in doc:
        according = (
            tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to"
        )
        if not according and (tok.pos_ != "VERB" or tok.lemma_.lower() not in INDIRECT_CUE_LEMMAS):
            continue
        if _overlaps_any(direct_starts, direct_spans, tok.idx, tok.idx + 1):
            continue
        content = _according_content(tok) if according else _clause_content(tok)
        if content is None or len(content) < MIN_CONTENT_TOKENS:
            continue
        start, end = content.start_char, content.end_char
        if end - start > MAX_CONTENT_CHARS or _MARKS.search(text, start, end):
            continue
        if _overlaps_any(direct_starts, direct_spans, start, end):
            continue
        if (start, end) in seen or _in_headline(text, tok.idx, headlines):
            continue
        seen.add((start, end))
        speaker = resolve(attribute(tok, "before"), people)
        found.append(
            {
                "text": text[start:end],
                "speaker": speaker.name,
                "speaker_start": speaker.start,
                "speaker_end": speaker.end,
                "kind": "indirect",
                "start": start,
                "end": end,
                "cue": "according to" if according else tok.text,
            }
        )
    return found
