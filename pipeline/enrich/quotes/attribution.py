"""Attribution cues and the speaker mention a cue attaches to, read from a spaCy parse.

A cue is a reporting verb (said, told, wrote, ...; `cues.py` decides which cue belongs
to a quote). The speaker mention is the subject of the cue verb (climbing from `saying`
to the clause it reports for, and from `who` to the noun it describes), the inverted
subject of `"...," said Mattis`, or the object of "according to".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy
from spacy.attrs import IDX, LEMMA, LOWER, POS
from spacy.tokens import Doc, Token

from pipeline.enrich.quotes.lexicon import CUE_LEMMAS, ROLE_NOUNS

AFTER_WINDOW = 25
"""Tokens after a closing mark in which `, X said` is looked for."""
LOOKBACK = 80
"""Tokens before an opening mark searched for its cue; bounds the work per quote."""
QUOTE_MARKS = frozenset(['"', "“", "”", "„", "‟", "«", "»", "＂", "‘", "’", "'", "''", "``"])
_SUBJECT_DEPS = ("nsubj", "nsubjpass")
_NOT_SPEAKERS = frozenset({"DATE", "TIME", "MONEY", "QUANTITY", "ORDINAL"})
_CLIMB_DEPS = ("advcl", "xcomp", "conj", "pcomp", "acl")


@dataclass(frozen=True)
class Attribution:
    cue: Token
    mention: tuple[int, int] | None
    """Token indices [start, end) of the speaker mention, None when the cue has no subject."""
    head: Token | None
    """The token naming the speaker: the mention's head, or the noun a `who` refers to."""
    where: str
    """"after" or "before" the quote."""


_INVERTED_PRONOUNS = frozenset({"he", "she", "they", "i", "we"})
_INVERSION_LEMMAS = frozenset(
    {"say", "add", "ask", "write", "continue", "explain", "reply", "respond", "note", "tweet"}
)


_ARRAYS = "wirestream_token_arrays"
_COLUMNS = (POS, LEMMA, LOWER, IDX)


def token_arrays(doc: Doc) -> numpy.ndarray:
    """POS, LEMMA, LOWER and IDX of every token, read once per parse (kept in its user
    data): building a Token object per word is most of the quote step's cost, and most
    words are of no interest to it."""
    found = doc.user_data.get(_ARRAYS)
    if found is None:
        found = doc.to_array(list(_COLUMNS)).reshape(len(doc), len(_COLUMNS))
        doc.user_data[_ARRAYS] = found
    return found


def _hashes(doc: Doc, names: tuple[str, ...] | frozenset[str]) -> list[int]:
    strings = doc.vocab.strings
    return [strings[n] for n in names]


def _any_of(column: numpy.ndarray, values: list[int]) -> numpy.ndarray:
    mask = numpy.zeros(len(column), dtype=bool)
    for value in values:
        mask |= column == value
    return mask


def token_indices(doc: Doc, pos: tuple[str, ...], words: tuple[str, ...] = ()) -> list[int]:
    """Indices of the tokens with one of the parts of speech `pos` or one of the lowercase
    `words`, without visiting the others."""
    if not len(doc):
        return []
    array = token_arrays(doc)
    mask = _any_of(array[:, 0], _hashes(doc, pos))
    if words:
        mask |= _any_of(array[:, 2], _hashes(doc, words))
    return numpy.flatnonzero(mask).tolist()


_LEMMA_KEYS: dict[int, tuple[frozenset[str], frozenset[int]]] = {}


def lemma_indices(
    doc: Doc, pos: tuple[str, ...], lemmas: frozenset[str], words: tuple[str, ...] = ()
) -> list[int]:
    """Like `token_indices`, but a token of `pos` must also have one of `lemmas`
    (compared lowercased, as `candidates.cue_lemma` does)."""
    if not len(doc):
        return []
    known = _LEMMA_KEYS.get(id(lemmas))
    if known is None or known[0] is not lemmas:
        keys = frozenset(doc.vocab.strings[w] for x in lemmas for w in (x, x.capitalize()))
        known = _LEMMA_KEYS[id(lemmas)] = (lemmas, keys)
    keys = known[1]
    array = token_arrays(doc)
    of_pos = numpy.flatnonzero(_any_of(array[:, 0], _hashes(doc, pos)))
    # One conversion to Python ints, then set lookups: `int(column[i])` per word cost
    # more than the rest of the lookup.
    lemmas_of_pos = array[of_pos, 1].tolist()
    found = [i for i, lemma in zip(of_pos.tolist(), lemmas_of_pos, strict=True) if lemma in keys]
    if words:
        found += numpy.flatnonzero(_any_of(array[:, 2], _hashes(doc, words))).tolist()
        found.sort()
    return found


