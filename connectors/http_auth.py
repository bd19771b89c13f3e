"""Authentication of the HTTP push endpoint (the `authorize` hook of `create_app`).

Secure by default: every `/v1/` request needs `Authorization: Bearer <token>` (compared in
constant time), the token coming from `WIRESTREAM_HTTP_TOKEN` or `WIRESTREAM_HTTP_TOKEN_FILE`
(file wins). Without one the server refuses to start unless told to run open
(`WIRESTREAM_HTTP_OPEN=true` or `serve-http --insecure-open`), which it then logs as a warning.
The per-client rate limit runs first, so token guessing is throttled too.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from connectors.http_ratelimit import RateLimiter
from connectors.settings import HttpPushSettings
from pipeline.security.secrets import SecretError, read_secret

log = logging.getLogger(__name__)
Authorize = Callable[[web.Request], Awaitable[None]]


class TokenError(ValueError):
    """No usable token (unreadable or empty file, or none and not told to run open)."""


def configured_token(settings: HttpPushSettings) -> str | None:
    """The token from the setting or the file it names (file wins), else None."""
    try:
        return read_secret(settings.token, settings.token_file)
    except SecretError as exc:
        raise TokenError(str(exc).replace("secret file", "token file")) from None


def bearer_authorizer(token: str) -> Authorize:
    expected = token.encode("utf-8")

    async def authorize(request: web.Request) -> None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise _unauthorized("missing bearer token")
        # aiohttp hands header bytes that are not UTF-8 over as lone surrogates; compare the
        # bytes as they arrived (surrogateescape) instead of failing to encode them (a 500).
        try:
            presented = given.strip().encode("utf-8", "surrogateescape")
        except UnicodeError:
            raise _unauthorized("invalid bearer token") from None
        if not hmac.compare_digest(presented, expected):
            raise _unauthorized("invalid bearer token")

    return authorize


def chain(*checks: Authorize | None) -> Authorize:
    """One hook running the given checks in order (None entries skipped)."""
    active = [c for c in checks if c is not None]

    async def authorize(request: web.Request) -> None:
        for check in active:
            await check(request)

    return authorize


def endpoint_authorizer(
    settings: HttpPushSettings,
    open_: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> Authorize:
    """Rate limit, then the bearer token; TokenError when there is no token and not open.

    `clock` drives the rate limiter's refill (tests pass a clock that only they move).
    """
    token = configured_token(settings)
    limiter = RateLimiter(settings.rate_per_s, settings.rate_burst, clock=clock)
    if token is None:
        if settings.allow_client_identity:
            raise TokenError(
                "WIRESTREAM_HTTP_ALLOW_CLIENT_IDENTITY lets clients choose article ids; it needs "
                "a token (WIRESTREAM_HTTP_TOKEN or WIRESTREAM_HTTP_TOKEN_FILE)"
            )
        if not (open_ or settings.open):
            raise TokenError(
                "no token: set WIRESTREAM_HTTP_TOKEN or WIRESTREAM_HTTP_TOKEN_FILE, or run "
                "open on purpose with --insecure-open (WIRESTREAM_HTTP_OPEN=true)"
            )
        log.warning("running OPEN: the push endpoint accepts anyone (no token configured)")
        return chain(limiter.check)
    return chain(limiter.check, bearer_authorizer(token))


def _unauthorized(reason: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        reason=reason, headers={"WWW-Authenticate": 'Bearer realm="wirestream"'}
    )
