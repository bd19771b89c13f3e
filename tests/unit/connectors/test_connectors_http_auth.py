from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from connectors.http_auth import TokenError, bearer_authorizer, configured_token
from connectors.http_push import create_app
from connectors.settings import HttpPushSettings


def _status(producer, headers: dict[str, str], want_header: bool = False):
    app = create_app(producer, authorize=bearer_authorizer("s3cret"))

    async def main():
        async with TestClient(TestServer(app)) as client:
            response = await client.post(
                "/v1/articles", json={"uri": "u", "body_text": "b"}, headers=headers
            )
            if want_header:
                return (
                    response.status,
                    response.headers.get("WWW-Authenticate"),
                    await response.json(),
                )
            return response.status

    return asyncio.run(main())


def test_push_with_the_right_token_is_accepted(producer) -> None:
    assert _status(producer, {"Authorization": "Bearer s3cret"}) == 202


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic s3cret", "Bearer"])
def test_push_without_the_right_token_is_401(producer, fake_client, header) -> None:
    assert _status(producer, {"Authorization": header} if header else {}) == 401
    assert fake_client.sent == []


def test_token_file_wins_and_is_stripped(tmp_path) -> None:
    path = tmp_path / "token"
    path.write_text("from-file\n")
    assert configured_token(HttpPushSettings(token="from-env", token_file=path)) == "from-file"


def test_unreadable_or_empty_token_file_is_an_error(tmp_path) -> None:
    (tmp_path / "empty").write_text("  ")
    for path in (tmp_path / "missing", tmp_path / "empty"):
        with pytest.raises(TokenError):
            configured_token(HttpPushSettings(token_file=path))


def test_no_token_configured_means_open() -> None:
    assert configured_token(HttpPushSettings()) is None


def test_401_names_the_scheme_and_the_reason(producer) -> None:
    status, challenge, body = _status(producer, {}, want_header=True)
    assert (status, challenge, body) == (
        401,
        'Bearer realm="wirestream"',
        {"error": "missing bearer token"},
    )
