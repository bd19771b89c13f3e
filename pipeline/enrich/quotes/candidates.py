"""Candidate reported-speech attributions read from a parse: a cue token and its content.

Every verb (and a few nouns and prepositions) proposes the spans it could be reporting,
one per grammatical shape: its clause (`said that ...`, `..., he said`), its
infinitive (`vowed to ...`), its object (`criticized the plan`), its prepositional
object (`accused him of ...`, `called for ...`), a noun's clause (`the claim that ...`)
and `according to X` (the rest of the sentence). Which candidates are attributions is
not decided here: `indirect.py` looks each (cue lemma, shape) up in a table learned on
PolNeAR train (`pipeline/training/quote_cues.py`) and `scorer.py` weighs the rates with
what the candidate knows about itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import NamedTuple

from spacy.tokens import Doc, Token

from pipeline.enrich.quotes.attribution import lemma_indices, token_indices
from pipeline.enrich.quotes.parse_facts import parse_facts

_EDGE_PUNCT = frozenset(",;:—–-")
_PREP_CONTENT = frozenset({"of", "for", "about", "to", "on", "over", "against", "as", "with"})


_OPENING_MARKS = ('"', "“", "'", "‘")


Kids = tuple[tuple[Token, str], ...]
"""A cue's children with their dependency labels, read once per cue: every Token the
parse hands out is a new Python object, and the cue's children were read five times."""


def kids_of(tok: Token) -> Kids:
    return tuple((child, child.dep_) for child in tok.children)


class Candidate(NamedTuple):
    """A cue token and one content span it proposes. A named tuple, not a dataclass: a
    frozen dataclass's constructor cost a tenth of the scorer's time."""

    cue: Token
    shape: str
    """ccomp, xcomp, dobj, prep:<word>, noun-ccomp, according, parataxis."""
    raw_start: int
    raw_end: int
    """Token indices [start, end) of the content before trimming (`span`)."""
    kids: Kids = ()
    """The cue's children (`kids_of`), when the generator read them."""
    lemma: str = ""
    """`cue_lemma(cue)`, when the generator read it."""

    def span(self) -> tuple[int, int]:
        """Token indices [start, end) of the content, edge punctuation trimmed. Computed on
        demand: most candidates are dropped by their key before anyone asks."""
        return _trim(self.cue.doc, self.raw_start, self.raw_end)

    @property
    def key(self) -> str:
        return f"{cue_lemma(self.cue)}|{self.shape}"

    @property
    def specific_key(self) -> str:
        """`lemma|shape|s` when the cue has a subject, else `lemma|shape|-`."""
        return f"{self.key}|{'s' if has_subject(self.cue) else '-'}"


_SUBJECTS = frozenset({"nsubj", "nsubjpass", "agent", "poss", "csubj"})


def has_subject(tok: Token, kids: Kids = ()) -> bool:
    """The cue names who speaks: a subject, an agent, a possessor; or it climbs to one
    (`..., saying`, `wants to say`). `kids`: the cue's `kids_of`, if already read."""
    for depth in range(2):
        deps = (d for _, d in kids) if depth == 0 and kids else (c.dep_ for c in tok.children)
        if any(d in _SUBJECTS for d in deps):
            return True
        if tok.dep_ not in ("xcomp", "advcl", "conj", "acl") or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


_PERSON_PRONOUNS = frozenset({"he", "she", "i", "we", "they", "who"})
_ORG_ENTS = frozenset({"ORG", "GPE", "NORP"})


def subject_kind(tok: Token, kids: Kids = ()) -> str:
    """What the cue's own subject (or a noun cue's possessor) is: `person` (a name or
    he/she/they), `org` (an organisation or country name), `pronoun` (it, this), `noun`
    (`the plan`, `the report`) or `none`. A person or organisation reports far more
    often than `the plan` does."""
    for child, dep in kids or kids_of(tok):
        if dep in _SUBJECTS:
            pos = child.pos_
            if pos == "PRON":
                return "person" if child.lower_ in _PERSON_PRONOUNS else "pronoun"
            if child.ent_type_ in _ORG_ENTS:
                return "org"
            if pos == "PROPN" or child.ent_type_ == "PERSON":
                return "person"
            return "noun"
    return "none"


