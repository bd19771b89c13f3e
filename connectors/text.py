"""Text clean-up shared by the parsers: control characters, HTML to plain text, dates, language tags.

Everything here is a pure function over strings: no network, no eval, no entity expansion beyond
the standard HTML character references.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape

from connectors.errors import MalformedInput, ParseError

# C0 controls except tab and newline, DEL, and the C1 range: they carry no text and break
# downstream consumers (NUL in particular).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
MAX_HTML_CHARS = 8_000_000


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
_RAW_TEXT = {"script", "style"}  # their content is not markup: it ends only at their end tag
# A whole tag from `<` to `>`: a name, then anything but quotes and `>`, or quoted values.
# Possessive quantifiers: a failed match never backtracks, so one attempt costs at most one
# scan of the rest of the input, and a failed attempt ends the conversion (see _tokens).
_TAG = re.compile(r"""</?([A-Za-z][A-Za-z0-9:_.-]*+)(?:[^"'>]++|"[^"]*+"|'[^']*+')*+>""")
_RAW_END = {name: re.compile(rf"</{name}(?=[\s/>])", re.IGNORECASE) for name in _RAW_TEXT}


def _tokens(html: str) -> Iterator[tuple[str, str]]:
    """("text", s), ("start", name), ("startend", name), ("end", name) in one left-to-right pass.

    Follows the HTML tokenizer where it matters for linear time: an unterminated comment,
    declaration or tag runs to the end of the input (it is dropped), so no position is scanned
    twice. (`html.parser` re-scans the rest after each unterminated construct: quadratic.)
    """
    i, n = 0, len(html)
    while i < n:
        j = html.find("<", i)
        if j < 0:
            yield "text", html[i:]
            return
        if j > i:
            yield "text", html[i:j]
        nxt = html[j + 1 : j + 2]
        if html.startswith("<!--", j):
            k = html.find("-->", j + 4)
            if k < 0:
                return
            i = k + 3
        elif nxt in ("!", "?") or (nxt == "/" and not html[j + 2 : j + 3].isalpha()):
            k = html.find(">", j + 2)
            if k < 0:
                return
            i = k + 1
        elif nxt.isascii() and (nxt.isalpha() or nxt == "/"):
            match = _TAG.match(html, j)
            if match is None:
                return  # a tag that never ends: the rest is inside it
            name = match.group(1).lower()
            i = match.end()
            if nxt == "/":
                yield "end", name
            elif match.group(0).endswith("/>"):
                yield "startend", name
            else:
                yield "start", name
                if name in _RAW_TEXT:
                    end = _RAW_END[name].search(html, i)
                    if end is None:
                        return
                    yield "text", html[i : end.start()]
                    i = end.start()
        else:
            yield "text", "<"
            i = j + 1


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, one paragraph per line; scripts and styles dropped.

    Linear in the input (see `_tokens`); more than MAX_HTML_CHARS is refused before parsing.
    """
    if len(html) > MAX_HTML_CHARS:
        raise ParseError(f"the HTML has {len(html):,} characters; the limit is {MAX_HTML_CHARS:,}")
    parts: list[str] = []
    skipping = 0
    for kind, value in _tokens(html):
        if kind == "text":
            if not skipping:
                parts.append(unescape(value))
        elif kind == "start" and value in _SKIP:
            skipping += 1
        elif kind == "end" and value in _SKIP:
            skipping = max(0, skipping - 1)
        elif value in _BLOCK:
            parts.append("\n")
    return join_paragraphs("".join(parts).split("\n"))


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
