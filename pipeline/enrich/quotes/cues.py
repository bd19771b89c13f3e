"""Where the cue of a quoted segment is: after it, before it, a colon, or the sentence before.

Order of preference (`find_attribution`): for a quote ending in a comma, question or
exclamation mark, `"...," X said` right after it; otherwise the cue the quoted words hang
from in the parse, the nearest cue before it in its sentence, a colon (`He said:`), and
last any verb after a comma-ended quote (`"...," Bennett shot back`).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.enrich.quotes.attribution import (
    AFTER_WINDOW,
    LOOKBACK,
    QUOTE_MARKS,
    Attribution,
    TokenIndex,
    attribute,
    is_cue,
    mention_span,
    speaker_head,
)
from pipeline.enrich.quotes.direct import QuotedSegment, text_before


def find_after(index: TokenIndex, seg: QuotedSegment, any_verb: bool = False) -> Attribution | None:
    """`"...," Mattis said`: a cue right after the closing mark whose subject follows the mark.

    With `any_verb`, any verb counts (`"...," Bennett shot back.`): used when the quote ends
    in a comma, where only an attribution can follow in the same sentence.
    """
    if seg.close_mark is None:
        return None
    doc = index.doc
    first = index.at(seg.close_mark) + 1
    for i in range(first, min(first + AFTER_WINDOW, len(doc))):
        tok = doc[i]
        if tok.idx >= seg.paragraph[1] or tok.text in QUOTE_MARKS or "\n" in tok.text:
            return None
        if tok.tag_ == "VBG" and tok.dep_ in ("advcl", "xcomp", "conj", "acl"):
            return None  # `"...," adding that ...`: the sentence's subject, found before
        if is_cue(tok) or (any_verb and tok.pos_ == "VERB" and tok.dep_ != "amod"):
            att = attribute(tok, "after", first)
            # The subject sits between the mark and the cue, or right after the cue.
            if att.mention is not None and att.mention[0] >= first:
                return att
            return None
        if tok.text in (".", ";") and i > first:
            return None
    return None


def _colon_attribution(doc: Doc, colon: int, open_tok: int) -> Attribution | None:
    """`Kaine has adopted the stance: "..."`: the colon is the cue, the clause's subject speaks."""
    verb = doc[colon].head
    head = speaker_head(verb, hi=open_tok) if verb.i < colon else None
    if head is None and colon > 0 and doc[colon - 1].pos_ == "PROPN":
        head = doc[colon - 1]  # `Bush: "The mission is ..."`, a transcript-style speaker tag
    if head is None:
        return None
    return Attribution(doc[colon], mention_span(head), head, "before")


def find_before(index: TokenIndex, seg: QuotedSegment, text: str) -> Attribution | None:
    """A cue before the opening mark: in the same sentence, or in the sentence (or
    paragraph) just before when that ends with a colon (`He said:`)."""
    doc = index.doc
    open_tok = index.at(seg.open_mark)
    sent = doc[open_tok].sent
    start, floor = sent.start, seg.paragraph[0]
    opens_para = not text_before(text, seg).strip()
    before_para = text[max(0, seg.paragraph[0] - 300) : seg.paragraph[0]].rstrip()
    if opens_para and before_para.endswith(":") and open_tok > 0:
        prev = doc[index.at(len(before_para) - 1 + max(0, seg.paragraph[0] - 300))].sent
        start, floor = prev.start, prev.start_char
    elif open_tok - start <= 1 and sent.start > 0:
        prev = doc[sent.start - 1].sent
        if prev[-1].text == ":" or (len(prev) > 1 and prev[-2].text == ":"):
            start = prev.start
    governing = _governing_cue(doc, open_tok, start)
    if governing is not None and governing.idx >= floor:
        return attribute(governing, "before", before_open=open_tok)
    for i in range(open_tok - 1, max(start, open_tok - LOOKBACK) - 1, -1):
        tok = doc[i]
        if tok.idx < floor:
            return None
        if is_cue(tok):
            return attribute(tok, "before", before_open=open_tok)
    if open_tok > 0 and doc[open_tok - 1].text == ":" and doc[open_tok - 1].idx >= floor:
        return _colon_attribution(doc, open_tok - 1, open_tok)
    return None


def _governing_cue(doc: Doc, open_tok: int, start: int) -> Token | None:
    """The cue verb the quoted words hang from in the parse (`called him "a total stiff"`),
    which beats a nearer cue of another clause."""
    if open_tok + 1 >= len(doc):
        return None
    tok = doc[open_tok + 1]
    for _ in range(8):
        if tok.head.i == tok.i:
            return None
        tok = tok.head
        if start <= tok.i < open_tok and is_cue(tok):
            return tok
    return None


def find_previous_sentence(index: TokenIndex, seg: QuotedSegment) -> Attribution | None:
    """`Trump isn't a conservative, he said. "He's a liberal!"`: the cue of the sentence
    just before, in the same paragraph, for a quote that opens its sentence."""
    doc = index.doc
    open_tok = index.at(seg.open_mark)
    sent = doc[open_tok].sent
    if open_tok - sent.start > 1 or sent.start == 0:
        return None
    prev = doc[sent.start - 1].sent
    if prev.start_char < seg.paragraph[0]:
        return None
    for tok in reversed(prev[-LOOKBACK:]):
        if is_cue(tok):
            return attribute(tok, "before", before_open=tok.i + 1)
    return None


def find_attribution(index: TokenIndex, seg: QuotedSegment, text: str) -> Attribution | None:
    """The cue that attributes this quoted segment, preferring `"...," X said`."""
    inner_end = text[seg.start : seg.end].rstrip()
    if seg.close_mark is not None and inner_end[-1:] in (",", "?", "!", "—", "-"):
        return (
            find_after(index, seg)
            or find_before(index, seg, text)
            or (find_after(index, seg, any_verb=True) if inner_end[-1:] == "," else None)
        )
    return find_before(index, seg, text) or find_after(index, seg)
