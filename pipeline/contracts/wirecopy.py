"""The conventions of wire copy that connectors and the enrichment must read alike.

A dateline opens the copy (`WASHINGTON (Sputnik) — ...`, `LONDON, Nov 25 (Reuters) -`,
`GENEVA —`), and headlines read as title-case lines without sentence punctuation. The
enrichment (`pipeline/enrich/wirecopy.py`) parses datelines and moves pasted related
headlines out of the body; the connectors (`connectors/headline.py`) derive a headline for
copy that came without one and must not mistake a dateline for a headline nor start the
derived headline with one. Both read these definitions, so the two never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASH = r"(?:—|–|--|-)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
_NOT_A_DATE = rf"(?!{_MONTH}\s+\d)"
_CAP_WORDS = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}"
_CAPS_WORDS = r"[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4}"
# `WASHINGTON (Sputnik) —`, `LONDON, Nov 25 (Reuters) -`, `Washington (AP) —`
_WITH_AGENCY = re.compile(
    rf"^\s*(?P<place>{_CAP_WORDS}(?:,\s*{_NOT_A_DATE}{_CAP_WORDS})?)"
    rf"(?:,\s*(?P<date>{_DATE}))?\s*\((?P<agency>[^()\n]{{1,40}})\)\s*{_DASH}\s*"
)
# `GENEVA —`, `NEW YORK, Nov. 3 —` : without an agency only an all-capitals place counts.
_CAPS_ONLY = re.compile(
    rf"^\s*(?P<place>{_CAPS_WORDS}(?:,\s*{_NOT_A_DATE}[A-Z][A-Za-z.]{{1,20}})?)"
    rf"(?:,\s*(?P<date>{_DATE}))?\s*{_DASH}\s+"
)

_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "is", "nor", "of",
    "on", "or", "over", "per", "the", "to", "up", "via", "vs", "vs.", "with", "amid", "after",
}  # fmt: skip
LEAD_IN = re.compile(r"^(?:read more|related|see also|also read|more)\s*:\s*", re.IGNORECASE)
_SENTENCE_END = tuple(".,;:!\"”’')…»")
_WORD = re.compile(r"[^\s]+")


@dataclass(frozen=True)
class Dateline:
    place: str
    agency: str | None
    date: str | None


def _dateline_match(body: str) -> re.Match[str] | None:
    first_line = body.lstrip().split("\n", 1)[0][:200]
    match = _WITH_AGENCY.match(first_line) or _CAPS_ONLY.match(first_line)
    if not match:
        return None
    place = match.group("place").strip(" ,")
    if len(place.split()) > 6:
        return None
    if match.groupdict().get("agency") is None and sum(ch.isalpha() for ch in place) < 3:
        return None  # `A - B`, `US — x`
    return match


def dateline_end(body: str) -> int:
    """Where the copy after the dateline starts in `body.lstrip()` (0 when there is none)."""
    match = _dateline_match(body)
    return match.end() if match else 0


def parse_dateline(body: str) -> Dateline | None:
    match = _dateline_match(body)
    if not match:
        return None
    place = match.group("place").strip(" ,")
    agency = match.groupdict().get("agency")
    return Dateline(
        place=place, agency=agency.strip() if agency else None, date=match.group("date")
    )


def looks_like_headline(line: str) -> bool:
    """A title-case line with no sentence punctuation: a pasted headline, not prose."""
    text = LEAD_IN.sub("", line.strip())
    words = _WORD.findall(text)
    if not 4 <= len(words) <= 20 or len(text) > 160 or text.endswith(_SENTENCE_END):
        return False
    if re.search(r"[.!?]\s+[A-Z]", text):  # two sentences
        return False
    content = [w.strip("'‘’\"“”(") for w in words]
    content = [w for w in content if w and w.lower() not in _SMALL_WORDS]
    if len(content) < 3:
        return False
    capitalised = sum(1 for w in content if w[0].isupper() or w[0].isdigit())
    return capitalised / len(content) >= 0.8
