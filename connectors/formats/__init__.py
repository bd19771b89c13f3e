"""Wire formats to `wire.article.v1` records: the parsing entry points every connector uses.

Stable interface (also used by `wirestream enrich`):

    read_path(path, fmt=None, *, source=None, max_bytes=None) -> Iterator[ParseResult]
    read_stream(fileobj, fmt=None, *, source=None, max_bytes=None, name="-")
        -> Iterator[ParseResult]
    parse_bytes(data, fmt, *, source=None, origin="-") -> list[ParseResult]

Each `ParseResult` carries either `article` (a schema-valid `wire.article.v1` dict) or `error` (a
`ParseError` with a clear message), plus `origin` (`path` or `path:line`) and `raw` (the bytes the
result came from, for the dead-letter record). Parsing never raises for bad input: errors are data.

Formats (`fmt`): `plaintext`, `json` (ninjs or `wire.article.v1`, one object or an array),
`newsml-g2`, `jsonl`, `html` (the article of a web page); aliases `txt`, `ninjs`, `xml`,
`newsml`, `ndjson`, `htm`. With `fmt=None` the extension decides (`.txt`, `.json`, `.xml`,
`.jsonl`/`.ndjson`, `.html`/`.htm`), else the content is sniffed (an HTML doctype or `<html>`
HTML, other `<` XML, `{`/`[` JSON, several JSON lines JSON lines, anything else plain text).

`max_bytes` (default `ConnectorSettings().max_article_bytes`, 10 MB) caps one article: a whole
file, or one line of JSON lines.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from connectors.errors import ParseError
from connectors.html_article import looks_like_html

FORMATS = ("plaintext", "json", "newsml-g2", "jsonl", "html")
ALIASES = {
    "txt": "plaintext",
    "text": "plaintext",
    "ninjs": "json",
    "wire.article.v1": "json",
    "xml": "newsml-g2",
    "newsml": "newsml-g2",
    "ndjson": "jsonl",
    "htm": "html",
}
EXTENSIONS = {
    ".txt": "plaintext",
    ".json": "json",
    ".xml": "newsml-g2",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
}


@dataclass(frozen=True)
class ParseResult:
    """One article or one error, and where it came from."""

    origin: str
    article: dict[str, Any] | None = None
    error: ParseError | None = None
    raw: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.article is not None


def normalise_format(fmt: str | None) -> str | None:
    if fmt is None or fmt == "auto":
        return None
    fmt = ALIASES.get(fmt.lower(), fmt.lower())
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    return fmt


def sniff_format(head: bytes) -> str:
    """Guess from the first bytes of the content."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if looks_like_html(text):
        return "html"
    if text.startswith(b"<"):
        return "newsml-g2"
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        lines = [line for line in text.splitlines() if line.strip()]
        multi = len(lines) > 1 and all(line.lstrip().startswith(b"{") for line in lines[:3])
        return "jsonl" if multi and lines[0].rstrip().endswith(b"}") else "json"
    return "plaintext"


def parse_bytes(
    data: bytes, fmt: str, *, source: str | None = None, origin: str = "-"
) -> list[ParseResult]:
    """Parse one document (not JSON lines: use `iter_lines` for those) into results."""
    from connectors.formats import html, jsonl, newsml, plaintext

    source = source or _default_source()
    fmt = normalise_format(fmt) or sniff_format(data[:4096])
    try:
        if fmt == "plaintext":
            parsed: list[Any] = plaintext.parse(data, source=source)
        elif fmt == "json":
            if _json_lines_in_a_json_file(data):
                return list(iter_lines([data], source=source, origin=origin))
            parsed = jsonl.parse_document(data, source=source)
        elif fmt == "newsml-g2":
            parsed = newsml.parse(data, source=source)
        elif fmt == "html":
            parsed = html.parse(data, source=source)
        else:
            return list(iter_lines([data], source=source, origin=origin))
    except ParseError as exc:
        return [ParseResult(origin, error=exc, raw=data)]
    many = len(parsed) > 1
    return [
        ParseResult(
            f"{origin}#{i + 1}" if many else origin,
            article=item if isinstance(item, dict) else None,
            error=item if isinstance(item, ParseError) else None,
            raw=data,
        )
        for i, item in enumerate(parsed)
    ]


_LINE_END = re.compile(rb"\r\n|\r|\n")


def split_lines(data: bytes) -> Iterator[bytes]:
    """`data.splitlines()` one line at a time: 10 MB of tiny lines is not millions of objects."""
    start = 0
    for match in _LINE_END.finditer(data):
        yield data[start : match.start()]
        start = match.end()
    if start < len(data):
        yield data[start:]


