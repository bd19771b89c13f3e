"""One push request under the body limit must not cost gigabytes or block the server.

Measured before: 3.5 million `{}` NDJSON lines took 4.9 GiB and 50 s on the event loop; a 10 KB
gzip body inflates to 10 MB of them; 589,000 tiny valid articles went to Kafka in one call.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from connectors.formats import jsonl
from connectors.http_push import create_app
from connectors.settings import HttpPushSettings


def _post(producer, body: bytes, headers: dict[str, str], settings=None) -> tuple[int, Any]:
    app = create_app(producer, settings or HttpPushSettings())

    async def main() -> tuple[int, Any]:
        async with TestClient(TestServer(app)) as client:
            response = await client.post("/v1/articles", data=body, headers=headers)
            return response.status, await response.json()

    return asyncio.run(main())


@pytest.fixture
def parse_calls(monkeypatch) -> list[str]:
    """The thread of every JSON line parsed (the loop runs in the main thread)."""
    calls: list[str] = []
    real = jsonl.parse_line_items

    def spy(line: Any, *, source: str) -> Any:
        calls.append(threading.current_thread().name)
        return real(line, source=source)

    monkeypatch.setattr(jsonl, "parse_line_items", spy)
    return calls


NDJSON_TYPE = "application/x-ndjson"
NDJSON = {"Content-Type": NDJSON_TYPE}


def test_a_flood_of_bad_lines_stops_at_the_first_one(producer, fake_client, parse_calls) -> None:
    # A cap high enough to let all lines through: the first bad one must end the parsing.
    settings = HttpPushSettings(max_items=1_000_000)
    status, _ = _post(producer, b"{}\n" * 200_000, NDJSON, settings)
    assert status == 422
    assert len(parse_calls) <= 1  # before: all 200,000 lines were parsed
    assert fake_client.sent == []


def test_more_items_than_the_cap_is_413_and_nothing_is_sent(
    producer, fake_client, parse_calls
) -> None:
    settings = HttpPushSettings(max_items=50)
    line = orjson.dumps({"id": "g", "title": "t", "text": "A tiny story."}) + b"\n"
    status, body = _post(producer, line * 51, NDJSON, settings)
    assert status == 413 and "50" in body["error"]
    assert parse_calls == [] and fake_client.sent == []
    array = orjson.dumps([{"uri": f"urn:{i}", "body_text": "x"} for i in range(51)])
    status, _ = _post(producer, array, {"Content-Type": "application/json"}, settings)
    assert status == 413 and fake_client.sent == []


def test_the_default_cap_refuses_a_request_of_589_000_tiny_articles(producer, fake_client) -> None:
    assert HttpPushSettings().max_items <= 10_000
    line = b'{"text":"x"}\n'
    status, _ = _post(producer, line * 20_000, NDJSON)
    assert status == 413 and fake_client.sent == []


def test_parsing_runs_off_the_event_loop(producer, fake_client, parse_calls) -> None:
    line = orjson.dumps({"id": "g1", "title": "t", "text": "A tiny story."})
    status, _ = _post(producer, line, NDJSON)
    assert status == 202
    assert parse_calls and threading.main_thread().name not in parse_calls


def test_a_gzip_bomb_is_refused_before_parsing(producer, fake_client, parse_calls) -> None:
    inflated = b"{}\n" * (3 * 1024 * 1024)  # 9 MiB, under the 10 MB limit
    bomb = gzip.compress(inflated, 9)
    assert len(bomb) < 20_000
    headers = {**NDJSON, "Content-Encoding": "gzip"}
    status, body = _post(producer, bomb, headers)
    assert status == 413 and "compress" in body["error"]
    assert parse_calls == [] and fake_client.sent == []


def test_an_ordinary_gzip_body_is_accepted(producer, fake_client) -> None:
    lines = b"".join(
        orjson.dumps({"id": f"g{i}", "title": "t", "text": f"Story {i} about the strike."}) + b"\n"
        for i in range(20)
    )
    status, _ = _post(producer, gzip.compress(lines), {**NDJSON, "Content-Encoding": "gzip"})
    assert status == 202 and len(fake_client.sent) == 20


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_body_that_does_not_decode_as_announced_is_400_without_an_error_log(
    producer, fake_client, caplog, encoding: str
) -> None:
    headers = {**NDJSON, "Content-Encoding": encoding}
    with caplog.at_level("ERROR"):
        status, body = _post(producer, b'{"id": "g", "title": "t", "text": "x"}\n', headers)
    assert status == 400 and "Content-Encoding" in body["error"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert fake_client.sent == []


@pytest.fixture
def built(monkeypatch) -> list[int]:
    """Every object turned (or refused) into an article, whatever the shape."""
    calls: list[int] = []
    real = jsonl.object_to_article

    def spy(obj: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(obj, **kwargs)

    monkeypatch.setattr(jsonl, "object_to_article", spy)
    return calls


ROW = {"title": "t", "text": "A tiny story."}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (orjson.dumps([{}] * 200_000) + b"\n", "application/x-ndjson"),  # an array on one line
        (orjson.dumps({"articles": [ROW] * 1001}), "application/json"),  # an envelope
        (b"\n".join(orjson.dumps(ROW) for _ in range(1001)), "application/json"),  # lines
        (orjson.dumps({"data": [ROW] * 600}) + b"\n" + orjson.dumps([ROW] * 600), NDJSON_TYPE),
    ],
    ids=["array-on-a-line", "envelope", "json-lines-as-json", "two-lines-of-600"],
)
def test_every_shape_is_counted_before_any_article_is_built(
    producer, fake_client, built, body: bytes, content_type: str
) -> None:
    status, answer = _post(producer, body, {"Content-Type": content_type})
    assert status == 413, answer
    assert built == [] and fake_client.sent == []


def test_a_utf16_body_is_counted_as_the_parser_reads_it(producer, fake_client, built) -> None:
    body = b"\xff\xfe" + orjson.dumps([ROW] * 1001).decode().encode("utf-16-le")
    status, _ = _post(producer, body, {"Content-Type": "application/json"})
    assert status == 413 and built == [] and fake_client.sent == []
