"""Token facts of one parse that reported-speech candidates and their features read.

Computed once per parse from its arrays (`doc.to_array`) and kept in the Doc's user
data, as short sorted lists and index sets. The trap this avoids: a spaCy Token is a
new Python object on every access, and `Token.sent` walks the parse on every call, so
reading a sentence end or a clause cut through Tokens per candidate cost more than the
scorer; building one Python list per token column cost as much again on a fresh parse.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc

from pipeline.enrich.quotes.attribution import token_arrays

CUT_AFTER_COMMA = frozenset({"although", "though", "whereas"})
"""`..., although he refused`: after a comma, these start the reporter's own words."""


_FACTS = "wirestream_candidate_facts"


@dataclass(frozen=True)
class ParseFacts:
    """The facts of one parse (`parse_facts`)."""

    sentence_starts: list[int]
    verbs: list[int]
    """Indices of verbs and auxiliaries."""
    offsets: numpy.ndarray
    """Character offset of every token."""
    covered: int
    """Character offset of the end of the parse."""
    that: frozenset[int]
    """Indices of the tokens `that`."""
    cuts: list[int]
    """Indices of `;` and of `,` before although/though/whereas."""
    semicolons: frozenset[int]

    def sentence_end(self, i: int, n: int) -> int:
        """The end (exclusive) of token i's sentence in a parse of n tokens."""
        k = bisect.bisect_right(self.sentence_starts, i)
        return self.sentence_starts[k] if k < len(self.sentence_starts) else n

    def has_verb(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.verbs, start)
        return k < len(self.verbs) and self.verbs[k] < end

    def offset(self, i: int) -> int:
        """Character offset of token i; the end of the parse for i = n."""
        return int(self.offsets[i]) if i < len(self.offsets) else self.covered


def _one_of(column: numpy.ndarray, values: list[int]) -> numpy.ndarray:
    # `numpy.isin` sorts: ten times slower than a few comparisons on a 400-token column.
    mask = column == values[0]
    for value in values[1:]:
        mask |= column == value
    return mask


def _indices(mask: numpy.ndarray) -> list[int]:
    return numpy.flatnonzero(mask).tolist()


def parse_facts(doc: Doc) -> ParseFacts:
    found = doc.user_data.get(_FACTS)
    if found is not None:
        return found
    n = len(doc)
    if n == 0:
        empty: frozenset[int] = frozenset()
        found = ParseFacts([], [], numpy.zeros(0, dtype=numpy.uint64), 0, empty, [], empty, empty)
        doc.user_data[_FACTS] = found
        return found
    strings = doc.vocab.strings
    array = token_arrays(doc)
    pos, lower = array[:, 0], array[:, 2]
    starts = doc.to_array([SENT_START]).reshape(-1).astype(numpy.int64)
    semicolons = lower == strings[";"]
    cuts = semicolons.copy()
    followed = _one_of(lower[1:], [strings[w] for w in CUT_AFTER_COMMA])
    cuts[:-1] |= (lower[:-1] == strings[","]) & followed
    last = doc[n - 1]
    found = ParseFacts(
        sentence_starts=_indices(starts == 1),
        verbs=_indices((pos == strings["VERB"]) | (pos == strings["AUX"])),
        offsets=array[:, 3],
        covered=last.idx + len(last.text_with_ws),
        that=frozenset(_indices(lower == strings["that"])),
        cuts=_indices(cuts),
        semicolons=frozenset(_indices(semicolons)),
    )
    doc.user_data[_FACTS] = found
    return found