def is_cue(token: Token) -> bool:
    if token.lower_ == "according":
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        return nxt is not None and nxt.lower_ == "to"
    if token.pos_ not in ("VERB", "AUX"):
        return False
    lemma = token.lemma_.lower()
    if (
        token.i >= 2
        and token.doc[token.i - 2].lower_ == "so"
        and token.doc[token.i - 1].text == "-"
    ):
        return False  # `so-called`: the classic scare quote, not a report
    if lemma == "put":  # `as Trévidic put it, "..."`
        return token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "it"
    return lemma in CUE_LEMMAS


def _can_speak(tok: Token) -> bool:
    """Not a date, time or amount ("Wednesday called"), but "the 46-year-old" and a poll
    share ("Twenty-four percent said", PolNeAR's source of such reports) can speak; not the
    capitals of a dateline (`LONDON (Reuters) - Donald Trump said`)."""
    if tok.ent_type_ in _NOT_SPEAKERS and not tok.lower_.endswith("-old"):
        return False
    # `Token.sent` walks the parse: asked last, only of all-capitals words.
    text = tok.text
    return not (text.isupper() and len(text) > 2 and tok.i == tok.sent.start)


def _inverted_subject(verb: Token) -> Token | None:
    """`"...," said Mattis`: the parser sometimes makes the inverted subject an object."""
    if verb.lemma_.lower() not in _INVERSION_LEMMAS or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    for child in verb.children:
        near = child.dep_ in ("dobj", "attr", "npadvmod", "dative") and 0 < child.i - verb.i <= 4
        if near and (child.pos_ == "PROPN" or child.lower_ in _INVERTED_PRONOUNS):
            return child
    return None


def speaker_head(
    cue: Token, inverted_ok: bool = False, lo: int = 0, hi: int | None = None
) -> Token | None:
    """The token heading the speaker mention of a cue, or None.

    Only subjects between token indices `lo` and `hi` count: the parser sometimes also
    hangs a noun from inside the quote on the cue as a second subject.
    """
    hi = len(cue.doc) if hi is None else hi
    if cue.lower_ == "according":
        for child in cue.doc[cue.i + 1].children:
            if child.dep_ == "pobj":
                return child
        return None
    verb: Token | None = cue
    for depth in range(3):
        if verb is None:
            break
        for child in verb.children:
            if child.dep_ in _SUBJECT_DEPS and lo <= child.i < hi and _can_speak(child):
                return child
        if depth == 0 and inverted_ok and (inverted := _inverted_subject(verb)) is not None:
            return inverted
        for child in verb.children:
            if child.dep_ == "agent":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        return grand
        verb = _climb(verb)
    return None


def _climb(verb: Token) -> Token | None:
    """The verb whose subject a subject-less cue shares (`..., saying`, `wants to say`)."""
    # Tokens are views created on access: compare indices, never identity.
    if verb.dep_ not in _CLIMB_DEPS or verb.head.i == verb.i:
        return None
    if verb.tag_ == "VBG" and verb.dep_ in ("advcl", "acl"):
        # `He confirmed a statement by Gedney, who said ..., saying they attacked`: the
        # participle goes on with the nearest report before it in its sentence.
        for i in range(verb.i - 1, verb.sent.start - 1, -1):
            if _reports(verb.doc[i]):
                return verb.doc[i]
    if verb.tag_ == "VBG" and verb.dep_ in ("advcl", "acl"):
        # `Trump issued a statement saying ...`: the participle reports the main clause's
        # subject, not that of whatever noun or clause the parser hung it from.
        root = verb.sent.root
        if root.i == verb.i and verb.sent.start > 0:
            # The parser split `..., saying` off as a sentence of its own.
            root = verb.doc[verb.sent.start - 1].sent.root
        return root if root.i != verb.i else None
    head = verb.head
    for _ in range(4):
        if head.pos_ not in ("NOUN", "PROPN") or head.head.i == head.i:
            break
        head = head.head
    return head


