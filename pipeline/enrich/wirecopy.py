"""Wire-copy structure (`wirecopy.v1`): the dateline, and story headlines pasted into the body.

Wire copy often arrives as plain text: `WASHINGTON (Sputnik) — The ...` opens the body, and
headlines of related stories are pasted between paragraphs as links that lost their markup.
Those headlines are not part of the story (a quote extractor would read
`Mattis Says He Does Not See 'Evolving US Military Role'` as a quote), so they move from
`body` to `related_headlines`. The dateline stays in the body; it is also parsed into
`dateline` {place, agency, date}. What a dateline and a headline look like is shared with the
connectors (`pipeline/contracts/wirecopy.py`), which derive headlines for copy without one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.contracts.wirecopy import LEAD_IN, Dateline, looks_like_headline, parse_dateline
from pipeline.enrich.base import Record
from pipeline.enrich.resources import Resources

__all__ = [
    "Dateline",
    "WireCopyEnricher",
    "looks_like_headline",
    "parse_dateline",
    "split_related_headlines",
]


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
            related.append(LEAD_IN.sub("", line.strip()))
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
                dateline = parse_dateline(_after_headline(body, record.get("headline")))
                record["dateline"] = (
                    None
                    if dateline is None
                    else {"place": dateline.place, "agency": dateline.agency, "date": dateline.date}
                )


def _after_headline(body: str, headline: object) -> str:
    """The copy after a first line that repeats the headline (the dateline opens what follows)."""
    first, _, rest = body.lstrip().partition("\n")
    if isinstance(headline, str) and rest.strip() and first.strip() == headline.strip():
        return rest
    return body
