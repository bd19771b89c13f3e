"""Bearer-token check for the HTTP push endpoint (the `authorize` hook of `create_app`).

Opt-in for now: with `WIRESTREAM_HTTP_TOKEN` or `WIRESTREAM_HTTP_TOKEN_FILE` set, every
`/v1/` request needs `Authorization: Bearer <token>` (compared in constant time); without either,
the endpoint runs open and says so in the log. Issue 7 makes the token required by default.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from connectors.settings import HttpPushSettings

log = logging.getLogger(__name__)


class TokenError(ValueError):
    """The token setting cannot be used (unreadable or empty file); the message names the file."""


def configured_token(settings: HttpPushSettings) -> str | None:
    """The token from the setting or the file it names (file wins), else None."""
    if settings.token_file is not None:
        try:
            token = settings.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise TokenError(
                f"cannot read the token file {settings.token_file}: {exc.strerror}"
            ) from None
        if not token:
            raise TokenError(f"the token file {settings.token_file} is empty")
        return token
    if settings.token is not None and settings.token.get_secret_value().strip():
        return settings.token.get_secret_value().strip()
    return None


def bearer_authorizer(token: str) -> Callable[[web.Request], Awaitable[None]]:
    expected = token.encode("utf-8")

    async def authorize(request: web.Request) -> None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise _unauthorized("missing bearer token")
        if not hmac.compare_digest(given.strip().encode("utf-8"), expected):
            raise _unauthorized("invalid bearer token")

    return authorize


def _unauthorized(reason: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        reason=reason, headers={"WWW-Authenticate": 'Bearer realm="wirestream"'}
    )
