"""HTML pages come in as files, sniffed streams, mis-named .txt files and pushes: all become the
article through the one extractor, never the markup."""

from __future__ import annotations

import asyncio
import io
import shutil

from aiohttp.test_utils import TestClient, TestServer

from connectors.formats import read_path, read_stream, sniff_format
from connectors.http_push import create_app

FIRST = "A fire yesterday afternoon killed five girls"


def _page(fixtures) -> bytes:
    return (fixtures / "html" / "escape-room-fire.html").read_bytes()


def _assert_article(article: dict) -> None:
    assert article["format"] == "html" and article["body_source"] == "page"
    assert article["body"].startswith(FIRST)
    assert "<" not in article["body"] and "Most read" not in article["body"]
    assert article["headline"] == "Escape room fire kills five teen girls in Koszalin, Poland"


def test_html_and_htm_files_are_read_as_pages(fixtures, tmp_path) -> None:
    for name in ("page.html", "page.HTM"):
        path = tmp_path / name
        shutil.copy(fixtures / "html" / "escape-room-fire.html", path)
        [result] = read_path(path)
        _assert_article(result.article)


def test_a_page_named_txt_or_piped_on_stdin_is_still_a_page(fixtures, tmp_path) -> None:
    path = tmp_path / "saved.txt"
    path.write_bytes(_page(fixtures))
    [from_txt] = read_path(path)
    _assert_article(from_txt.article)
    [from_stdin] = read_stream(io.BufferedReader(io.BytesIO(_page(fixtures))))
    _assert_article(from_stdin.article)


def test_html_is_sniffed_apart_from_newsml() -> None:
    assert sniff_format(b"<!DOCTYPE html>\n<html>") == "html"
    assert sniff_format(b'<?xml version="1.0"?><newsItem/>') == "newsml-g2"


def test_a_page_without_an_article_is_an_error_result_not_an_exception(tmp_path) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(b"<html><head><script>track()</script></head><body></body></html>")
    [result] = read_path(path)
    assert not result.ok and "no article text" in str(result.error)


def test_a_text_html_push_sends_the_article(producer, fake_client, fixtures) -> None:
    async def go() -> int:
        async with TestClient(TestServer(create_app(producer))) as client:
            response = await client.post(
                "/v1/articles",
                data=_page(fixtures),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
            return response.status

    assert asyncio.run(go()) == 202
    [article] = fake_client.records("articles")
    _assert_article(article)
