"""The model's attribute ruler (tag -> POS and morphology, plus word exceptions), faster.

spaCy's `AttributeRuler` runs a `Matcher` over every token: 179 patterns, some with
`IN`/`REGEX` predicates evaluated in Python, so on news text it cost about as much as
the parser (17 % of the parse, 2026-11-25). The same patterns only look at one token's
TAG, LOWER, DEP and IS_SPACE (and the next token's for a handful of two-token
exceptions such as "gon na"), so which pattern tokens a token satisfies is a function of
those four values: we compute it once per distinct combination and keep it.

The result is the ruler's exactly: the same rules, applied in the same order (later rules
win, as in `AttributeRuler.set_annotations`), on the same attributes. A pattern form we do
not know raises `UnsupportedPattern`, and `load_spacy` then keeps spaCy's own ruler.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

Predicate = Callable[[dict[str, Any]], bool]

_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_WRITTEN = (POS, MORPH, LEMMA, TAG, DEP)
_COLUMN = {attr: col for col, attr in enumerate(_WRITTEN)}
_CACHE_LIMIT = 100_000
"""Distinct (tag, word, dependency, space) combinations kept (about 10,000 after 200
articles); beyond it the caches restart, so junk tokens cost time, not memory. Results
are interned: an entry costs its key and a slot, ~15 MB at the limit."""


class UnsupportedPattern(ValueError):
    """A ruler pattern this module cannot evaluate exactly."""


def _compile_value(key: str, value: Any) -> Predicate:
    if not isinstance(value, dict):
        return lambda token: token[key] == value
    if len(value) != 1:
        raise UnsupportedPattern(f"{key}: {value}")
    [(op, arg)] = value.items()
    if op == "IN":
        allowed = frozenset(arg)
        return lambda token: token[key] in allowed
    if op == "NOT_IN":
        banned = frozenset(arg)
        return lambda token: token[key] not in banned
    if op == "REGEX":
        pattern = re.compile(arg)
        # The Matcher's REGEX predicate is a search on the attribute's string.
        return lambda token: bool(pattern.search(token[key]))
    raise UnsupportedPattern(f"{key}: {value}")


def _compile_token(spec: dict[str, Any]) -> Predicate:
    unknown = set(spec) - set(_KEYS)
    if unknown:
        raise UnsupportedPattern(f"token attributes {sorted(unknown)}")
    checks = [_compile_value(key, value) for key, value in spec.items()]
    return lambda token: all(check(token) for check in checks)


def _required_values(spec: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The (attribute, value) pairs one of which a token must have to satisfy `spec`,
    or None when any token might."""
    for key in ("LOWER", "TAG"):
        value = spec.get(key)
        if isinstance(value, str):
            return [(key, value)]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return [(key, v) for v in value["IN"]]
    return None


class _TokenRules(NamedTuple):
    satisfied: frozenset[tuple[int, int]]
    """(pattern, position) pairs the token satisfies."""
    single: tuple[int, ...]
    """Rules of one-token patterns that match it, in rule order."""
    effect: tuple[tuple[int, int], ...]
    """(column, value) those rules leave, the later rule winning."""
    starts: tuple[int, ...]
    """Multi-token patterns whose first token it satisfies."""


