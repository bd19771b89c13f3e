"""Reported speech: `indirect` and `mixed` records from the candidates of a parse.

Each candidate (`candidates.py`: a cue token and a content span of one grammatical
shape) is looked up by (cue lemma, shape) in a table learned on PolNeAR train
(`pipeline/training/quote_cues.py`, shipped as `artefacts/quotes.cues.v1.json`): the
share of such candidates that were annotated attributions. Those whose rate reaches the
scorer's floor are scored by a logistic regression over the rates and the candidate's
own features (`scorer.py`, `artefacts/quotes.scorer.v1.json`); those at or above its
threshold are kept, the best one per cue.

One record per quote (docs/quality.md, "One record per quote"):
- a reported clause that contains quoted words is one `mixed` record; the direct or
  partial records it wholly contains are folded into its `quoted` parts, not emitted;
- a clause that is all quote (fewer than two words outside the marks) is left to the
  direct record; a clause that cuts through a direct quote is dropped;
- reported clauses never overlap each other: of overlapping candidates the one with the
  higher score is kept (ties: the longer, then the earlier one), except that a report in
  a relative clause (`a statement by Gedney, who said ...`) wins over the candidate
  holding it; an outer report and the report nested in it never share words.
Cues inside a direct quote are the quoted speaker's words, and headlines report
nobody's words: both are skipped.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

from pipeline.enrich.artefacts import SHIPPED
from pipeline.enrich.quotes.attribution import Attribution, attribute, mention_span
from pipeline.enrich.quotes.candidates import (
    Candidate,
    candidates,
    cue_lemma,
    has_subject,
)
from pipeline.enrich.quotes.filters import looks_like_headline
from pipeline.enrich.quotes.parse_facts import parse_facts
from pipeline.enrich.quotes.resolution import Speaker, resolve
from pipeline.enrich.quotes.scorer import (
    Scorer,
    content_values,
    cue_features,
    load_scorer,
)
from pipeline.enrich.quotes.speakers import PersonIndex

CUE_TABLE = "quotes.cues.v1"
MIN_OUTSIDE_WORDS = 2
MAX_CONTENT_CHARS = 3000
MAX_EXTENSION = 400
"""Characters a reported clause may grow by to take in the whole of a quote it cuts."""
_OPEN_MARKS = "\"“„‟«＂'`"
_CLOSE_MARKS = "\"”»＂'"


def _mark_before(text: str, start: int) -> int:
    """Include the opening quotation mark(s) right before `start`."""
    while start > 0 and text[start - 1] in _OPEN_MARKS:
        start -= 1
    return start


def _mark_after(text: str, end: int) -> int:
    """Include punctuation and the closing mark(s) right after `end`."""
    while end < len(text) and text[end] in _CLOSE_MARKS + ",.!?":
        end += 1
    return end


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def cue_table(path: Path | None = None) -> tuple[dict[str, float], float]:
    """(lemma|shape -> score, threshold) of the shipped table."""
    path = path or SHIPPED / f"{CUE_TABLE}.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    return dict(meta["scores"]), float(meta["threshold"])


_SHAPES: dict[
    tuple[int, float], tuple[dict[str, float], dict[str, frozenset[str]], frozenset[str]]
] = {}


def cue_shapes(
    scores: dict[str, float], floor: float
) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Lemma -> the shapes with a key at or above `floor`: only these lemmas' words are
    visited, and only these shapes' subtrees walked. Cached per table object; the cache
    holds the table itself, so a table freed in training cannot hand its id, and its
    cached shapes, to the next one."""
    key = (id(scores), floor)
    cached = _SHAPES.get(key)
    if cached is None or cached[0] is not scores:
        found: dict[str, set[str]] = {}
        for k, v in scores.items():
            if v >= floor:
                lemma, shape = k.split("|")[:2]
                found.setdefault(lemma, set()).add(shape)
        shapes = {lemma: frozenset(s) for lemma, s in found.items()}
        cached = _SHAPES[key] = (scores, shapes, frozenset(shapes))
    return cached[1], cached[2]


