"""A bearer token that is not UTF-8 is a 401 like any wrong token, never a 500 with a trace."""

from __future__ import annotations

import asyncio
import logging

from aiohttp.test_utils import TestServer

from connectors.http_auth import endpoint_authorizer
from connectors.http_push import create_app
from connectors.settings import HttpPushSettings

TOKEN = "push-token-0123456789abcdef"


async def _raw_request(server: TestServer, authorization: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    body = b'{"uri": "urn:x", "body_text": "A body."}'
    writer.write(
        b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: " + authorization + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    await writer.drain()
    response = await asyncio.wait_for(reader.read(), timeout=30)
    writer.close()
    return response


def test_non_utf8_authorization_is_401_without_an_error_log(
    push_producer, kafka_client, caplog
) -> None:
    settings = HttpPushSettings(token=TOKEN)
    app = create_app(push_producer, settings, authorize=endpoint_authorizer(settings))

    async def main() -> list[bytes]:
        async with TestServer(app) as server:
            return [
                await _raw_request(server, b"Bearer \xff\xfe" + TOKEN.encode()),
                await _raw_request(server, b"Bearer caf\xe9"),
            ]

    with caplog.at_level(logging.ERROR):
        responses = asyncio.run(main())
    for response in responses:
        assert response.startswith(b"HTTP/1.1 401"), response[:200]
        assert b"Traceback" not in response
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert kafka_client.sent == []
