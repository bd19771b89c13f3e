"""Wire-copy structure (`wirecopy.v1`): the dateline, and story headlines pasted into the body.

Wire copy often arrives as plain text: `WASHINGTON (Sputnik) — The ...` opens the body, and
headlines of related stories are pasted between paragraphs as links that lost their markup.
Those headlines are not part of the story (a quote extractor would read
`Mattis Says He Does Not See 'Evolving US Military Role'` as a quote), so they move from
`body` to `related_headlines`. The dateline stays in the body; it is also parsed into
`dateline` {place, agency, date}.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.enrich.base import Record
from pipeline.enrich.resources import Resources

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
_LEAD_IN = re.compile(r"^(?:read more|related|see also|also read|more)\s*:\s*", re.IGNORECASE)
_SENTENCE_END = tuple(".,;:!\"”’')…»")
_WORD = re.compile(r"[^\s]+")


@dataclass(frozen=True)
class Dateline:
    place: str
    agency: str | None
    date: str | None


def parse_dateline(body: str) -> Dateline | None:
    first_line = body.lstrip().split("\n", 1)[0][:200]
    match = _WITH_AGENCY.match(first_line) or _CAPS_ONLY.match(first_line)
    if not match:
        return None
    place = match.group("place").strip(" ,")
    if len(place.split()) > 6:
        return None
    agency = match.groupdict().get("agency")
    if agency is None and sum(ch.isalpha() for ch in place) < 3:  # `A - B`, `US — x`
        return None
    return Dateline(
        place=place, agency=agency.strip() if agency else None, date=match.group("date")
    )


def looks_like_headline(line: str) -> bool:
    """A title-case line with no sentence punctuation: a pasted headline, not prose."""
    text = _LEAD_IN.sub("", line.strip())
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


def split_related_headlines(body: str) -> tuple[str, list[str]]:
    """Remove pasted headlines from `body`; the first line is never one (it holds the dateline)."""
    parts = re.split(r"(\n+)", body)  # [line, sep, line, sep, ...]
    kept: list[str] = []
    related: list[str] = []
    seen_text = False
    for index in range(0, len(parts), 2):
        line = parts[index]
        separator = parts[index + 1] if index + 1 < len(parts) else ""
        if seen_text and looks_like_headline(line):
            related.append(_LEAD_IN.sub("", line.strip()))
            continue
        if line.strip():
            seen_text = True
        kept.append(line + separator)
    cleaned = "".join(kept)
    if related:
        cleaned = cleaned.rstrip("\n")
    return cleaned, related


class WireCopyEnricher:
    name = "wirecopy.v1"

    def __init__(self, resources: Resources | None = None) -> None:
        pass

    def enrich(self, records: Sequence[Record]) -> None:
        for record in records:
            body, related = split_related_headlines(record.get("body", ""))
            record["body"] = body
            record["related_headlines"] = related
            if record.get("dateline") is None:
                dateline = parse_dateline(body)
                record["dateline"] = (
                    None
                    if dateline is None
                    else {"place": dateline.place, "agency": dateline.agency, "date": dateline.date}
                )
