"""Weighted terms of an article: the lexical half of story similarity.

The embedding says two texts are about the same kind of thing ("an earthquake", "a phone
launch"); the rare words they share (names, places, numbers) say it is the same event. The
weights are TF-IDF with document frequencies counted online over the stream itself, so the
assigner needs no corpus shipped with it and adapts to what the wires talk about this week.
Terms are hashed to ints (a bounded table, no vocabulary to grow without limit).
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

HASH_BUCKETS = 1 << 20
"""Document-frequency table size: 4 MB of int32; collisions among rare words are harmless."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+|\d[\d,.]*\d|\d")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my no nor not now of off on once only or other our
    ours out over own said same says she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours told according reported
    report reports reportedly new one two also like get got us mr mrs ms may might must
    year years day days time week last first""".split()
)


BODY_CHARS = 6000
"""Body characters read for terms: the names and numbers of the whole story, not only its lede
(the embedding reads the lede); 6,000 characters hold 95% of wire stories whole."""


def story_text(record: Mapping) -> str:
    """Headline and body, the text whose terms a story is matched on."""
    headline = (record.get("headline") or "").strip()
    body = (record.get("body") or "").strip()[:BODY_CHARS]
    return f"{headline}\n\n{body}".strip()


_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """A light suffix strip: `crashed`, `crashes`, `crashing` and `crash` meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[tuple[str, bool]]:
    """(stemmed lower-case word, capitalised in the text) for each content word."""
    out = []
    for match in _WORD.finditer(text):
        raw = match.group().replace("’", "'")
        word = raw.lower()
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip("'-")
        if len(word) > 1 and word not in STOPWORDS:
            out.append((stem(word), raw[0].isupper()))
    return out


def term_id(word: str) -> int:
    return zlib.crc32(word.encode("utf-8")) % HASH_BUCKETS


def term_counts(text: str, name_boost: float = 1.0) -> Counter[int]:
    """Term counts; a word ever written capitalised (a name, mostly) counts `name_boost` times."""
    words = tokens(text)
    counts = Counter(term_id(word) for word, _ in words)
    if name_boost != 1.0:
        names = {term_id(word) for word, capitalised in words if capitalised}
        for term in names:
            counts[term] *= name_boost
    return counts


class DocumentFrequencies:
    """Online document frequencies over the articles seen so far."""

    def __init__(self) -> None:
        self.df = np.zeros(HASH_BUCKETS, dtype=np.int32)
        self.n = 0

    def add(self, terms: Iterable[int]) -> None:
        self.n += 1
        ids = np.fromiter(set(terms), dtype=np.int64)
        if ids.size:
            self.df[ids] += 1

    def idf(self, term: int) -> float:
        return math.log((self.n + 1) / (int(self.df[term]) + 1)) + 1.0


def weighted(counts: Mapping[int, float], freqs: DocumentFrequencies) -> dict[int, float]:
    """L2-normalised sublinear TF-IDF."""
    vector = {t: (1.0 + math.log(c)) * freqs.idf(t) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {t: w / norm for t, w in vector.items()}


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())
