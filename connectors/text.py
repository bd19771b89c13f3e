"""Text clean-up shared by the parsers: control characters, HTML to plain text, dates, language tags.

Everything here is a pure function over strings: no network, no eval, no entity expansion beyond
the standard HTML character references.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from connectors.errors import MalformedInput

# C0 controls except tab and newline, DEL, and the C1 range: they carry no text and break
# downstream consumers (NUL in particular).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


def clean_text(text: str) -> str:
    """Normalise line ends, drop control characters and strip the outer whitespace."""
    # Lone surrogates (legal in JSON escapes) cannot be encoded as UTF-8 downstream.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def clean_line(text: str | None) -> str | None:
    """One-line fields (headline, byline): whitespace folded; empty becomes None."""
    if text is None:
        return None
    folded = " ".join(clean_text(str(text)).split())
    return folded or None


def language_tag(value: object) -> str | None:
    """A BCP 47-looking tag (`en`, `en-GB`), else None: the source's claim is only a hint."""
    if not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-")
    if len(value) > 35 or not _LANGUAGE_TAG.match(value):
        return None
    return value


def parse_datetime(value: object) -> str | None:
    """An RFC 3339 UTC timestamp (`2026-11-25T08:00:00Z`) from ISO 8601, RFC 2822 or a date.

    Naive times are taken as UTC. Unparseable values give None: a bad date must not cost the
    article, and the enrichment still has the receive time.
    """
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str) and value.strip() and len(value) < 100:
        parsed = _parse_string(value.strip())
    else:
        parsed = None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):
        return None


def _parse_string(value: str) -> datetime | None:
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_SKIP = {"script", "style", "head", "template", "noscript", "svg", "math", "iframe", "object"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, one paragraph per line; scripts and styles dropped."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except (AssertionError, ValueError):
        # html.parser gives up on a few pathological marked sections; keep what it had read.
        pass
    return join_paragraphs("".join(extractor.parts).split("\n"))


def decode_utf8(data: bytes | str, what: str = "input") -> str:
    """UTF-8 text (a BOM is dropped), or MalformedInput naming the first bad byte."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedInput(
            f"{what} is not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def join_paragraphs(lines: list[str]) -> str:
    """Fold the whitespace inside each paragraph and drop empty ones."""
    paragraphs = (_SPACES.sub(" ", line).strip() for line in lines)
    return clean_text("\n".join(p for p in paragraphs if p))
