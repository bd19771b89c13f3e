"""Plain-text wire copy: the text is the body, as it came.

The dateline (`WASHINGTON (Sputnik) — ...`) and pasted related-story headlines stay in the body:
recognising them is the enrichment's job (`wirecopy.v1`), which needs the copy intact. A headline
is taken only when the first line clearly is one: short, no terminal punctuation, not a dateline,
and followed by a blank line and more text. A saved HTML page (`<!DOCTYPE html` / `<html`) named
`.txt` goes to the HTML article extractor (`connectors.formats.html`), like any other page. An
advisory header (KILL, CORRECTS, EMBARGOED UNTIL ...) is read by `connectors/pubstatus.py`.
Bytes are decoded by `connectors/decoding.py`: a Windows-1252 export or a stray byte is read,
and the record's `warnings` say how.
"""

from __future__ import annotations

import re
from typing import Any

from connectors import pubstatus
from connectors.article import ParseError, build_article
from connectors.decoding import decode_text
from connectors.html_article import looks_like_html
from connectors.text import clean_text

MAX_HEADLINE_CHARS = 200
_TERMINAL = tuple('.!?:;,"”’…)]')
# `PLACE (Agency) —` or `PLACE, Nov 25 (Agency) -`: the first line is copy, not a headline.
_DATELINE = re.compile(r"^[^\n()]{1,80}\([^()\n]{1,60}\)\s*[—–-]")


def parse(data: bytes | str, *, source: str) -> list[dict[str, Any]]:
    if looks_like_html(data[:2048]):
        from connectors.formats import html

        return html.parse(data, source=source)  # a saved web page, not wire copy
    decoded = decode_text(data, "the text file")
    text = clean_text(decoded.text)
    if not text:
        raise ParseError("the text file is empty")
    advisory, text = pubstatus.read_advisory(text)  # KILL / CORRECTS / EMBARGOED UNTIL lines
    headline, body = split_headline(text)
    article = build_article(
        source=source, body=body, headline=headline, fmt="plaintext", warnings=decoded.warnings
    )
    return [pubstatus.apply(article, advisory, source=source)]


def split_headline(text: str) -> tuple[str | None, str]:
    """(headline, body) when the first line is clearly a headline, else (None, text)."""
    first, sep, rest = text.partition("\n")
    if not sep or not rest.startswith("\n") or not rest.strip():
        return None, text
    candidate = first.strip()
    if (
        not candidate
        or len(candidate) > MAX_HEADLINE_CHARS
        or candidate.endswith(_TERMINAL)
        or _DATELINE.match(candidate)
    ):
        return None, text
    return candidate, rest.strip()
