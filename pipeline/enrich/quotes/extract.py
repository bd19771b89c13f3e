"""`extract_quotes`: direct, partial and indirect quotes of one article, with speakers."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.tokens import Doc

from pipeline.enrich.nlp import parseable
from pipeline.enrich.quotes import indirect
from pipeline.enrich.quotes.attribution import (
    LOOKBACK,
    Attribution,
    TokenIndex,
    attribute,
    is_cue,
    lemma_indices,
    mention_span,
    speaker_head,
    token_indices,
)
from pipeline.enrich.quotes.cues import find_attribution, find_previous_sentence
from pipeline.enrich.quotes.direct import QuotedSegment, find_quoted_segments, text_before
from pipeline.enrich.quotes.filters import (
    follows_title_cue,
    looks_like_headline,
    looks_like_title,
    word_count,
)
from pipeline.enrich.quotes.lexicon import CUE_LEMMAS
from pipeline.enrich.quotes.link import EntityIndex, link_speakers
from pipeline.enrich.quotes.resolution import Speaker, propn_run, resolve
from pipeline.enrich.quotes.speakers import PersonIndex

log = logging.getLogger(__name__)

MIN_UNATTRIBUTED_WORDS = 6
LONG_QUOTE_WORDS = 8
SHORT_QUOTE_WORDS = 3
MAX_SEGMENTS = 1000
"""Quoted segments examined per article: real articles have dozens; this bounds fuzzed input."""
"""A quoted stretch this long is speech even without a cue (scare quotes are short)."""
"""An unattributed quote continuing a speaker must look like speech, not a scare quote."""
_CUE_WORDS = CUE_LEMMAS | {"put"}
"""Lemmas `is_cue` can accept (`put` only in `as X put it`)."""
_NON_PERSON_ENTS = frozenset({"GPE", "LOC", "FAC", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT"})


def person_entities(doc: Doc) -> list[list[str]]:
    """The words of each PERSON entity, as `doc.ents` would give them (an entity opens at
    B and runs over I), found in the parse's arrays: `doc.ents` makes a Span for every
    entity of every label."""
    n = len(doc)
    if not n:
        return []
    columns = doc.to_array([ENT_IOB, ENT_TYPE])
    opens = (columns[:, 0] == 3) & (columns[:, 1] == doc.vocab.strings["PERSON"])
    starts = numpy.flatnonzero(opens).tolist()
    if not starts:
        return []
    iob = columns[:, 0].tolist()
    found = []
    for start in starts:
        end = start + 1
        while end < n and iob[end] == 1:
            end += 1
        found.append([doc[i].text for i in range(start, end)])
    return found


def build_people(doc: Doc, cue_heads: list) -> PersonIndex:
    people = PersonIndex()
    for words in person_entities(doc):
        people.add_name(words)
    for head in cue_heads:
        if head.pos_ == "PROPN" and head.ent_type_ not in _NON_PERSON_ENTS:
            people.add_name(propn_run(head))
    proper = [doc[i] for i in token_indices(doc, ("PROPN",))]
    for tok in proper:
        # A named subject of any verb that NER missed ("Chelsea Nguyen spoke") is a person too.
        if tok.dep_ == "nsubj" and tok.ent_type_ in ("PERSON", ""):
            people.add_name(propn_run(tok))
    for tok in proper:
        if tok.lower_ in people.full_names:
            people.add_mention(tok.idx, [tok.text])
    people.finish()
    return people


def _subject_before(
    index: TokenIndex, seg: QuotedSegment, people: PersonIndex, after: int
) -> Speaker | None:
    """The nearest named or pronoun subject between offset `after` and the quote."""
    doc = index.doc
    open_tok = index.at(seg.open_mark)
    for i in range(open_tok - 1, max(-1, open_tok - LOOKBACK), -1):
        tok = doc[i]
        if tok.idx < after:
            break
        person_pronoun = tok.lower_ in ("he", "she")
        if tok.dep_ == "nsubj" and (tok.pos_ == "PROPN" or person_pronoun):
            return resolve(Attribution(tok.head, mention_span(tok), tok, "before"), people)
    return None


def _kind(text: str, seg: QuotedSegment) -> str:
    inner = text[seg.start : seg.end]
    before = text_before(text, seg).rstrip()
    starts_sentence = not before or before[-1] in ".:!?,;—-"
    return "direct" if starts_sentence and inner[:1].isupper() else "partial"


def _quote(text: str, seg: QuotedSegment, speaker: Speaker, cue: str | None, kind: str) -> dict:
    return {
        "text": text[seg.start : seg.end],
        "speaker": speaker.name,
        "speaker_start": speaker.start,
        "speaker_end": speaker.end,
        "kind": kind,
        "start": seg.start,
        "end": seg.end,
        "cue": cue,
    }


@dataclass
class _Kept:
    seg: QuotedSegment
    speaker: Speaker
    att: Attribution | None


def _is_markup(text: str, seg: QuotedSegment) -> bool:
    """`author="RandPaul"`: an attribute value in pasted markup."""
    return text[max(0, seg.open_mark - 1) : seg.open_mark] == "="


# Repetitions bounded by the windows they are matched in (40 and 80 characters): the same
# matches there, and a search anywhere costs a bounded amount per start position instead of a
# scan of the whole run (quadratic; tests/unit/security/test_regex_redos.py).
_TRANSCRIPT_TAG = re.compile(r"([A-Z][A-Z.'’-]{1,39}(?: [A-Z][A-Z.'’-]{1,39}){0,2}):\s")
_DASH_CREDIT = re.compile(
    r"\s{0,80}[―—–]\s{0,80}([A-Z][\w.'’-]{0,80}(?:\s[A-Z][\w.'’-]{0,80}){0,4})"
)


def _tagged_speaker(text: str, seg: QuotedSegment, people: PersonIndex) -> Speaker | None:
    """Speakers named without a verb: a transcript tag opening the quote (`"PENCE: ...`)
    or a credit line after it (`"..." ― Oscar P. Quintero`)."""
    tag = _TRANSCRIPT_TAG.match(text, seg.start, min(seg.end, seg.start + 40))
    if tag is not None and len(tag.group(1)) >= 3:
        name = people.canonical([tag.group(1).title()])
        return Speaker(name, tag.start(1), tag.end(1))
    if seg.close_mark is None:
        return None
    credit = _DASH_CREDIT.match(
        text, seg.close_mark + 1, min(seg.paragraph[1], seg.close_mark + 80)
    )
    if credit is not None:
        return Speaker(people.canonical(credit.group(1).split()), credit.start(1), credit.end(1))
    return None


_AS_BEFORE = re.compile(r"\b[Aa]s(?: an?| the)?\s*$")


def _characterisation(index: TokenIndex, seg: QuotedSegment, text: str) -> Attribution | None:
    """`Reid has gone after Trump as a “con artist”`: words put in quotes as someone's
    label for someone are theirs (91% of such stretches are annotated quotes in PolNeAR
    train); the speaker is the subject of the verb the `as` hangs from."""
    match = _AS_BEFORE.search(text, max(0, seg.open_mark - 12), seg.open_mark)
    if match is None:
        return None
    tok = index.doc[index.at(match.start())]
    verb = tok.head
    for _ in range(3):
        if verb.pos_ in ("VERB", "AUX") or verb.head.i == verb.i:
            break
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    att = attribute(verb, "before", before_open=index.at(seg.open_mark))
    return att if att.mention is not None else None


def _split_around(last: _Kept | None, seg: QuotedSegment) -> bool:
    """`"I think," he said, "that ..."`: the cue of the first half sits between the halves."""
    if last is None or last.att is None or last.att.where != "after":
        return False
    return last.seg.paragraph == seg.paragraph and last.att.cue.idx < seg.open_mark


def _direct(text: str, doc: Doc | None) -> tuple[list[dict[str, Any]], PersonIndex]:
    segments = find_quoted_segments(text)[:MAX_SEGMENTS]
    index = TokenIndex(doc) if doc is not None else None
    cue_heads = []
    if doc is not None:
        # Only words with a cue lemma are visited: a Token object per verb was a tenth
        # of the quote step.
        for i in lemma_indices(doc, ("VERB", "AUX"), _CUE_WORDS, ("according",)):
            if is_cue(doc[i]) and (head := speaker_head(doc[i])) is not None:
                cue_heads.append(head)
    people = build_people(doc, cue_heads) if doc is not None else PersonIndex()
    quotes: list[dict[str, Any]] = []
    kept: list[QuotedSegment] = []
    last: _Kept | None = None
    headline_cache: dict[tuple[int, int], bool] = {}
    for seg in segments:
        para = seg.paragraph
        if para not in headline_cache:
            headline_cache[para] = looks_like_headline(text[para[0] : para[1]])
        if headline_cache[para] or seg.single or _is_markup(text, seg):
            continue
        inner = text[seg.start : seg.end]
        if looks_like_title(inner) and follows_title_cue(text_before(text, seg)):
            continue
        att = None
        if index is not None and seg.end <= index.covered:
            att = find_attribution(index, seg, text)
            if att is None:
                att = _characterisation(index, seg, text)
        if _split_around(last, seg) and (att is None or att.cue.i == last.att.cue.i):
            assert last is not None and last.att is not None
            speaker = last.speaker
            quotes.append(_quote(text, seg, speaker, last.att.cue.text, _kind(text, seg)))
            last = _Kept(seg, speaker, None)
            kept.append(seg)
            continue
        tagged = _tagged_speaker(text, seg, people) if att is None else None
        if tagged is not None:
            quotes.append(_quote(text, seg, tagged, None, _kind(text, seg)))
            last = _Kept(seg, tagged, None)
            kept.append(seg)
            continue
        if att is not None and att.mention is None and word_count(inner) <= SHORT_QUOTE_WORDS:
            att = None  # a cue nobody is the subject of does not make a word or two a quote
        if att is not None:
            speaker = resolve(att, people)
            quotes.append(_quote(text, seg, speaker, att.cue.text, _kind(text, seg)))
            last = _Kept(seg, speaker, att)
            kept.append(seg)
            continue
        before = text_before(text, seg)
        opens_para = not before.strip() and seg.open_mark - para[0] < 200
        starts_sentence = inner[:1].isupper() and (opens_para or before.rstrip()[-1:] in ".!?")
        if starts_sentence and index is not None and seg.end <= index.covered:
            att = find_previous_sentence(index, seg)
            if att is not None:
                speaker = resolve(att, people)
                quotes.append(_quote(text, seg, speaker, att.cue.text, _kind(text, seg)))
                last = _Kept(seg, speaker, None)
                kept.append(seg)
                continue
        words = word_count(inner)
        if looks_like_title(inner) or (last is None and words < LONG_QUOTE_WORDS):
            continue
        same_para = last is not None and last.seg.paragraph == para
        near = last is not None and (
            seg.continues or (opens_para and para[0] - last.seg.paragraph[1] <= 3)
        )
        inherit = (same_para and starts_sentence) or (near and words >= MIN_UNATTRIBUTED_WORDS)
        if inherit or words >= LONG_QUOTE_WORDS:
            speaker = last.speaker if last is not None else Speaker(None, None, None)
            if not seg.continues and index is not None and seg.end <= index.covered:
                # Someone named before the quote since the last quote: that person, not
                # whoever was quoted last.
                after = last.seg.end if same_para and last is not None else seg.paragraph[0]
                speaker = _subject_before(index, seg, people, after) or speaker
            quotes.append(_quote(text, seg, speaker, None, _kind(text, seg)))
            last = _Kept(seg, speaker, None)
            kept.append(seg)
    _attribute_from_next(quotes, kept)
    return quotes, people


def direct_quotes(text: str, doc: Doc) -> list[dict[str, Any]]:
    """The direct and partial records of one parsed article, before reported speech folds
    any into a mixed record: what `indirect.find_reported` is given (and its training)."""
    return _direct(text, doc)[0]


def _attribute_from_next(quotes: list[dict[str, Any]], segments: list[QuotedSegment]) -> None:
    """`"First paragraph ...\n"... last one," he said.`: a quote whose attribution comes
    after it, at the end of the multi-paragraph quote or later in its paragraph."""
    known = [q["cue"] is not None for q in quotes]
    for i in range(len(quotes) - 2, -1, -1):
        if known[i] or not known[i + 1] or quotes[i + 1]["speaker_start"] is None:
            continue
        seg, nxt = segments[i], segments[i + 1]
        chained = nxt.continues and seg.close_mark is None
        unknown = quotes[i]["speaker_start"] is None and seg.paragraph == nxt.paragraph
        if chained or unknown:
            for key in ("speaker", "speaker_start", "speaker_end"):
                quotes[i][key] = quotes[i + 1][key]
            known[i] = True


PARSE_CHECKS = 32
"""Tokens compared with the body to tell its parse from another text's."""