def _reports(verb: Token) -> bool:
    """A reporting verb (`said`, `wrote`) with a subject of its own."""
    return (
        verb.pos_ == "VERB"
        and verb.lemma_.lower() in ("say", "tell", "write", "add", "tweet", "state")
        and any(c.dep_ in _SUBJECT_DEPS for c in verb.children)
    )


_CHUNKS = "wirestream_noun_chunks"


def _noun_chunks(tok: Token) -> list[tuple[int, int, int]]:
    """(start, end, root) of the noun chunks of tok's sentence, computed once per sentence
    and parse (kept in the Doc's user data: the quote step asks again per cue)."""
    doc = tok.doc
    cache = doc.user_data.setdefault(_CHUNKS, {})
    sent = tok.sent
    found = cache.get(sent.start)
    if found is None:
        # The language's chunker run on the sentence alone: `Span.noun_chunks` chunks the
        # whole Doc and filters (milliseconds per long article, per sentence asked).
        found = [(s, e, doc[s:e].root.i) for s, e, _ in doc.noun_chunks_iterator(sent)]
        cache[sent.start] = found
    return found


def _fallback_head(cue: Token, where: str, after_close: int) -> Token | None:
    """When the parse gives the cue no subject, the nearest name next to it."""
    doc = cue.doc
    if where == "after":
        between = [t for t in doc[after_close : cue.i] if t.pos_ in ("PROPN", "PRON", "NOUN")]
        if between:
            return between[0] if between[0].pos_ == "PRON" else _run_end(between[0])
        if cue.i - after_close > 2:
            return None  # only `"...," said X` puts the speaker after the cue
        nxt = cue.i + 1
        if nxt < len(doc) and (doc[nxt].pos_ == "PROPN" or doc[nxt].lower_ in _INVERTED_PRONOUNS):
            return _run_end(doc[nxt])
        for start, _, root in _noun_chunks(cue):
            if cue.i < start <= cue.i + 2 and _can_speak(doc[root]):
                return doc[root]  # `said Oversight ranking Democrat Elijah Cummings`
        return None
    nxt = cue.i + 1
    if cue.i == cue.sent.start and nxt < len(doc) and doc[nxt].pos_ == "PROPN":
        return _run_end(doc[nxt])  # `Said Ellis: "..."`
    for _, chunk_end, root_i in reversed(_noun_chunks(cue)):
        root = doc[root_i]
        if (
            chunk_end <= cue.i
            and _can_speak(root)
            and (
                root.pos_ == "PROPN"
                or root.lower_ in _INVERTED_PRONOUNS
                or root.lemma_ in ROLE_NOUNS
            )
        ):
            return root
    return None


def _run_end(tok: Token) -> Token:
    """The last token of the proper-noun run starting at tok ("Edward Leamer")."""
    doc = tok.doc
    i = tok.i
    while i + 1 < len(doc) and doc[i + 1].pos_ == tok.pos_ == "PROPN":
        i += 1
    return doc[i]


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
        self._starts = token_arrays(doc)[:, 3].tolist() if len(doc) else []
        # The end of the last token: `len(doc.text)` without joining the whole text again.
        self.covered = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0

    def at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self._starts, char) - 1)


def attribute(
    cue: Token, where: str, after_close: int = 0, before_open: int | None = None
) -> Attribution:
    """The speaker mention of a cue whose quote lies `where` ("after"/"before") it."""
    if where == "after":
        # Inversion only right after the mark: `"...," said Mattis`, not `..., asking Trump`.
        head = speaker_head(cue, inverted_ok=cue.i - after_close <= 2, lo=after_close)
    else:
        head = speaker_head(cue, hi=before_open)
    if head is None:
        head = _fallback_head(cue, where, after_close)
    if head is None:
        return Attribution(cue, None, None, where)
    if head.lower_ in ("who", "that") and head.head.dep_ == "relcl":
        # `Gedney, who said ...`: the mention is `who`, the name is the noun it describes.
        return Attribution(cue, (head.i, head.i + 1), head.head.head, where)
    return Attribution(cue, mention_span(head), head, where)
