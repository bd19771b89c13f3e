"""Candidate reported-speech attributions read from a parse: a cue token and its content.

Every verb (and a few nouns and prepositions) proposes the spans it could be reporting,
one per grammatical shape: its clause (`said that ...`, `..., he said`), its
infinitive (`vowed to ...`), its object (`criticized the plan`), its prepositional
object (`accused him of ...`, `called for ...`), a noun's clause (`the claim that ...`)
and `according to X` (the rest of the sentence). Which candidates are attributions is
not decided here: `reported.py` looks each (cue lemma, shape) up in a table learned on
PolNeAR train (`pipeline/training/quote_cues.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc, Token

from pipeline.enrich.quotes.attribution import _any_of, lemma_indices, token_arrays, token_indices

_EDGE_PUNCT = frozenset(",;:—–-")
_PREP_CONTENT = frozenset({"of", "for", "about", "to", "on", "over", "against", "as", "with"})


_CUT_AFTER_COMMA = frozenset({"although", "though", "whereas"})


@dataclass(frozen=True)
class Candidate:
    cue: Token
    shape: str
    """ccomp, xcomp, dobj, prep:<word>, noun-ccomp, according, parataxis."""
    raw_start: int
    raw_end: int
    """Token indices [start, end) of the content before trimming (`span`)."""

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


def has_subject(tok: Token) -> bool:
    """The cue names who speaks: a subject, an agent, a possessor; or it climbs to one
    (`..., saying`, `wants to say`)."""
    for _ in range(2):
        if any(c.dep_ in _SUBJECTS for c in tok.children):
            return True
        if tok.dep_ not in ("xcomp", "advcl", "conj", "acl") or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


_PERSON_PRONOUNS = frozenset({"he", "she", "i", "we", "they", "who"})
_ORG_ENTS = frozenset({"ORG", "GPE", "NORP"})


def subject_kind(tok: Token) -> str:
    """What the cue's own subject (or a noun cue's possessor) is: `person` (a name or
    he/she/they), `org` (an organisation or country name), `pronoun` (it, this), `noun`
    (`the plan`, `the report`) or `none`. A person or organisation reports far more
    often than `the plan` does."""
    for child in tok.children:
        if child.dep_ in _SUBJECTS:
            pos = child.pos_
            if pos == "PRON":
                return "person" if child.lower_ in _PERSON_PRONOUNS else "pronoun"
            if child.ent_type_ in _ORG_ENTS:
                return "org"
            if pos == "PROPN" or child.ent_type_ == "PERSON":
                return "person"
            return "noun"
    return "none"


_SENT_ENDS = "wirestream_sentence_ends"


def sentence_ends(doc: Doc) -> list[int]:
    """For every token, the end (exclusive) of its sentence; read once per parse from the
    sentence-start array (`Token.sent` walks the parse on every call)."""
    found = doc.user_data.get(_SENT_ENDS)
    if found is None:
        starts = doc.to_array([SENT_START]).reshape(-1).tolist() if len(doc) else []
        found = [0] * len(starts)
        end = len(starts)
        for i in range(len(starts) - 1, -1, -1):
            found[i] = end
            if starts[i] == 1:
                end = i
        doc.user_data[_SENT_ENDS] = found
    return found


_VERBS = "wirestream_verb_mask"


def verb_mask(doc: Doc) -> numpy.ndarray:
    """Whether each token is a verb or auxiliary, from the parse's POS array (once per
    parse): `content holds a verb` is then a slice, not a walk over Tokens."""
    found = doc.user_data.get(_VERBS)
    if found is None:
        pos = token_arrays(doc)[:, 0] if len(doc) else numpy.zeros(0, dtype=numpy.uint64)
        strings = doc.vocab.strings
        found = (pos == strings["VERB"]) | (pos == strings["AUX"])
        doc.user_data[_VERBS] = found
    return found


def cue_lemma(tok: Token) -> str:
    return tok.lemma_.lower() if tok.lemma_ else tok.lower_


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_punct or doc[start].is_space):
        if doc[start].text in ('"', "“", "'", "‘"):
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
    """The first `;`, or `,` before although/though/whereas, in tokens [lo, end); read
    from the parse's lowercase array, not one Token object per content word."""
    if end - lo <= 0:
        return None
    lower = token_arrays(doc)[:, 2]
    strings = doc.vocab.strings
    window = lower[lo:end]
    hits = window == strings[";"]
    after = lower[lo + 1 : end]  # the word after each comma, inside the span
    if len(after):
        follows = _any_of(after, [strings[w] for w in _CUT_AFTER_COMMA])
        hits[:-1] |= (window[:-1] == strings[","]) & follows
    found = numpy.flatnonzero(hits)
    return lo + int(found[0]) if len(found) else None