def _parse_of(text: str, doc: Doc) -> bool:
    """Whether `doc` parses (a prefix of) `text`: the lengths agree and evenly spread
    tokens read the same words at the same offsets. Joining the whole `doc.text` for an
    exact comparison cost a quarter of the quote step."""
    n = len(doc)
    if n == 0:
        return True
    last = doc[n - 1]
    if last.idx + len(last.text_with_ws) > len(text):
        return False
    for i in sorted({0, n - 1, *range(0, n, max(1, n // PARSE_CHECKS))}):
        tok = doc[i]
        words = text[tok.idx : tok.idx + len(tok.text)]
        if words != tok.text and parseable(words) != tok.text:
            return False
    return True


def extract_quotes(
    text: str, doc: Doc | None = None, entities: Sequence[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Quotes of one article body; `doc` is its spaCy parse (of the body or a prefix of it),
    `entities` the article's entity list (`entities.spacy.v1`; computed from `doc` when
    not given): every speaker name is the canonical name of one of them.

    Without a parse (or past the parsed prefix) nothing can be attributed: only long quoted
    stretches are kept, with no speaker. Never raises: a failure on hostile input is
    logged and yields no quotes.
    """
    try:
        if doc is not None and not _parse_of(text, doc):
            doc = None  # a parse of some other text: offsets would be wrong
        quotes, people = _direct(text, doc)
        if doc is not None:
            reported, folded = indirect.find_reported(text, doc, quotes, people)
            quotes = [q for i, q in enumerate(quotes) if i not in folded] + reported
            if entities is None:
                # Imported here: entities.py reads this package's lexicon, so importing
                # it at the top would make the two packages' imports depend on order.
                from pipeline.enrich.entities import extract_entities

                entities = extract_entities(doc)
        link_speakers(text, quotes, EntityIndex.build(entities or []))
        quotes.sort(key=lambda q: q["start"])
        return quotes
    except Exception as exc:  # the stream must survive any article
        log.warning("quote extraction failed", extra={"error": type(exc).__name__})
        return []