class FastAttributeRuler:
    """Drop-in for the model's `attribute_ruler` with the same rules and output."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.vocab = ruler.vocab
        self.attrs: list[dict[int, int]] = list(ruler.attrs)
        self.indices: list[int] = list(ruler.indices)
        for attrs in self.attrs:
            if not set(attrs) <= set(_COLUMN):
                raise UnsupportedPattern(f"sets attributes {sorted(attrs)}")
        # One entry per pattern: (rule number, one predicate per token).
        self.patterns: list[tuple[int, list[Predicate]]] = []
        # Pattern tokens by the word or tag they require, so that a new combination is
        # tested against a few candidates instead of all ~190 pattern tokens.
        self._by_value: dict[tuple[str, str], list[tuple[int, int, Predicate]]] = {}
        self._anywhere: list[tuple[int, int, Predicate]] = []
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                p = len(self.patterns)
                predicates = [_compile_token(spec) for spec in pattern]
                self.patterns.append((rule, predicates))
                for j, (spec, predicate) in enumerate(zip(pattern, predicates, strict=True)):
                    candidate = (p, j, predicate)
                    required = _required_values(spec)
                    if required is None:
                        self._anywhere.append(candidate)
                    for value in required or ():
                        self._by_value.setdefault(value, []).append(candidate)
        self._satisfied: dict[tuple[int, int, int, int], frozenset[tuple[int, int]]] = {}
        self._token_cache: dict[tuple[int, int, int, int], _TokenRules] = {}
        self._interned: dict[Any, Any] = {}
        # Patterns of one token: their rules' effect on a token can be composed once per key.
        self._single = frozenset(
            p
            for p, (rule, predicates) in enumerate(self.patterns)
            if len(predicates) == 1 and self.indices[rule] in (0, -1)
        )

    def _reset(self) -> None:
        self._satisfied.clear()
        self._token_cache.clear()
        self._interned.clear()

    def _satisfies(self, key: tuple[int, int, int, int]) -> frozenset[tuple[int, int]]:
        """(pattern, position in it) pairs a token with these attribute values satisfies."""
        found = self._satisfied.get(key)
        if found is None:
            strings = self.vocab.strings
            tag, lower, dep, space = key
            token = {
                "TAG": strings[tag],
                "LOWER": strings[lower],
                "DEP": strings[dep],
                "IS_SPACE": bool(space),
            }
            candidates = (
                self._by_value.get(("LOWER", token["LOWER"]), [])
                + self._by_value.get(("TAG", token["TAG"]), [])
                + self._anywhere
            )
            found = frozenset((p, j) for p, j, predicate in candidates if predicate(token))
            found = self._interned.setdefault(found, found)
            if len(self._satisfied) >= _CACHE_LIMIT:
                self._reset()
            self._satisfied[key] = found
        return found

    def _token_rules(self, key: tuple[int, int, int, int]) -> _TokenRules:
        """What the rules do to a token with these attribute values on their own, and
        which multi-token patterns might start at it; cached like `_satisfies`."""
        found = self._token_cache.get(key)
        if found is None:
            satisfied = self._satisfies(key)
            single = sorted({self.patterns[p][0] for p, _ in satisfied if p in self._single})
            effect: dict[int, int] = {}
            for rule in single:
                for attr, value in self.attrs[rule].items():
                    effect[_COLUMN[attr]] = value
            starts = tuple(p for p, j in satisfied if j == 0 and p not in self._single)
            found = _TokenRules(satisfied, tuple(single), tuple(effect.items()), starts)
            found = self._interned.setdefault(found, found)
            if len(self._token_cache) >= _CACHE_LIMIT:
                self._reset()
            self._token_cache[key] = found
        return found

    def _multi_token_matches(self, tokens: list[_TokenRules]) -> dict[int, set[int]]:
        """Token index -> the multi-token rules ("gon na", "ai n't") that set it."""
        found: dict[int, set[int]] = {}
        n = len(tokens)
        for start, token in enumerate(tokens):
            for p in token.starts:
                rule, predicates = self.patterns[p]
                length = len(predicates)
                if start + length > n:
                    continue
                if all((p, k) in tokens[start + k].satisfied for k in range(1, length)):
                    index = self.indices[rule]
                    target = start + index if index >= 0 else start + length + index
                    if not start <= target < start + length:
                        raise ValueError(f"attribute rule {rule}: index {index} outside its match")
                    found.setdefault(target, set()).add(rule)
        return found

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        keys = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        tokens = [self._token_rules(tuple(key)) for key in keys]
        multi = self._multi_token_matches(tokens)
        values = doc.to_array(list(_WRITTEN)).tolist()
        for i, (token, row) in enumerate(zip(tokens, values, strict=True)):
            if i in multi:
                # Rules apply in rule order whatever their length, later ones winning.
                for rule in sorted(set(token.single) | multi[i]):
                    for attr, value in self.attrs[rule].items():
                        row[_COLUMN[attr]] = value
            else:
                for col, value in token.effect:
                    row[col] = value
        doc.from_array(list(_WRITTEN), numpy.array(values, dtype="uint64"))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)
