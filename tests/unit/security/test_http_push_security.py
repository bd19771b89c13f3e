"""The push endpoint is closed by default: token, size, content type, rate limit, no traces."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner

from connectors.http_auth import TokenError, endpoint_authorizer
from connectors.http_push import create_app
from connectors.http_ratelimit import RateLimiter
from connectors.settings import HttpPushSettings

TOKEN = "push-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = {"uri": "urn:x", "body_text": "A body."}


def _settings(**kwargs: Any) -> HttpPushSettings:
    return HttpPushSettings(token=TOKEN, **kwargs)


class FrozenClock:
    """The rate limiter's clock: it stands still unless the test moves it."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _requests(
    producer,
    settings: HttpPushSettings,
    calls: list[dict[str, Any]],
    clock: Callable[[], float] | None = None,
) -> list[Any]:
    authorize = endpoint_authorizer(settings, clock=clock or FrozenClock())
    app = create_app(producer, settings, authorize=authorize)

    async def main() -> list[Any]:
        out = []
        async with TestClient(TestServer(app)) as client:
            for call in calls:
                if callable(call):  # a step between requests (moves the clock)
                    call()
                    continue
                response = await client.post("/v1/articles", **call)
                out.append((response.status, await response.text(), response.headers))
        return out

    return asyncio.run(main())


@pytest.fixture(autouse=True)
def no_env_token(monkeypatch) -> None:
    for name in ("WIRESTREAM_HTTP_TOKEN", "WIRESTREAM_HTTP_TOKEN_FILE", "WIRESTREAM_HTTP_OPEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": TOKEN},
    ],
)
def test_missing_or_wrong_token_is_401_and_nothing_is_sent(
    push_producer, kafka_client, headers
) -> None:
    [(status, body, response_headers)] = _requests(
        push_producer, _settings(), [{"json": ARTICLE, "headers": headers}]
    )
    assert status == 401
    assert response_headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in body and kafka_client.sent == []


def test_right_token_is_accepted(push_producer, kafka_client) -> None:
    [(status, _, _)] = _requests(push_producer, _settings(), [{"json": ARTICLE, "headers": AUTH}])
    assert status == 202 and len(kafka_client.sent) == 1


def test_oversized_body_is_413_by_default_limit_of_10_mb(push_producer, kafka_client) -> None:
    assert HttpPushSettings().max_body_bytes == 10 * 1024 * 1024
    body = b'{"body_text": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    [(status, text, _)] = _requests(
        push_producer,
        _settings(),
        [{"data": body, "headers": {**AUTH, "Content-Type": "application/json"}}],
    )
    assert status == 413 and "limit" in text and kafka_client.sent == []


def test_unsupported_content_type_is_415(push_producer, kafka_client) -> None:
    [(status, text, _)] = _requests(
        push_producer,
        _settings(),
        [{"data": b"%PDF-1.7", "headers": {**AUTH, "Content-Type": "application/pdf"}}],
    )
    assert status == 415 and "unsupported content type" in text and kafka_client.sent == []


def test_flood_from_one_client_gets_429_with_retry_after(push_producer) -> None:
    settings = _settings(rate_per_s=1.0, rate_burst=3)
    results = _requests(push_producer, settings, [{"json": ARTICLE, "headers": AUTH}] * 6)
    statuses = [status for status, _, _ in results]
    assert statuses[:3] == [202, 202, 202]
    assert statuses[3:] == [429, 429, 429]
    assert results[-1][2]["Retry-After"] == "1"


def test_a_throttled_client_is_let_in_again_once_its_tokens_refill(push_producer) -> None:
    clock = FrozenClock()
    settings = _settings(rate_per_s=0.5, rate_burst=1)
    post = {"json": ARTICLE, "headers": AUTH}

    def wait(seconds: float) -> Callable[[], None]:
        def step() -> None:
            clock.now += seconds

        return step

    results = _requests(
        push_producer, settings, [post, post, wait(1.9), post, wait(0.1), post], clock
    )
    assert [status for status, _, _ in results] == [202, 429, 429, 202]
    assert results[1][2]["Retry-After"] == "2"  # one token every 2 s


def test_at_rate_zero_a_client_is_told_to_retry_after_60_s(push_producer) -> None:
    settings = _settings(rate_per_s=0.0, rate_burst=1)
    results = _requests(push_producer, settings, [{"json": ARTICLE, "headers": AUTH}] * 2)
    assert [status for status, _, _ in results] == [202, 429]
    assert results[1][2]["Retry-After"] == "60"


def test_a_chunked_body_over_the_limit_is_413_without_content_length(
    push_producer, kafka_client
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"body_text": "'
        for _ in range(20):
            yield b"x" * 1000
        yield b'"}'

    settings = _settings(max_body_bytes=10_000)
    [(status, text, _)] = _requests(
        push_producer,
        settings,
        [{"data": chunks(), "headers": {**AUTH, "Content-Type": "application/json"}}],
    )
    assert status == 413, text
    assert "larger than the 10,000-byte limit" in text and kafka_client.sent == []


def test_token_guessing_is_rate_limited_too(push_producer) -> None:
    settings = _settings(rate_per_s=0.5, rate_burst=2)
    calls = [{"json": ARTICLE, "headers": {"Authorization": "Bearer guess"}}] * 4
    assert [s for s, _, _ in _requests(push_producer, settings, calls)] == [401, 401, 429, 429]


def test_rate_limiter_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2.0, burst=1, clock=lambda: now[0])
    assert limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")  # per client
    now[0] = 0.5
    assert limiter.allow("a")


def test_rate_limiter_forgets_old_clients_beyond_its_bound() -> None:
    limiter = RateLimiter(rate_per_s=1.0, burst=1, max_clients=3)
    for client in "abcdef":
        limiter.allow(client)
    assert len(limiter._buckets) == 3


def test_internal_errors_answer_500_without_a_trace(kafka_client) -> None:
    class Broken:
        topics = None

        def send_all_and_wait(self, *args: Any) -> None:
            raise RuntimeError(f"boom at /secret/path {TOKEN}")

    [(status, text, _)] = _requests(Broken(), _settings(), [{"json": ARTICLE, "headers": AUTH}])
    assert status == 500
    assert text == '{"error": "internal error"}'


def test_server_refuses_to_start_without_a_token() -> None:
    with pytest.raises(TokenError, match="WIRESTREAM_HTTP_TOKEN"):
        endpoint_authorizer(HttpPushSettings())


def test_running_open_needs_an_explicit_setting(push_producer, kafka_client) -> None:
    settings = HttpPushSettings(open=True)
    [(status, _, _)] = _requests(push_producer, settings, [{"json": ARTICLE}])
    assert status == 202


def test_token_file_wins_and_empty_file_is_refused(tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(TokenError, match="empty"):
        endpoint_authorizer(HttpPushSettings(token_file=empty))


def test_serve_http_cli_exits_with_a_clear_error_without_a_token() -> None:
    from connectors.cli import serve_http

    result = CliRunner().invoke(serve_http, ["--port", "1"])
    assert result.exit_code != 0
    assert "WIRESTREAM_HTTP_TOKEN" in result.output and "--insecure-open" in result.output
