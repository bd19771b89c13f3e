"""Attribution cues and the speaker mention a cue attaches to, read from a spaCy parse.

A quote is attributed when a cue verb (said, told, wrote, ...) stands next to it in
the same paragraph: right after the closing mark (`"...," Mattis said` or
`"...," said Mattis`), or before the opening mark in the same sentence (`Mattis said
the caliphate was "on the run"`, `He said: "..."`). The speaker mention is the
subject of the cue verb (climbing from `saying` to the verb it hangs on, and from
`who` to the noun it describes), or the object of "according to".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from pipeline.enrich.quotes.direct import QuotedSegment
from pipeline.enrich.quotes.lexicon import CUE_LEMMAS

AFTER_WINDOW = 10
"""Tokens after a closing mark in which `, X said` is looked for."""
QUOTE_MARKS = frozenset("\"“”„‟«»＂‘’'")
_SUBJECT_DEPS = ("nsubj", "nsubjpass")
_CLIMB_DEPS = ("advcl", "xcomp", "conj", "pcomp", "acl")


@dataclass(frozen=True)
class Attribution:
    cue: Token
    mention: tuple[int, int] | None
    """Token indices [start, end) of the speaker mention, None when the cue has no subject."""
    head: Token | None
    where: str
    """"after" or "before" the quote."""


def is_cue(token: Token) -> bool:
    if token.lower_ == "according":
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        return nxt is not None and nxt.lower_ == "to"
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in CUE_LEMMAS


def speaker_head(cue: Token) -> Token | None:
    """The token heading the speaker mention of a cue, or None."""
    if cue.lower_ == "according":
        for child in cue.doc[cue.i + 1].children:
            if child.dep_ == "pobj":
                return child
        return None
    verb: Token | None = cue
    for _ in range(3):
        if verb is None:
            break
        for child in verb.children:
            if child.dep_ in _SUBJECT_DEPS:
                if child.lower_ in ("who", "that") and verb.dep_ == "relcl":
                    return verb.head
                return child
        for child in verb.children:
            # `said Mattis`: the parser sometimes makes the inverted subject an object.
            inverted = child.dep_ in ("dobj", "attr", "npadvmod") and 0 < child.i - verb.i <= 3
            if inverted and child.pos_ in ("PROPN", "PRON"):
                return child
        for child in verb.children:
            if child.dep_ == "agent":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        return grand
        verb = verb.head if verb.dep_ in _CLIMB_DEPS and verb.head is not verb else None
    return None


def mention_span(head: Token) -> tuple[int, int]:
    """[start, end) tokens of the noun phrase up to its head: "US Defense Secretary Jim Mattis"."""
    start = head.i
    for tok in reversed(list(head.lefts)):
        if tok.dep_ in ("compound", "det", "amod", "poss", "nmod", "nummod", "flat", "case"):
            start = min(start, tok.left_edge.i)
        else:
            break
    end = head.i + 1
    # A name split by the parser: "Jim" (compound) "Mattis" is fine, but "Mattis" "Jim" rare.
    while (
        end < len(head.doc)
        and head.doc[end].dep_ in ("flat", "compound")
        and head.doc[end].head == head
    ):
        end += 1
    return start, end


class TokenIndex:
    """Character offset -> token, for the part of the text the Doc covers."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._starts = [t.idx for t in doc]
        self.covered = len(doc.text)

    def at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self._starts, char) - 1)


def _attribution(cue: Token, where: str) -> Attribution:
    head = speaker_head(cue)
    mention = mention_span(head) if head is not None else None
    return Attribution(cue, mention, head, where)


def find_after(index: TokenIndex, seg: QuotedSegment) -> Attribution | None:
    if seg.close_mark is None:
        return None
    doc = index.doc
    first = index.at(seg.close_mark) + 1
    for i in range(first, min(first + AFTER_WINDOW, len(doc))):
        tok = doc[i]
        if tok.idx >= seg.paragraph[1] or tok.text in QUOTE_MARKS or "\n" in tok.text:
            return None
        if is_cue(tok):
            att = _attribution(tok, "after")
            # `"...," Mattis said`: the subject sits between the mark and the cue or right after it.
            if att.mention is None or att.mention[0] >= first:
                return att
            return None
        if tok.text in (".", ";") and i > first:
            return None
    return None


def find_before(index: TokenIndex, seg: QuotedSegment) -> Attribution | None:
    doc = index.doc
    open_tok = index.at(seg.open_mark)
    sent = doc[open_tok].sent
    start = sent.start
    if open_tok - start <= 1 and sent.start > 0:
        # `He said:` ending the previous sentence of the same paragraph.
        prev = doc[sent.start - 1].sent
        if prev[-1].text == ":" or (len(prev) > 1 and prev[-2].text == ":"):
            start = prev.start
    for i in range(open_tok - 1, start - 1, -1):
        tok = doc[i]
        if tok.idx < seg.paragraph[0]:
            return None
        if is_cue(tok):
            return _attribution(tok, "before")
    return None


def find_attribution(index: TokenIndex, seg: QuotedSegment, text: str) -> Attribution | None:
    """The cue that attributes this quoted segment, preferring `"...," X said`."""
    inner_end = text[seg.start : seg.end].rstrip()
    if seg.close_mark is not None and inner_end[-1:] in (",", "?", "!", "—", "-"):
        return find_after(index, seg) or find_before(index, seg)
    return find_before(index, seg) or find_after(index, seg)