def _subtree(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i + 1


_STOP_DEPS = frozenset({"cc", "conj", "advcl", "parataxis"})
_OBJECT_DEPS = frozenset({"dobj", "attr", "xcomp", "ccomp", "prep", "dative", "oprd", "acomp"})


def _tail_end(tok: Token, after: int) -> int:
    """Where the cue's own right-hand material ends, from token `after` on: up to a
    coordinated clause or another clause of the cue (`..., saying ...`)."""
    end = after
    for child in tok.rights:
        if child.i < after:
            continue
        if child.dep_ in _STOP_DEPS or (child.dep_ == "punct" and child.text in (";", "—", "--")):
            break
        end = max(end, child.right_edge.i + 1)
    return end


def _verb_candidates(tok: Token, shapes: frozenset[str] | None) -> Iterator[Candidate]:
    """The verb's candidates of the `shapes` its lemma has table keys for: a shape the
    table has no rate for would be dropped anyway, so its subtree is never walked."""
    for child in tok.children:
        dep = child.dep_
        if dep == "ccomp":
            if shapes is not None and "ccomp" not in shapes:
                continue
            start, end = _subtree(child)
            if child.i > tok.i:
                # `said that X, with Y`: what else hangs from the cue is still the report.
                end = _tail_end(tok, end)
            yield Candidate(tok, "ccomp", start, end)
        elif dep == "xcomp" and child.i > tok.i:
            if shapes is None or "xcomp" in shapes:
                yield Candidate(tok, "xcomp", *_subtree(child))
        elif dep in ("dobj", "attr") and child.i > tok.i:
            if shapes is None or "dobj" in shapes:
                yield Candidate(tok, "dobj", *_subtree(child))
        elif dep == "prep" and child.i > tok.i and child.lower_ in _PREP_CONTENT:
            shape = f"prep:{child.lower_}"
            if shapes is not None and shape not in shapes:
                continue
            for grand in child.children:
                if grand.dep_ in ("pobj", "pcomp"):
                    start, end = _subtree(grand)
                    yield Candidate(tok, shape, start, end)
                    break
    if shapes is None or "rest" in shapes:
        rights = [c for c in tok.rights if c.dep_ in _OBJECT_DEPS]
        if len(rights) >= 2:
            # `blasted the media for being dishonest`, `called on Obama to retaliate`.
            first = rights[0]
            start = first.i + 1 if first.dep_ == "prep" else first.left_edge.i
            yield Candidate(tok, "rest", start, _tail_end(tok, start))
    if (shapes is None or "parataxis" in shapes) and tok.dep_ in ("parataxis", "ccomp"):
        head = tok.head
        has_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
        if has_subject and head.pos_ in ("VERB", "AUX"):
            # `Those who vote, he said, must register` / `Many were older, she said, and
            # ...`: the report is the sentence around the cue.
            sent = tok.sent
            yield Candidate(tok, "parataxis", sent.start, sent.end)


def _noun_candidates(tok: Token, shapes: frozenset[str] | None) -> Iterator[Candidate]:
    doc = tok.doc
    for child in tok.children:
        if child.dep_ in ("acl", "ccomp") and child.i > tok.i:
            if shapes is not None and "noun-ccomp" not in shapes:
                continue
            first = doc[child.left_edge.i]
            if child.dep_ == "ccomp" or first.lower_ == "that":
                yield Candidate(tok, "noun-ccomp", *_subtree(child))
        elif child.dep_ == "prep" and child.lower_ in ("of", "for", "about", "on"):
            shape = f"noun-prep:{child.lower_}"
            if shapes is not None and shape not in shapes:
                continue
            for grand in child.children:
                if grand.dep_ in ("pobj", "pcomp"):
                    start, end = _subtree(grand)
                    yield Candidate(tok, shape, start, end)
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
) -> Iterator[Candidate]:
    """Every candidate of the parse, in token order; with `shapes` (lemma -> the shapes
    worth proposing), only those of cues with one of these lemmas (and `according to`),
    found without visiting other words; `lemmas` is `frozenset(shapes)`, kept by the
    caller so that the lemma lookup keys are computed once, not per parse."""
    n = len(doc)
    if shapes is None:
        indices = token_indices(doc, ("VERB", "NOUN"), ("according",))
    else:
        indices = lemma_indices(doc, ("VERB", "NOUN"), lemmas or frozenset(shapes), ("according",))
    for i in indices:
        tok = doc[i]
        pos = tok.pos_
        if tok.lower_ == "according" and tok.i + 1 < n and doc[tok.i + 1].lower_ == "to":
            yield _according(tok)
        elif pos in ("VERB", "NOUN"):
            allowed = None if shapes is None else shapes.get(cue_lemma(tok))
            if shapes is not None and allowed is None:
                continue
            if pos == "VERB":
                yield from _verb_candidates(tok, allowed)
            else:
                yield from _noun_candidates(tok, allowed)
