"""What one push request may cost: item cap, first-failure stop, bounded decompression.

The body limit alone does not bound the work: 10 MB of `{}` lines is 3.5 million items (4.9 GiB
and 50 s when each became a result), and a 10 KB gzip body inflates to those 10 MB. So:

- items are counted before any is built (`count_items`: JSON lines by a lazy line split, a JSON
  array by decoding one element at a time), and a request over `max_items` is refused whole;
- parsing stops at the first item that is not an article (the request is refused whole anyway);
- a compressed body must state its Content-Length, and inflating stops as soon as it exceeds
  `max_inflate_ratio` times that length (`read_body`).

`parse_request` is plain and synchronous: the handler runs it in an executor, off the loop.
"""

from __future__ import annotations

import itertools
import json
import re

from aiohttp import web

from connectors.formats import ParseResult, iter_lines, parse_bytes, split_lines

_WS = re.compile(r"[ \t\r\n]*")


class TooManyItems(ValueError):
    """The request holds more than `max_items` items; nothing was built."""


class BodyRefused(ValueError):
    """The body cannot be read within the limits; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.close = close  # the connection cannot carry another request


def count_json_items(text: str, cap: int) -> int:
    """Items of a JSON document (an array's elements, else 1), counting stops past `cap`.

    Elements are decoded one at a time, so a 10 MB array of `{}` costs `cap` small decodes, not
    3 million objects. A malformed document returns what was counted: the real parser reports.
    """
    decoder = json.JSONDecoder()
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith("[", i):
        return 1
    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    if text.startswith("]", i):
        return 0
    count = 0
    while count <= cap:
        try:
            _, i = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):
            return count
        count += 1
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if not text.startswith(",", i):
            break
        i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    return count


def count_lines(data: bytes, cap: int) -> int:
    """Non-blank lines, counting stops past `cap`."""
    lines = (line for line in split_lines(data) if line.strip())
    return sum(1 for _ in itertools.islice(lines, cap + 1))


def count_items(data: bytes, fmt: str, cap: int) -> int:
    if fmt == "jsonl":
        return count_lines(data, cap)
    if fmt == "json":
        return count_json_items(data.decode("utf-8", "replace"), cap)
    return 1  # one document (NewsML-G2, HTML): its parser bounds what it reads


def parse_request(
    data: bytes, fmt: str, *, source: str, origin: str, max_items: int
) -> list[ParseResult]:
    """The request's results: all articles, or the first failure alone; TooManyItems beyond."""
    count = count_items(data, fmt, max_items)
    if count > max_items:
        raise TooManyItems(f"the request holds more than {max_items:,} items; send fewer at once")
    if fmt == "jsonl":
        results = iter_lines([data], source=source, origin=origin)
    else:
        results = iter(parse_bytes(data, fmt, source=source, origin=origin))
    out: list[ParseResult] = []
    for result in itertools.islice(results, max_items + 1):
        if not result.ok:
            return [result]
        out.append(result)
    if len(out) > max_items:
        raise TooManyItems(f"the request holds more than {max_items:,} items; send fewer at once")
    return out


async def read_body(request: web.Request, max_bytes: int, max_inflate_ratio: float) -> bytes:
    """The (decompressed) body, refused (BodyRefused) past the size or inflation limit."""
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    limit = max_bytes
    if encoding not in ("", "identity"):
        if request.content_length is None:
            raise BodyRefused(411, "a compressed body needs a Content-Length")
        limit = min(limit, int(request.content_length * max_inflate_ratio))
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                break
            chunks.append(chunk)
    except web.RequestPayloadError:
        # The stream is broken: mark it ended (aiohttp would otherwise drain it after our
        # answer, hit the same error and log it as unhandled) and close the connection.
        request.content.feed_eof()
        raise BodyRefused(
            400, f"the body does not decode as its Content-Encoding ({encoding}) says", close=True
        ) from None
    if size > limit:
        if limit < max_bytes:
            raise BodyRefused(
                413,
                f"the compressed body inflates more than {max_inflate_ratio:g} times; "
                "send it uncompressed or in smaller requests",
            )
        raise BodyRefused(413, f"the request body is larger than the {max_bytes:,}-byte limit")
    return b"".join(chunks)
