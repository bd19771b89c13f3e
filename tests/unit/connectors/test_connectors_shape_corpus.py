"""The corpus of odd real-world shapes (tests/fixtures/shapes) reads the same through every way in.

`shapes-expected.json` pins, per file, what each article must come out as (or the refusal): mixed and
upper-case key names, nested authors, dates in RFC 3339, RFC 822, plain and Unix forms,
arrays and envelopes, BOMs, CRLF, UTF-16, Windows-1252, Latin-1 and stray bytes. The same files
then go through the HTTP push handler and `wirestream enrich`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner

from connectors.decoding import warning_code
from connectors.formats import read_path
from connectors.http_push import create_app
from pipeline.contracts import schemas

SHAPES = Path(__file__).resolve().parents[2] / "fixtures" / "shapes"
EXPECTED: dict[str, list[dict[str, Any]]] = json.loads(
    (SHAPES.parent / "shapes-expected.json").read_text()
)
ACCEPTED = sorted(name for name, items in EXPECTED.items() if "error" not in items[0])
REFUSED = sorted(name for name, items in EXPECTED.items() if "error" in items[0])
CONTENT_TYPES = {
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".txt": "text/plain",
}
CHEAP = "wirecopy.v1,language.lingua.v1"


def _summary(article: dict[str, Any]) -> dict[str, Any]:
    summary = {
        k: article.get(k)
        for k in ("headline", "byline", "published_at", "url", "guid", "language", "source")
    }
    summary["headline_derived"] = bool(article.get("headline_derived"))
    summary["body_starts"] = article["body"][:48]
    summary["warnings"] = [warning_code(w) for w in article.get("warnings", [])]
    return summary


def test_the_corpus_has_at_least_twenty_shapes_and_every_file_is_pinned() -> None:
    files = {p.name for p in SHAPES.iterdir()}
    assert files == set(EXPECTED)
    assert len(ACCEPTED) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shape_reads_as_pinned(name: str) -> None:
    results = list(read_path(SHAPES / name, source="wire"))
    got = []
    for result in results:
        if result.ok:
            schemas.validate(schemas.ARTICLE, result.article)
            got.append(_summary(result.article))
        else:
            got.append({"error": type(result.error).__name__, "message": str(result.error)[:60]})
    assert got == EXPECTED[name]


def test_windows_1252_and_latin1_keep_their_accents() -> None:
    [article] = [r.article for r in read_path(SHAPES / "windows-1252.txt")]
    assert "caf\u00e9" in article["body"] and "Jos\u00e9 and Fran\u00e7oise" in article["body"]
    assert "\u201cThis sentence is invented for the encoding test,\u201d" in article["body"]
    assert "windows-1252" in article["warnings"][0]
    rows = [r.article for r in read_path(SHAPES / "latin1-rows.jsonl")]
    assert [a["byline"] for a in rows] == ["Jos\u00e9 Dirceu", "Fran\u00e7ois M\u00fcller"]


def test_a_stray_byte_becomes_one_replacement_character() -> None:
    [article] = [r.article for r in read_path(SHAPES / "utf8-stray-byte.txt")]
    assert article["body"].count("\ufffd") == 1
    assert "NEW HAMPSHIRE (Wikinews) \u2014" in article["body"]  # the rest is intact UTF-8
    assert "offset" in article["warnings"][0]


def _push(producer, name: str) -> tuple[int, dict[str, Any]]:
    data = (SHAPES / name).read_bytes()
    content_type = CONTENT_TYPES[Path(name).suffix]

    async def main() -> tuple[int, dict[str, Any]]:
        async with TestClient(TestServer(create_app(producer))) as client:
            response = await client.post(
                "/v1/articles", data=data, headers={"Content-Type": content_type}
            )
            return response.status, await response.json()

    return asyncio.run(main())


@pytest.mark.parametrize("name", ACCEPTED)
def test_each_accepted_shape_is_accepted_by_the_push_handler(name, producer, fake_client) -> None:
    status, body = _push(producer, name)
    assert status == 202, body
    records = fake_client.records("articles")
    assert body["ids"] == [r["id"] for r in records]
    # The push endpoint names what it receives (docs/security.md, issue 20): the source is its
    # own (the connectors' default `wire`), whatever source a shape names for itself.
    expected = [{**item, "source": "wire"} for item in EXPECTED[name]]
    assert [_summary(r) for r in records] == expected


@pytest.mark.parametrize("name", REFUSED)
def test_each_refused_shape_is_refused_by_the_push_handler(name, producer, fake_client) -> None:
    status, body = _push(producer, name)
    expected = EXPECTED[name][0]
    assert status == (400 if expected["error"] == "MalformedInput" else 422)
    assert expected["message"] in body["error"]
    if status == 422:
        assert "accepted:" in body["error"] and "/openapi.json" in body["error"]
    assert fake_client.sent == []


def test_enrich_gives_one_record_per_article_of_every_accepted_shape() -> None:
    from pipeline.cli.enrich import enrich

    paths = [str(SHAPES / name) for name in ACCEPTED]
    result = CliRunner().invoke(enrich, [*paths, "--enrichers", CHEAP], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    expected = [item for name in ACCEPTED for item in EXPECTED[name]]
    assert len(records) == len(expected)
    for record, item in zip(records, expected, strict=True):
        schemas.validate(schemas.ENRICHED, record)
        assert record["headline"] == item["headline"]
        assert bool(record.get("headline_derived")) == item["headline_derived"]
        assert [warning_code(w) for w in record.get("warnings", [])] == item["warnings"]


def test_a_watched_drop_folder_of_the_corpus_sends_what_is_pinned(
    tmp_path, producer, fake_client
) -> None:
    import os
    import shutil
    import time

    from connectors.files import DirectoryWatcher
    from connectors.runner import run
    from connectors.settings import WatchSettings
    from connectors.state import StateFile

    drop = tmp_path / "drop"
    shutil.copytree(SHAPES, drop)
    past = time.time() - 10
    for path in drop.iterdir():
        os.utime(path, (past, past))  # settled
    watcher = DirectoryWatcher(drop, watch=WatchSettings(interval_s=0.01, settle_s=0.0), once=True)
    counts = run(watcher, producer, StateFile(tmp_path / "state.json"))
    wanted = sum(len(EXPECTED[name]) for name in ACCEPTED)
    assert (counts.sent, counts.deadlettered) == (wanted, len(REFUSED))
    codes = {
        warning_code(w) for a in fake_client.records("articles") for w in a.get("warnings", [])
    }
    assert codes == {
        "encoding_detected",
        "invalid_bytes_replaced",
        "field_ignored",
        "date_unparsed",
    }
    dead = fake_client.records("dead")
    assert sorted(d["original"]["source"].rsplit("/", 1)[1] for d in dead) == REFUSED