def iter_lines(
    chunks: Iterable[bytes], *, source: str, origin: str, max_bytes: int | None = None
) -> Iterator[ParseResult]:
    """JSON lines: one result per non-blank line; `chunks` are lines or whole documents."""
    limit = max_bytes or _default_max_bytes()
    number = 0
    for chunk in chunks:
        for line in split_lines(chunk):
            number += 1
            if not line.strip():
                continue
            where = f"{origin}:{number}"
            if len(line) > limit:
                error = ParseError(f"the line has {len(line):,} bytes; the limit is {limit:,}")
                yield ParseResult(where, error=error, raw=line[:limit])
                continue
            yield from _line_results(line, source, where)


def read_path(
    path: str | Path,
    fmt: str | None = None,
    *,
    source: str | None = None,
    max_bytes: int | None = None,
    follow_symlinks: bool = True,
) -> Iterator[ParseResult]:
    """The articles (or errors) in one file; `-` reads stdin.

    `follow_symlinks=False` refuses a path that is a symlink (O_NOFOLLOW, so there is no window
    between a check and the open): for files found inside a watched directory.
    """
    if str(path) == "-":
        import sys

        yield from read_stream(sys.stdin.buffer, fmt, source=source, max_bytes=max_bytes)
        return
    path = Path(path)
    fmt = normalise_format(fmt) or EXTENSIONS.get(path.suffix.lower())
    flags = os.O_RDONLY | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        fileobj = os.fdopen(os.open(path, flags), "rb")
    except OSError as exc:
        why = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror
        yield ParseResult(str(path), error=ParseError(f"cannot read {path}: {why}"))
        return
    with fileobj:
        yield from read_stream(fileobj, fmt, source=source, max_bytes=max_bytes, name=str(path))


def read_stream(
    fileobj: IO[bytes],
    fmt: str | None = None,
    *,
    source: str | None = None,
    max_bytes: int | None = None,
    name: str = "-",
) -> Iterator[ParseResult]:
    """The articles (or errors) in a binary stream such as stdin; JSON lines are streamed."""
    source = source or _default_source()
    limit = max_bytes or _default_max_bytes()
    fmt = normalise_format(fmt)
    if fmt is None:
        head = fileobj.peek(4096)[:4096] if hasattr(fileobj, "peek") else b""
        if not head:
            data = fileobj.read(limit + 1)
            yield from _document(data, None, source, name, limit)
            return
        fmt = sniff_format(head)
    if fmt == "jsonl":
        yield from iter_lines(
            _bounded_lines(fileobj, limit), source=source, origin=name, max_bytes=limit
        )
        return
    yield from _document(fileobj.read(limit + 1), fmt, source, name, limit)


def _document(
    data: bytes, fmt: str | None, source: str, name: str, limit: int
) -> Iterator[ParseResult]:
    if len(data) > limit:
        error = ParseError(f"{name} is larger than the {limit:,}-byte limit for one article")
        yield ParseResult(name, error=error, raw=data[:limit])
        return
    fmt = fmt or sniff_format(data[:4096])
    if fmt == "jsonl":
        yield from iter_lines([data], source=source, origin=name, max_bytes=limit)
        return
    yield from parse_bytes(data, fmt, source=source, origin=name)


def _bounded_lines(fileobj: IO[bytes], limit: int) -> Iterator[bytes]:
    """Lines of at most limit+1 bytes; the rest of an over-long line is skipped, not buffered."""
    while True:
        line = fileobj.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = fileobj.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def _line_results(line: bytes, source: str, where: str) -> Iterator[ParseResult]:
    """One line's articles: usually one; an array or an envelope on one line gives several."""
    from connectors.formats import jsonl

    try:
        parsed = jsonl.parse_line_items(line, source=source)
    except ParseError as exc:
        yield ParseResult(where, error=exc, raw=line)
        return
    for i, item in enumerate(parsed):
        origin = f"{where}#{i + 1}" if len(parsed) > 1 else where
        if isinstance(item, ParseError):
            yield ParseResult(origin, error=item, raw=line)
        else:
            yield ParseResult(origin, article=item, raw=line)


def _json_lines_in_a_json_file(data: bytes) -> bool:
    """A `.json` file (or an application/json push) that holds JSON lines, as exports often do."""
    lines = [line.strip() for line in data.lstrip(b"\xef\xbb\xbf").splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.startswith(b"{") and line.endswith(b"}") for line in lines):
        return False
    import orjson

    try:
        orjson.loads(data.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return True  # not one document: one object a line
    return False


def _default_source() -> str:
    from connectors.settings import ConnectorSettings

    return ConnectorSettings().source


def _default_max_bytes() -> int:
    from connectors.settings import ConnectorSettings

    return ConnectorSettings().max_article_bytes
