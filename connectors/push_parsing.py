"""What one push request may cost: item cap, first-failure stop, bounded decompression.

The body limit alone does not bound the work: 10 MB of `{}` lines is 3.5 million items (4.9 GiB
and 50 s when each became a result), and a 10 KB gzip body inflates to those 10 MB. So:

- items are counted before any is built (`count_json_items`: every top-level value, array
  element and envelope member, decoded one element at a time), and a request over `max_items`
  is refused whole;
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

from connectors.decoding import decode_text
from connectors.errors import ParseError
from connectors.formats import ParseResult, iter_lines, parse_bytes

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
    """An upper bound of the articles in JSON text, counting stops past `cap`.

    Every top-level value counts (JSON lines, or a JSON document holding lines): an array by its
    elements, an object by its largest array of objects (an envelope such as `{"articles": [...]}`)
    or else as one. Values are decoded one element at a time, so a 10 MB array of `{}` costs
    `cap` small decodes, not 3 million objects. Malformed text returns what was counted: the
    real parser reports the error.
    """
    decoder = json.JSONDecoder()
    total, i, end = 0, _skip(text, 0), len(text)
    try:
        while i < end and total <= cap:
            if text[i] == "[":
                count, i = _elements(decoder, text, i, cap - total, objects_only=False)
            elif text[i] == "{":
                count, i = _object(decoder, text, i, cap - total)
            else:
                _, i = decoder.raw_decode(text, i)
                count = 1
            total += count
            i = _skip(text, i)
    except (ValueError, RecursionError, IndexError):
        pass
    return total


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]


def _elements(
    decoder: json.JSONDecoder, text: str, i: int, cap: int, objects_only: bool
) -> tuple[int, int]:
    """(elements, the index after the array) for the array at `i`; stops past `cap`."""
    count, i = 0, _skip(text, i + 1)
    if text.startswith("]", i):
        return 0, i + 1
    while True:
        value, i = decoder.raw_decode(text, i)
        count += 1 if isinstance(value, dict) or not objects_only else 0
        if count > cap:
            return count, len(text)
        i = _skip(text, i)
        if text.startswith("]", i):
            return count, i + 1
        if not text.startswith(",", i):
            raise ValueError("not an array")
        i = _skip(text, i + 1)


def _object(decoder: json.JSONDecoder, text: str, i: int, cap: int) -> tuple[int, int]:
    """(1, or the largest array of objects among its members, the index after the object)."""
    largest, i = 1, _skip(text, i + 1)
    if text.startswith("}", i):
        return 1, i + 1
    while True:
        _, i = decoder.raw_decode(text, i)  # the key
        i = _skip(text, i)
        if not text.startswith(":", i):
            raise ValueError("not an object")
        i = _skip(text, i + 1)
        if text.startswith("[", i):
            count, i = _elements(decoder, text, i, cap, objects_only=True)
            largest = max(largest, count)
            if largest > cap:
                return largest, len(text)
        else:
            _, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text.startswith("}", i):
            return largest, i + 1
        if not text.startswith(",", i):
            raise ValueError("not an object")
        i = _skip(text, i + 1)


def count_items(data: bytes, fmt: str, cap: int) -> int:
    if fmt in ("json", "jsonl"):
        try:  # decoded as the parser will (BOMs, UTF-16, legacy encodings)
            text = decode_text(data, "the request").text
        except ParseError:
            return 0  # not text at all: the parser refuses it
        return count_json_items(text, cap)
    return 1  # one document (NewsML-G2, HTML, text): its parser bounds what it reads


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