def _in_headline(text: str, pos: int, cache: dict[int, bool]) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    if start not in cache:
        end = text.find("\n", pos)
        cache[start] = looks_like_headline(text[start : end if end >= 0 else len(text)])
    return cache[start]


def _noun_attribution(cue: Token) -> Attribution:
    """`Trump's claim that ...`, `a statement by the ministry`: the possessor or agent."""
    for child in cue.children:
        if child.dep_ == "poss":
            return Attribution(cue, mention_span(child), child, "before")
        if child.dep_ == "prep" and child.lower_ == "by":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return Attribution(cue, mention_span(grand), grand, "before")
    verb = cue.head
    for _ in range(3):  # `X issued a statement saying`, `X made the claim that`
        if verb.pos_ in ("VERB", "AUX"):
            return attribute(verb, "before", before_open=cue.i)
        if verb.head.i == verb.i:
            break
        verb = verb.head
    return Attribution(cue, None, None, "before")


def _speaker(cand: Candidate, people: PersonIndex) -> Speaker:
    cue = cand.cue
    if cand.shape.startswith("noun-"):
        att = _noun_attribution(cue)
    else:
        after = cand.raw_start > cue.i
        att = attribute(cue, "before", before_open=cand.raw_start if after else None)
    return resolve(att, people)


def _words_outside(text: str, start: int, end: int, quoted: list[tuple[int, int]]) -> bool:
    """Whether [start, end) has `MIN_OUTSIDE_WORDS` words outside the `quoted` spans;
    stops counting there (a reported clause is often hundreds of words long)."""
    count = 0
    for m in _WORD.finditer(text, start, end):
        p = m.start()
        if not any(s <= p < e for s, e in quoted):
            count += 1
            if count >= MIN_OUTSIDE_WORDS:
                return True
    return False


