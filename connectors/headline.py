"""A headline for copy that came without one, the way wire desks write one.

Search results and Kibana list articles by headline; copy without one showed as "(no
headline)". The wire convention gives two places a headline can come from:

1. a short first line that reads as a headline (title case; or sentence case when a dateline
   or a longer paragraph follows), kept in the body (so the article's id, a hash of the body
   when there is no guid or URL, does not change);
2. else the lede's first sentence, after the dateline (`WASHINGTON (Sputnik) — `), cut at
   about 100 characters on a word boundary.

The record marks it `headline_derived: true`. What a dateline and a headline look like comes
from `pipeline.contracts.wirecopy`, the definitions the `wirecopy.v1` enrichment uses, so the
derived headline never starts with a dateline the enrichment would parse.
"""

from __future__ import annotations

import re

from pipeline.contracts.wirecopy import dateline_end, looks_like_headline, parse_dateline

MAX_CHARS = 100
MAX_FIRST_LINE_CHARS = 120
_FIRST_LINE_WORDS = (2, 20)
_NOT_HEADLINE_END = tuple(".,;:—–-([")
_TRAILING_SMALL = frozenset(
    "a an and as at but by for from in into nor of on or the to with that".split()
)
_BYLINE = re.compile(r"^(?:by|from|von|par|por)\s+\S", re.IGNORECASE)
# A sentence ends at . ! ? (and a closing quote), followed by space and a capital or quote;
# not after an initial (`J.`), a title or a month abbreviation.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’»)]*\s+(?=[\"'“‘«(]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col sgt capt rep sen gov st mt jr sr inc corp co ltd no vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u p.m a.m".split()
)
_SPACES = re.compile(r"\s+")


def derive_headline(body: str) -> str | None:
    """A headline from the copy, or None when there is no text to take one from."""
    # U+FFFD stands for bytes decoding could not read: it carries nothing a reader needs.
    text = body.replace("\ufffd", "").strip()
    if not text:
        return None
    first_line = headline_line(text)
    if first_line:
        return first_line
    return lede_sentence(text)


def headline_line(text: str) -> str | None:
    """The first line when it reads as a headline and more copy follows it."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    following = next((line.strip() for line in rest.split("\n") if line.strip()), "")
    if not following or not first or len(first) > MAX_FIRST_LINE_CHARS:
        return None
    words = first.split()
    if not _FIRST_LINE_WORDS[0] <= len(words) <= _FIRST_LINE_WORDS[1]:
        return None
    if (
        first.endswith(_NOT_HEADLINE_END)
        or words[-1].lower() in _TRAILING_SMALL
        or dateline_end(first)
        or _BYLINE.match(first)
        or not any(ch.isalpha() for ch in first)
    ):
        return None
    if following[0].islower():  # a hard-wrapped sentence continues on the next line
        return None
    blank_line_after = rest.startswith("\n") or rest.startswith("\r")
    if (
        blank_line_after
        or looks_like_headline(first)
        or parse_dateline(following) is not None
        or len(following) >= max(2 * len(first), 100)
    ):
        return first
    return None


def lede_sentence(text: str) -> str | None:
    """The first sentence after the dateline, cut at about MAX_CHARS on a word boundary."""
    lede = _SPACES.sub(" ", _lede(text)[: MAX_CHARS * 10]).strip()
    lede = lede[dateline_end(lede) :].strip()
    if not lede:
        return None
    sentence = _first_sentence(lede)
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return _cut(sentence.strip(), MAX_CHARS) or None


def _lede(text: str) -> str:
    """The first paragraph: bylines skipped, hard-wrapped lines (lower-case starts) joined."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    while len(lines) > 1 and _BYLINE.match(lines[0]) and len(lines[0]) <= 80:
        lines.pop(0)
    paragraph = lines[0] if lines else ""
    for line in lines[1:]:
        if not line[0].islower() or len(paragraph) > MAX_CHARS * 10:
            break
        paragraph += " " + line
    return paragraph


def _first_sentence(text: str) -> str:
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].rstrip("\"'”’»)")
        word = before.rsplit(" ", 1)[-1].rstrip(".!?").lower()
        if before.endswith(".") and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        return text[: match.start()]
    return text


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:—–-")
    if len(cut) < limit // 2:  # one very long word: cut inside it
        cut = text[:limit]
    return cut + "…"