def cue_lemma(tok: Token) -> str:
    return tok.lemma_.lower() if tok.lemma_ else tok.lower_


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_punct or doc[start].is_space):
        if doc[start].text in _OPENING_MARKS:
            break  # an opening quotation mark belongs to the content
        start += 1
    while end > start and (doc[end - 1].text in _EDGE_PUNCT or doc[end - 1].is_space):
        end -= 1
    if end > start and doc[end - 1].text == "." and end - 1 > start:
        end -= 1
    cut = _first_cut(doc, start + 3, end)
    if cut is not None:
        # `...; they only learned on Friday`, `..., although he refused`: the reporter's
        # own sentence goes on.
        return _trim(doc, start, cut)
    return start, end


def _first_cut(doc: Doc, lo: int, end: int) -> int | None:
    """The first `;`, or `,` before although/though/whereas, in tokens [lo, end) (the
    word after a comma must be inside the span too)."""
    facts = parse_facts(doc)
    cuts = facts.cuts
    for k in range(bisect.bisect_left(cuts, lo), len(cuts)):
        i = cuts[k]
        if i >= end:
            return None
        if i in facts.semicolons or i + 1 < end:
            return i
    return None


def _subtree(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i + 1


_STOP_DEPS = frozenset({"cc", "conj", "advcl", "parataxis"})
_OBJECT_DEPS = frozenset({"dobj", "attr", "xcomp", "ccomp", "prep", "dative", "oprd", "acomp"})


def _tail_end(tok: Token, kids: Kids, after: int) -> int:
    """Where the cue's own right-hand material ends, from token `after` on: up to a
    coordinated clause or another clause of the cue (`..., saying ...`)."""
    end = after
    for child, dep in kids:
        if child.i < after or child.i < tok.i:
            continue
        if dep in _STOP_DEPS or (dep == "punct" and child.text in (";", "—", "--")):
            break
        end = max(end, child.right_edge.i + 1)
    return end


def _verb_candidates(
    tok: Token, kids: Kids, shapes: frozenset[str] | None, lemma: str
) -> Iterator[Candidate]:
    """The verb's candidates of the `shapes` its lemma has table keys for: a shape the
    table has no rate for would be dropped anyway, so its subtree is never walked."""
    i = tok.i
    for child, dep in kids:
        if dep == "ccomp":
            if shapes is not None and "ccomp" not in shapes:
                continue
            start, end = _subtree(child)
            if child.i > i:
                # `said that X, with Y`: what else hangs from the cue is still the report.
                end = _tail_end(tok, kids, end)
            yield Candidate(tok, "ccomp", start, end, kids, lemma)
        elif dep == "xcomp" and child.i > i:
            if shapes is None or "xcomp" in shapes:
                yield Candidate(tok, "xcomp", *_subtree(child), kids, lemma)
        elif dep in ("dobj", "attr") and child.i > i:
            if shapes is None or "dobj" in shapes:
                yield Candidate(tok, "dobj", *_subtree(child), kids, lemma)
        elif dep == "prep" and child.i > i and child.lower_ in _PREP_CONTENT:
            shape = f"prep:{child.lower_}"
            if shapes is not None and shape not in shapes:
                continue
            for grand in child.children:
                if grand.dep_ in ("pobj", "pcomp"):
                    start, end = _subtree(grand)
                    yield Candidate(tok, shape, start, end, kids, lemma)
                    break
    if shapes is None or "rest" in shapes:
        rights = [(c, d) for c, d in kids if c.i > i and d in _OBJECT_DEPS]
        if len(rights) >= 2:
            # `blasted the media for being dishonest`, `called on Obama to retaliate`.
            first, dep = rights[0]
            start = first.i + 1 if dep == "prep" else first.left_edge.i
            yield Candidate(tok, "rest", start, _tail_end(tok, kids, start), kids, lemma)
    if (shapes is None or "parataxis" in shapes) and tok.dep_ in ("parataxis", "ccomp"):
        head = tok.head
        has_subject = any(d in ("nsubj", "nsubjpass") for _, d in kids)
        if has_subject and head.pos_ in ("VERB", "AUX"):
            # `Those who vote, he said, must register` / `Many were older, she said, and
            # ...`: the report is the sentence around the cue.
            sent = tok.sent
            yield Candidate(tok, "parataxis", sent.start, sent.end, kids, lemma)


def _noun_candidates(
    tok: Token, kids: Kids, shapes: frozenset[str] | None, lemma: str
) -> Iterator[Candidate]:
    doc = tok.doc
    for child, dep in kids:
        if dep in ("acl", "ccomp") and child.i > tok.i:
            if shapes is not None and "noun-ccomp" not in shapes:
                continue
            first = doc[child.left_edge.i]
            if dep == "ccomp" or first.lower_ == "that":
                yield Candidate(tok, "noun-ccomp", *_subtree(child), kids, lemma)
        elif dep == "prep" and child.lower_ in ("of", "for", "about", "on"):
            shape = f"noun-prep:{child.lower_}"
            if shapes is not None and shape not in shapes:
                continue
            for grand in child.children:
                if grand.dep_ in ("pobj", "pcomp"):
                    start, end = _subtree(grand)
                    yield Candidate(tok, shape, start, end, kids, lemma)
                    break


def _according(tok: Token) -> Candidate:
    """`According to X, the plan failed.` / `The plan failed, according to X.`"""
    doc = tok.doc
    prep_start, prep_end = tok.i, doc[tok.i + 1].right_edge.i + 1
    sent = tok.sent
    if prep_start - sent.start <= 1:
        return Candidate(tok, "according", prep_end, sent.end)
    if sent.end - prep_end <= 2:
        return Candidate(tok, "according", sent.start, prep_start)
    # `The plan, according to X, failed`: the sentence around it.
    return Candidate(tok, "according", sent.start, sent.end)


def candidates(
    doc: Doc,
    shapes: dict[str, frozenset[str]] | None = None,
    lemmas: frozenset[str] | None = None,
    quoted: list[tuple[int, int]] | None = None,
) -> Iterator[Candidate]:
    """Every candidate of the parse, in token order; with `shapes` (lemma -> the shapes
    worth proposing), only those of cues with one of these lemmas (and `according to`),
    found without visiting other words; `lemmas` is `frozenset(shapes)`, kept by the
    caller so that the lemma lookup keys are computed once, not per parse. Cues inside
    the sorted, disjoint character spans `quoted` (direct quotes: the quoted speaker's
    words, never a report) propose nothing."""
    n = len(doc)
    if shapes is None:
        indices = token_indices(doc, ("VERB", "NOUN"), ("according",))
    else:
        indices = lemma_indices(doc, ("VERB", "NOUN"), lemmas or frozenset(shapes), ("according",))
    facts = parse_facts(doc) if shapes is not None or quoted else None
    quote_starts = [s for s, _ in quoted] if quoted else []
    for i in indices:
        if quoted and facts is not None:
            at = facts.offset(i)
            k = bisect.bisect_right(quote_starts, at) - 1
            if k >= 0 and at < quoted[k][1]:
                continue
        tok = doc[i]
        pos = tok.pos_
        if tok.lower_ == "according" and tok.i + 1 < n and doc[tok.i + 1].lower_ == "to":
            yield _according(tok)
        elif pos in ("VERB", "NOUN"):
            lemma = cue_lemma(tok)
            allowed = None if shapes is None else shapes.get(lemma)
            if shapes is not None and allowed is None:
                continue
            if pos == "VERB":
                yield from _verb_candidates(tok, kids_of(tok), allowed, lemma)
            else:
                yield from _noun_candidates(tok, kids_of(tok), allowed, lemma)
