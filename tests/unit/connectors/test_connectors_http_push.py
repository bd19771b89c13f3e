from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.decoding import warning_code
from connectors.http_push import create_app
from connectors.settings import HttpPushSettings


def _call(app: web.Application, fn: Callable[[TestClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with TestClient(TestServer(app)) as client:
            return await fn(client)

    return asyncio.run(main())


def _post(producer, body: bytes, content_type: str, settings: HttpPushSettings | None = None):
    async def go(client: TestClient) -> tuple[int, dict]:
        response = await client.post(
            "/v1/articles", data=body, headers={"Content-Type": content_type}
        )
        return response.status, await response.json()

    return _call(create_app(producer, settings), go)


def test_ninjs_push_is_acknowledged_with_its_id(producer, fake_client, fixtures) -> None:
    status, body = _post(
        producer, (fixtures / "ninjs" / "ninjs-2.json").read_bytes(), "application/json"
    )
    assert status == 202
    [article] = fake_client.records("articles")
    assert body == {"id": article["id"], "ids": [article["id"]]}


def test_newsml_push_is_accepted(producer, fake_client, fixtures) -> None:
    data = (fixtures / "newsml" / "newsitem.xml").read_bytes()
    status, _ = _post(producer, data, "application/vnd.iptc.g2.newsitem+xml")
    assert status == 202
    assert fake_client.records("articles")[0]["format"] == "newsml-g2"


def test_ndjson_push_sends_every_line(producer, fake_client) -> None:
    data = b'{"id": "1", "text": "one"}\n{"id": "2", "text": "two"}\n'
    status, body = _post(producer, data, "application/x-ndjson")
    assert status == 202
    assert len(body["ids"]) == 2


def test_malformed_json_is_400_with_a_message(producer, fake_client) -> None:
    status, body = _post(producer, b'{"uri": ', "application/json")
    assert status == 400
    assert "not valid JSON" in body["error"]
    assert fake_client.sent == []


def test_well_formed_non_article_is_422(producer) -> None:
    status, body = _post(producer, b'{"uri": "urn:x", "headline": "no body"}', "application/json")
    assert status == 422
    assert "no body" in body["error"]


def test_billion_laughs_is_400(producer, fixtures) -> None:
    status, body = _post(
        producer, (fixtures / "newsml" / "billion-laughs.xml").read_bytes(), "application/xml"
    )
    assert status == 400
    assert "DTD" in body["error"]


def test_unsupported_content_type_is_415(producer) -> None:
    status, body = _post(producer, b"%PDF-1.4 hello", "application/pdf")
    assert status == 415
    assert "application/json" in body["error"]


def test_plain_text_wire_copy_in_windows_1252_is_accepted_with_a_warning(
    producer, fake_client
) -> None:
    data = "PARIS (AFP) — Le président a parlé à la presse.".encode("cp1252")
    status, _ = _post(producer, data, "text/plain")  # no charset declared: detected
    assert status == 202
    [article] = fake_client.records("articles")
    assert article["body"] == "PARIS (AFP) — Le président a parlé à la presse."
    assert warning_code(article["warnings"][0]) == "encoding_detected"


def test_the_issue_16_headline_and_body_push_is_accepted(producer, fake_client) -> None:
    status, body = _post(producer, b'{"headline": "H", "body": "Copy."}', "application/json")
    assert status == 202, body
    assert fake_client.records("articles")[0]["headline"] == "H"


def test_a_422_names_the_field_and_the_accepted_shapes(producer) -> None:
    status, body = _post(producer, b'{"headline": "H", "body": ["a"]}', "application/json")
    assert status == 422
    assert body["error"].startswith("body must be a string, got a list; accepted: ")
    assert "ninjs" in body["error"] and "wire.article.v1" in body["error"]


def test_oversized_body_is_413(producer) -> None:
    status, body = _post(
        producer,
        b"{" + b" " * 3000 + b"}",
        "application/json",
        HttpPushSettings(max_body_bytes=1000),
    )
    assert status == 413
    assert "1,000-byte limit" in body["error"]


def test_one_bad_item_refuses_the_whole_request(producer, fake_client) -> None:
    data = orjson.dumps([{"uri": "urn:1", "body_text": "ok"}, {"uri": "urn:2"}])
    status, body = _post(producer, data, "application/json")
    assert status == 422
    assert body["error"].startswith("item 2:")
    assert fake_client.sent == []


def test_kafka_not_acknowledging_is_503(producer, fake_client) -> None:
    from kafka.errors import KafkaTimeoutError

    fake_client.fail_with = KafkaTimeoutError("no ack")
    status, body = _post(producer, b'{"uri": "urn:1", "body_text": "ok"}', "application/json")
    assert status == 503
    assert "Traceback" not in body["error"]


def test_unexpected_failure_is_500_without_a_stack_trace(producer, fake_client) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    fake_client.send = broken
    status, body = _post(producer, b'{"uri": "urn:1", "body_text": "ok"}', "application/json")
    assert (status, body) == (500, {"error": "internal error"})


def test_healthz_reports_kafka(fake_client) -> None:
    import socket

    from connectors.producer import ArticleProducer
    from connectors.settings import ConnectorSettings
    from pipeline.settings import KafkaSettings, TopicSettings

    async def go(client: TestClient) -> tuple[int, dict]:
        response = await client.get("/healthz")
        return response.status, await response.json()

    # A bootstrap address that accepts connections, then one that does not: the answer
    # must not depend on whether a Kafka happens to run on this machine.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        producer = ArticleProducer(
            KafkaSettings(bootstrap=f"127.0.0.1:{port}"),
            TopicSettings(article="articles", deadletter="dead"),
            ConnectorSettings(),
            client=fake_client,
        )
        assert _call(create_app(producer), go) == (200, {"status": "ok", "kafka": True})
    assert _call(create_app(producer), go)[0] == 503


def test_authorize_hook_can_refuse_requests(producer, fake_client) -> None:
    async def deny(request: web.Request) -> None:
        raise web.HTTPUnauthorized(reason="missing token")

    async def go(client: TestClient) -> tuple[int, dict]:
        response = await client.post("/v1/articles", json={"uri": "u", "body_text": "b"})
        return response.status, await response.json()

    assert _call(create_app(producer, authorize=deny), go) == (401, {"error": "missing token"})
    assert fake_client.sent == []


def test_healthz_is_503_when_kafka_is_unreachable(producer, monkeypatch) -> None:
    monkeypatch.setattr(producer, "connected", lambda: False)

    async def go(client: TestClient) -> int:
        return (await client.get("/healthz")).status

    assert _call(create_app(producer), go) == 503


def test_article_too_large_for_kafka_is_413_not_retry_later(producer, fake_client) -> None:
    fake_client.max_bytes = 50
    status, body = _post(
        producer, b'{"uri": "urn:1", "body_text": "a long enough body"}', "application/json"
    )
    assert status == 413
    assert "too large for Kafka" in body["error"]


def test_a_declared_charset_is_honoured_and_noted(producer, fake_client) -> None:
    # Turkish in Windows-1254: detection alone would read ş as þ (the Western fallback).
    text = "ANKARA (AA) — Başkent'te bugün önemli bir toplantı yapıldı."
    status, _ = _post(producer, text.encode("cp1254"), "text/plain; charset=windows-1254")
    assert status == 202
    [article] = fake_client.records("articles")
    assert article["body"] == text
    assert [warning_code(w) for w in article["warnings"]] == ["encoding_declared"]


def test_a_wrong_declared_charset_falls_back_to_detection(producer, fake_client) -> None:
    data = '{"title": "Caf\u00e9", "text": "Cr\u00e8me."}'.encode("latin-1")
    status, _ = _post(producer, data, "application/json; charset=utf-8")
    assert status == 202
    [article] = fake_client.records("articles")
    assert (article["headline"], article["body"]) == ("Caf\u00e9", "Cr\u00e8me.")
    assert [warning_code(w) for w in article["warnings"]] == ["encoding_detected"]


def test_the_202_answer_tells_the_sender_what_was_repaired_or_left_out(
    producer, fake_client
) -> None:
    data = orjson.dumps([{"title": "A", "text": "a."}, {"title": ["x"], "text": "b."}])
    status, body = _post(producer, data, "application/json")
    assert status == 202
    assert body["warnings"] == [
        {"item": 2, "warning": "field_ignored: title must be a string, got a list; ignored"}
    ]
