"""The model's rule lemmatizer, with one Python call per distinct word form instead of per token.

spaCy's `Lemmatizer` walks every token in Python, and its own cache misses the most
common cases (base forms return before the cache is filled), so on news text it cost
6 % of the parse. A rule lemma depends only on the token's text, POS and morphology
(`rule_lemmatize` and `EnglishLemmatizer.is_base_form` read nothing else), so it is kept
per (ORTH, POS, MORPH) and written back with one `Doc.from_array`. The lemmas are the
lemmatizer's own: on a new combination we call it.

That call was slow too (about 0.2 ms, most of a fresh worker's lemmatizer time): it asks
`form in index` of the model's word lists (57,000 nouns), a linear scan of a list. The
lists are given set membership (`_WordList`), so spaCy's own code runs unchanged.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

_CACHE_LIMIT = 100_000
"""Distinct (word, POS, morphology) combinations kept (about 7,000 after 100 articles);
beyond this the cache restarts: ~15 MB at most."""


class _WordList(list):
    """A list of the lemmatizer's index whose `in` is a set look-up; still the same list."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self._members = frozenset(words)

    def __contains__(self, word: object) -> bool:
        return word in self._members


def _index_as_sets(lemmatizer: Lemmatizer) -> None:
    if "lemma_index" not in lemmatizer.lookups.tables:
        return
    table = lemmatizer.lookups.get_table("lemma_index")
    for pos, words in list(table.items()):
        if isinstance(words, list) and not isinstance(words, _WordList):
            table[pos] = _WordList(words)


class CachedLemmatizer:
    """Drop-in for the model's `lemmatizer`: same lemmas, computed once per word form."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        if lemmatizer.mode != "rule":
            raise ValueError(f"only the rule lemmatizer is cached, not {lemmatizer.mode!r}")
        self.lemmatizer = lemmatizer
        _index_as_sets(lemmatizer)
        self.vocab = lemmatizer.vocab
        self._lemmas: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        overwrite = self.lemmatizer.overwrite
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not overwrite:
                lemmas.append(lemma)  # set by the attribute ruler's exceptions
                continue
            key = (orth, pos, morph)
            value = self._lemmas.get(key)
            if value is None:
                value = self.vocab.strings.add(self.lemmatizer.lemmatize(doc[i])[0])
                if len(self._lemmas) >= _CACHE_LIMIT:
                    self._lemmas.clear()
                self._lemmas[key] = value
            lemmas.append(value)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)
