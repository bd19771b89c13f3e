"""Publication dates as newsrooms write them, to RFC 3339 UTC.

`connectors.text.parse_datetime` reads ISO 8601 / RFC 3339 and RFC 822 (the feed formats).
Loose JSON from CMS exports and spreadsheets also carries plain dates (`2026/11/25`,
`25.11.2026`, `November 25, 2026`, `Tue, Nov. 25, 2026 8:05 PM`) and Unix epochs (seconds or
milliseconds). `parse_date` tries the strict readers first, then these, and returns None for
anything else: the caller records a warning instead of losing the article.

Slashed dates are read month first (`11/25/2026`, the US convention) unless the first number
cannot be a month; dotted dates day first (`25.11.2026`, the European one). Times without a
zone are UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from connectors.text import parse_datetime

_EPOCH_S = (10**8, 10**10)  # 1973 .. 2286
_EPOCH_MS = (10**11, 10**13)
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE
)
# `(?<!\s)`: a search starts only at the beginning of a run of spaces (linear, not quadratic).
_UTC_SUFFIX = re.compile(r"(?<!\s)\s*(?:z|utc|gmt|ut)$", re.IGNORECASE)
_MONTH_DOT = re.compile(r"\b([A-Za-z]{3,4})\.")
_AT = re.compile(r"(?<!\s)\s+at\s+", re.IGNORECASE)
_DATES = (
    "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y.%m.%d", "%d-%m-%Y", "%Y%m%d",
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%d %B, %Y",
    "%d %b, %Y", "%Y-%m-%d", "%b %d", "%B %Y",
)  # fmt: skip
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %I %p", " %H.%M", "T%H:%M")


def parse_date(value: object) -> str | None:
    """RFC 3339 UTC (`2026-11-25T08:00:00Z`) from a date in any of the accepted forms."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _epoch(float(value))
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return parse_datetime(value)
    text = value.strip()
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
        return _epoch(float(text))
    strict = parse_datetime(text)
    if strict is not None:
        return strict
    return _plain(text)


def _epoch(number: float) -> str | None:
    if _EPOCH_MS[0] <= number < _EPOCH_MS[1]:
        number /= 1000
    if not _EPOCH_S[0] <= number < _EPOCH_S[1]:
        return None
    return datetime.fromtimestamp(number, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _plain(text: str) -> str | None:
    text = _WEEKDAY.sub("", text)
    text = _UTC_SUFFIX.sub("", text)
    text = _MONTH_DOT.sub(r"\1", text)
    text = _AT.sub(" ", text).replace("Sept ", "Sep ")
    text = " ".join(text.split())
    text = re.sub(r"\b(a\.m\.|p\.m\.)$", lambda m: m.group(1).replace(".", ""), text, flags=re.I)
    for date_format in _DATES:
        for time_format in _TIMES:
            try:
                parsed = datetime.strptime(text, date_format + time_format)
            except ValueError:
                continue
            if "%Y" not in date_format:
                return None  # no year: a guess would be wrong for half of the year
            return parsed.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None
