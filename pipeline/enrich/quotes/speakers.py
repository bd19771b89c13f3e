"""Who a speaker mention refers to: the fullest name of that person in the article.

Coreference-lite: a name ("Mattis") maps to the longest name in the article that ends
with the same word ("Jim Mattis"); a pronoun or a role noun ("he", "the defense
secretary") maps to the person mentioned most recently before it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from pipeline.enrich.quotes.lexicon import PERSON_PRONOUNS, ROLE_NOUNS, TITLES

_BARE_TITLES = frozenset(t.strip(".") for t in TITLES)


def name_tokens(words: list[str]) -> list[str]:
    """The name part of a proper-noun run: titles in front and possessives dropped.

    A title inside the run ends what precedes the name too: "United States President
    Donald Trump" -> "Donald Trump"; a hyphenated name is one word ("Jean-Jacques").
    """
    words = [w for w in words if w not in {"'s", "’s", "'", "’"}]
    words = _join_hyphens(words)
    last_title = max(
        (i for i, w in enumerate(words[:-1]) if w.lower().strip(".") in _BARE_TITLES),
        default=-1,
    )
    words = words[last_title + 1 :]
    while words and words[0].lower().strip(".") in _BARE_TITLES:
        words = words[1:]
    return words


def _join_hyphens(words: list[str]) -> list[str]:
    joined: list[str] = []
    for word in words:
        if joined and (word in {"-", "‐"} or joined[-1].endswith(("-", "‐"))):
            joined[-1] += word
        else:
            joined.append(word)
    return joined


@dataclass
class PersonIndex:
    """The people of one article: their fullest names and where each is mentioned."""

    full_names: dict[str, str] = field(default_factory=dict)
    """Last word of a name -> the fullest name ending with it."""
    _positions: list[int] = field(default_factory=list)
    _names: list[str] = field(default_factory=list)

    def add_name(self, words: list[str]) -> None:
        words = name_tokens(words)
        if not words or not words[-1][:1].isupper():
            return
        name = " ".join(words)
        last = words[-1].lower()
        # "Rhys-Davies" is also found as "Davies"
        for key in {last, last.rsplit("-", 1)[-1]}:
            known = self.full_names.get(key)
            if known is None or len(name.split()) > len(known.split()):
                self.full_names[key] = name

    def add_mention(self, position: int, words: list[str]) -> None:
        words = name_tokens(words)
        if words:
            self._positions.append(position)
            self._names.append(words[-1].lower())

    def finish(self) -> None:
        order = sorted(range(len(self._positions)), key=self._positions.__getitem__)
        self._positions = [self._positions[i] for i in order]
        self._names = [self._names[i] for i in order]

    def canonical(self, words: list[str]) -> str | None:
        words = name_tokens(words)
        if not words:
            return None
        return self.full_names.get(words[-1].lower(), " ".join(words))

    def most_recent(self, before: int) -> str | None:
        i = bisect.bisect_left(self._positions, before) - 1
        while i >= 0:
            name = self.full_names.get(self._names[i])
            if name:
                return name
            i -= 1
        return None


def is_pronoun(word: str) -> bool:
    return word.lower() in PERSON_PRONOUNS


def is_role_noun(head_lemma: str, has_definite: bool) -> bool:
    return has_definite and head_lemma.lower() in ROLE_NOUNS