def _covering(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> list[int]:
    """Indices of the sorted, disjoint `spans` that overlap [start, end)."""
    i = bisect.bisect_left(starts, end) - 1
    found = []
    while i >= 0 and spans[i][1] > start:
        found.append(i)
        i -= 1
    return found[::-1]


Scored = tuple[Candidate, int, int, float, float, list[tuple[int, float]], tuple[float, ...]]
"""A candidate, its trimmed content tokens [first, last), its table rates (specific,
general), its cue's features (`cue_features`) and its content's (`content_values`)."""


def scored_candidates(
    doc: Doc,
    spans: list[tuple[int, int]],
    scores: dict[str, float],
    floor: float,
) -> Iterator[Scored]:
    """Every candidate whose table rate reaches `floor` and whose cue is outside the
    direct quotes `spans`, with what its features are made of (`scorer.feature_vector`). Serving and training both read candidates through
    here, so the scorer learns on what it will be shown."""
    starts = [s for s, _ in spans]
    facts = parse_facts(doc)
    n = len(doc)
    group: list[tuple[Candidate, float, float]] = []

    def flush() -> Iterator[Scored]:
        best = max(specific for _, specific, _ in group)
        cue = group[0][0].cue
        cue_i = cue.i
        cue_part = cue_features(cue, group[0][0].kids, group[0][0].lemma)
        for cand, specific, general in group:
            first, last = cand.span()
            if last - first < 2:
                continue
            quoted = bool(_covering(spans, starts, facts.offset(first), facts.offset(last)))
            content = content_values(
                cue_i,
                first,
                last,
                (
                    facts.sentence_end(last - 1, n),
                    quoted,
                    first in facts.that,
                    facts.has_verb(first, last),
                    len(group),
                    specific >= best,
                ),
            )
            yield cand, first, last, specific, general, cue_part, content
        group.clear()

    cue_i, prefix, suffix = -1, "", ""
    for cand in candidates(doc, *cue_shapes(scores, floor), quoted=spans):
        if cand.cue.i != cue_i:
            # The lemma and the subject are the cue's: read once for all its candidates.
            if group:
                yield from flush()
            cue_i = cand.cue.i
            prefix = (cand.lemma or cue_lemma(cand.cue)) + "|"
            suffix = "|s" if has_subject(cand.cue, cand.kids) else "|-"
        key = prefix + cand.shape
        general = scores.get(key)
        if general is None:
            continue  # the table stores a `lemma|shape|s` key only with its `lemma|shape`
        specific = scores.get(key + suffix, general)
        if specific >= floor:
            group.append((cand, specific, general))
    if group:
        yield from flush()


def find_reported(
    text: str,
    doc: Doc,
    direct: list[dict[str, Any]],
    people: PersonIndex,
    table: tuple[dict[str, float], float] | None = None,
    scorer: Scorer | None = None,
) -> tuple[list[dict[str, Any]], set[int]]:
    """The reported-speech records of one article, and the indices of the `direct`
    records folded into a mixed record (their caller drops them)."""
    scores, _ = table or cue_table()
    scorer = scorer or load_scorer()
    order = sorted(range(len(direct)), key=lambda i: direct[i]["start"])
    spans = [(direct[i]["start"], direct[i]["end"]) for i in order]
    starts = [s for s, _ in spans]
    headlines: dict[int, bool] = {}
    best: dict[int, tuple[float, Candidate, int, int]] = {}
    # Candidates are compared by their logit: the probability's order, without `exp`.
    threshold = scorer.threshold_logit
    cue_logit: tuple[int, float] = (-1, 0.0)
    for cand, first, last, specific, general, cue_part, content in scored_candidates(
        doc, spans, scores, scorer.floor
    ):
        if cue_logit[0] != cand.cue.i:
            cue_logit = (cand.cue.i, scorer.cue_logit(cue_part))
        score = (
            scorer.key_logit(cand.shape, specific, general)
            + cue_logit[1]
            + scorer.content_logit(content)
        )
        if score < threshold:
            continue
        known = best.get(cand.cue.i)
        if known is None or score > known[0]:
            best[cand.cue.i] = (score, cand, first, last)
    relative = sorted(i for i, (_, cand, _, _) in best.items() if cand.cue.dep_ == "relcl")

    def holds_relative_report(first: int, last: int) -> bool:
        i = bisect.bisect_left(relative, first)
        return i < len(relative) and relative[i] < last

    # `He confirmed a statement by Gedney, who said X`: the report in the relative clause
    # is kept, with Gedney as its speaker; the outer candidate would swallow it.
    ranked = sorted(
        best.values(),
        key=lambda sc: (holds_relative_report(sc[2], sc[3]), -sc[0], -(sc[3] - sc[2]), sc[2]),
    )
    taken: list[tuple[int, int]] = []
    folded: set[int] = set()
    found: list[dict[str, Any]] = []
    for _, cand, first, last in ranked:
        cue = cand.cue
        start, end = doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
        if _covering(spans, starts, cue.idx, cue.idx + 1):
            continue  # a cue inside a direct quote: the quoted speaker's words
        if _in_headline(text, cue.idx, headlines):
            continue
        inside = _covering(spans, starts, start, end)
        if inside:
            # A clause that cuts through a quote takes the whole quote: `said that,
            # “there is no single point of failure,”` ends at the closing mark.
            lo, hi = min(start, spans[inside[0]][0]), max(end, spans[inside[-1]][1])
            if hi - end > MAX_EXTENSION or start - lo > MAX_EXTENSION:
                continue
            start = _mark_before(text, lo) if lo < start else start
            end = _mark_after(text, hi) if hi > end else end
        if end - start > MAX_CONTENT_CHARS or any(s < end and start < e for s, e in taken):
            continue
        if not _words_outside(text, start, end, [spans[i] for i in inside]):
            continue
        speaker = _speaker(cand, people)
        record: dict[str, Any] = {
            "text": text[start:end],
            "speaker": speaker.name,
            "speaker_start": speaker.start,
            "speaker_end": speaker.end,
            "kind": "mixed" if inside else "indirect",
            "start": start,
            "end": end,
            "cue": "according to" if cand.shape == "according" else cue.text,
        }
        if inside:
            record["quoted"] = [{"start": spans[i][0], "end": spans[i][1]} for i in inside]
            folded.update(order[i] for i in inside)
        taken.append((start, end))
        found.append(record)
    return found, folded
