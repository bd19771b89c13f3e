"""Quoted text that is not speech: headlines, titles, scare quotes."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_SMALL = frozenset(
    "a an and as at but by for from in into is nor of on or over per the to up via vs with".split()
)
_TITLE_CUE = re.compile(
    r"(?:['’]s|\b(?:on|in|of|to|with|from|for|at|titled|entitled|called|named|dubbed|told|"
    r"show|program|programme|book|film|movie|song|album|series|column|article|op-ed|editorial|"
    r"magazine|newspaper|hashtag|slogan|ad|video|documentary))[\s,]*$",
    re.IGNORECASE,
)


def title_case_ratio(text: str) -> float:
    words = [w for w in _WORD.findall(text) if w.lower() not in _SMALL]
    if not words:
        return 0.0
    return sum(w[0].isupper() for w in words) / len(words)


def looks_like_headline(paragraph: str) -> bool:
    """A short line in Title Case: a headline (pasted related stories, the article title)."""
    words = paragraph.split()
    if not words or len(words) > 25:
        return False
    stripped = paragraph.rstrip()
    ends_like_sentence = stripped[-1:] in ".!?" or stripped[-2:-1] in (".", "!", "?")
    ratio = title_case_ratio(paragraph)
    return ratio >= 0.75 if ends_like_sentence else ratio >= 0.6 and len(words) >= 3


def looks_like_title(quoted: str) -> bool:
    """`"Saturday Night Live"`, `"The Art of the Deal"`: a name in quotes, not words said."""
    words = quoted.split()
    return (
        0 < len(words) <= 8
        and title_case_ratio(quoted) >= 0.99
        and quoted.rstrip()[-1:] not in ("!", "?")
    )


def follows_title_cue(before: str) -> bool:
    """Text before the opening mark ends like `on ABC's`, `told`, `the book`: a title follows."""
    return bool(_TITLE_CUE.search(before[-40:]))


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
