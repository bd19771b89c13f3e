"""Quoted segments: every span of text between quotation marks, by paragraph.

This is the pattern layer only (it also serves as the "quotes by pattern" baseline):
it knows the quotation-mark styles and how they pair, not who speaks. One linear pass
over the text, so a body with thousands of marks or unbalanced marks costs no more
than its length.

Pairing rules:
- Curly and guillemet marks have a direction (“ „ « `` open, ” » close); straight marks
  (", the fullwidth ＂ and '' of some wire archives) get one from their neighbours (after a space = opening,
  before a space or punctuation = closing) and otherwise alternate.
- An opening mark while a quote is open restarts the quote (the earlier mark was unbalanced).
- A paragraph that ends inside an open quote continues into the next paragraph when that
  paragraph opens with a quotation mark (the news convention for multi-paragraph quotes);
  the continuation is flagged so a speaker can be inherited.
- Single quotes (‘ ’ ') count only as primary marks in a paragraph without double marks,
  and only at word boundaries, so apostrophes ("don't", "Clinton’s") never open a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOUBLE_OPEN = "“„‟«"
_DOUBLE_CLOSE = "”»"
_DOUBLE_STRAIGHT = '"＂'
# Two apostrophes or backticks stand for a double mark in some wire archives (''Like this.'').
_DOUBLE = re.compile(f"''|``|[{_DOUBLE_OPEN}{_DOUBLE_CLOSE}{_DOUBLE_STRAIGHT}]")
# Single marks at a word boundary only: ‘ or ' before a word, ’ or ' after one. The rule
# as a regex; `single_marks` applies it (a unit test holds the two equal).
_SINGLE = re.compile(r"(?:(?<![\w’'])[‘'](?=[\w\"“]))|(?:(?<=[\w.,!?…])[’'](?![\w’']))")
_SINGLE_CHAR = re.compile("[‘’']")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what `\w` matches in a str pattern


def single_marks(chunk: str) -> list[int]:
    """Offsets in `chunk` where `_SINGLE` matches, found without it: the look-arounds
    made the regex try every character of every paragraph (a tenth of the quote step);
    here only the quote characters are looked at, with the same tests."""
    found = []
    n = len(chunk)
    for m in _SINGLE_CHAR.finditer(chunk):
        p = m.start()
        ch = chunk[p]
        before = chunk[p - 1] if p else ""
        after = chunk[p + 1] if p + 1 < n else ""
        opens = (
            ch != "’"
            and not (before and (_is_word(before) or before in "’'"))
            and after
            and (_is_word(after) or after in '"“')
        )
        closes = (
            ch != "‘"
            and before
            and (_is_word(before) or before in ".,!?…")
            and not (after and (_is_word(after) or after in "’'"))
        )
        if opens or closes:
            found.append(p)
    return found


_SPACE_BEFORE = set(" \t\u00a0([{—–-/\u2014\u2013:;")
_PARAGRAPH = re.compile(r"[^\n]+")

MAX_MARKS_PER_PARAGRAPH = 400
"""Beyond this a paragraph is noise (fuzzed input, ASCII art), not speech."""


@dataclass(frozen=True)
class QuotedSegment:
    start: int
    """Offset of the first character inside the marks (whitespace stripped)."""
    end: int
    open_mark: int
    """Offset of the opening mark (== start - 1 before stripping)."""
    close_mark: int | None
    """Offset of the closing mark, None when the paragraph ended inside the quote."""
    paragraph: tuple[int, int]
    continues: bool = False
    """True when this segment continues a quote left open at the previous paragraph's end."""
    single: bool = False


def _width(text: str, pos: int) -> int:
    return 2 if text.startswith(("''", "``"), pos) else 1


def _direction(text: str, pos: int) -> str:
    ch = text[pos]
    width = _width(text, pos)
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + width] if pos + width < len(text) else " "
    if text.startswith("``", pos):
        return "open"
    if ch in _DOUBLE_OPEN or ch == "‘":
        # `unusual,“ said`: a typo'd opening mark that can only be closing.
        if ch == "“" and before in ",.!?" and (after.isspace() or after == "\n"):
            return "close"
        return "open"
    if ch in _DOUBLE_CLOSE or ch == "’":
        return "close"
    if before in _SPACE_BEFORE or before == "\n":
        return "open" if not after.isspace() else "either"
    if after.isspace() or after in ".,;:!?)]}—–-…":
        return "close"
    return "either"


def _pair(text: str, para: tuple[int, int], marks: list[int], single: bool) -> list[QuotedSegment]:
    segments: list[QuotedSegment] = []
    open_at: int | None = None
    for pos in marks:
        role = _direction(text, pos)
        if open_at is None:
            if role != "close":
                open_at = pos
        elif role == "open" and text[pos] != text[open_at] and text[open_at] in "\"＂'":
            # A curly opener after an unclosed straight mark: the straight one was stray.
            open_at = pos
        elif role == "open":
            open_at = pos
        else:
            segments.append(_segment(text, para, open_at, pos, single))
            open_at = None
    if open_at is not None:
        segments.append(_segment(text, para, open_at, None, single))
    return [s for s in segments if s.end > s.start]


def _segment(
    text: str, para: tuple[int, int], open_at: int, close_at: int | None, single: bool
) -> QuotedSegment:
    start, end = open_at + _width(text, open_at), close_at if close_at is not None else para[1]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return QuotedSegment(start, end, open_at, close_at, para, single=single)


def text_before(text: str, seg: QuotedSegment, window: int = 200) -> str:
    """Up to `window` characters of the paragraph before the opening mark.

    Bounded so that looking back costs the same for every quote of a huge paragraph.
    """
    return text[max(seg.paragraph[0], seg.open_mark - window) : seg.open_mark]


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line; news bodies put one paragraph per line."""
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]


def find_quoted_segments(text: str) -> list[QuotedSegment]:
    """Every quoted segment of `text`, in order, with multi-paragraph quotes flagged."""
    found: list[QuotedSegment] = []
    previous_open = False
    for para in paragraphs(text):
        chunk = text[para[0] : para[1]]
        marks = [para[0] + m.start() for m in _DOUBLE.finditer(chunk)]
        single = False
        if not marks:
            marks = [para[0] + p for p in single_marks(chunk)]
            single = True
        if len(marks) > MAX_MARKS_PER_PARAGRAPH:
            previous_open = False
            continue
        segs = _pair(text, para, marks, single)
        opens_with_mark = bool(marks) and not text[para[0] : marks[0]].strip()
        if segs and previous_open and opens_with_mark and segs[0].open_mark == marks[0]:
            first = segs[0]
            segs[0] = QuotedSegment(
                first.start, first.end, first.open_mark, first.close_mark, para, True, single
            )
        found.extend(segs)
        previous_open = bool(segs) and segs[-1].close_mark is None
    return found
