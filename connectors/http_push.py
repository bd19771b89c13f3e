"""HTTP push endpoint: `POST /v1/articles` (aiohttp) for `wirestream serve-http`.

Accepts `application/json` (the loose article shape of `connectors/formats/loose.py`, ninjs or
`wire.article.v1`; one object, an array, or an envelope such as `{"articles": [...]}`),
`application/x-ndjson` (JSON lines) and `application/xml`, `text/xml`,
`application/vnd.iptc.g2.newsitem+xml`, `application/vnd.iptc.g2.newsmessage+xml` (NewsML-G2),
`text/html` / `application/xhtml+xml` (a web page: its article, through `connectors.html_article`)
and `text/plain` (wire copy).
Answers 202 `{"id": ..., "ids": [...]}` only after Kafka acknowledged every article of the request
(plus `warnings`: [{item, warning}] when an article had to be repaired or lost a field);
400 (not well-formed), 411 (compressed without Content-Length), 413 (too large for the endpoint
or for Kafka, more than `max_items` items, a compressed body inflating more than
`max_inflate_ratio` times), 415 (content type), 422 (well-formed but not an article,
nothing is sent), 503 (Kafka did not acknowledge); always a JSON `{"error": ...}`, never a trace.
Parsing runs in its own threads, off the event loop (`connectors.push_parsing`).
`GET /healthz` answers 200 when the producer reached Kafka, else 503 (cached and rate-limited:
`connectors.http_health`). `GET /openapi.json` serves
the OpenAPI document of this endpoint, `schemas/openapi.json` (its single source; a unit test
holds it to the names `connectors/formats/loose.py` accepts). A 422 names the accepted shapes.
A `charset=` the client declares (other than UTF-8) is honoured for JSON and text, and noted
in each article's `warnings` (`encoding_declared`); without one the bytes are detected.

Authentication is a hook: `create_app(..., authorize=fn)` where `fn(request)` is awaited before
every `/v1/` handler and raises an `aiohttp.web.HTTPException` (e.g. 401) to refuse.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import orjson
from aiohttp import web

from connectors.decoding import transcode_declared
from connectors.errors import MalformedInput
from connectors.formats import ParseResult, loose
from connectors.http_health import CachedProbe, healthz_handler
from connectors.http_ratelimit import RateLimiter
from connectors.producer import ArticleProducer, DeliveryError, RecordRejected
from connectors.push_identity import police
from connectors.push_parsing import BodyRefused, TooManyItems, parse_request, read_body
from connectors.runner import Counts
from connectors.settings import ConnectorSettings, HttpPushSettings

log = logging.getLogger(__name__)
Authorize = Callable[[web.Request], Awaitable[None]]

CONTENT_TYPES = {
    "application/json": "json",
    "application/ld+json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/xml": "newsml-g2",
    "text/xml": "newsml-g2",
    "application/vnd.iptc.g2.newsitem+xml": "newsml-g2",
    "application/vnd.iptc.g2.newsmessage+xml": "newsml-g2",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "plaintext",  # wire copy as it is; any encoding (connectors/decoding.py)
}
PRODUCER: web.AppKey[ArticleProducer] = web.AppKey("producer", ArticleProducer)
SETTINGS: web.AppKey[HttpPushSettings] = web.AppKey("settings", HttpPushSettings)
SOURCE: web.AppKey[str] = web.AppKey("source", str)
ON_DELIVERED: web.AppKey[Any] = web.AppKey("on_delivered", object)
OPENAPI_FILE = "openapi.json"
PARSER: web.AppKey[ThreadPoolExecutor] = web.AppKey("parser", ThreadPoolExecutor)


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def create_app(
    producer: ArticleProducer,
    settings: HttpPushSettings | None = None,
    authorize: Authorize | None = None,
    on_delivered: Callable[[Counts], None] | None = None,
) -> web.Application:
    """The push application; `on_delivered(counts)` is called after each acknowledged request."""
    settings = settings or HttpPushSettings()
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[_errors_middleware(authorize)],
    )
    app[PRODUCER] = producer
    app[SETTINGS] = settings
    app[SOURCE] = settings.source or ConnectorSettings().source
    app[ON_DELIVERED] = on_delivered
    app[PARSER] = ThreadPoolExecutor(
        max_workers=max(1, settings.parse_threads), thread_name_prefix="wirestream-parse"
    )
    app.router.add_post("/v1/articles", post_articles)
    app.router.add_get("/openapi.json", openapi)
    probe = CachedProbe(lambda: producer.connected(), settings.health_cache_s)
    limiter = RateLimiter(settings.health_rate_per_s, settings.health_rate_burst)
    app.router.add_get("/healthz", healthz_handler(probe, limiter))

    async def close_probe(_: web.Application) -> None:
        probe.close()
        app[PARSER].shutdown(wait=False, cancel_futures=True)

    app.on_cleanup.append(close_probe)
    return app


def openapi_document() -> bytes:
    """The OpenAPI document of the push endpoint, as stored under `schemas/`."""
    from pipeline.contracts.schemas import schema_dir

    return (schema_dir() / OPENAPI_FILE).read_bytes()


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=openapi_document(), content_type="application/json")


def _errors_middleware(authorize: Authorize | None) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            if authorize is not None and request.path.startswith("/v1/"):
                await authorize(request)
            return await handler(request)
        except web.HTTPRequestEntityTooLarge:
            limit = request.app[SETTINGS].max_body_bytes
            return error(413, f"the request body is larger than the {limit:,}-byte limit")
        except web.HTTPException as exc:
            if exc.content_type == "application/json":
                raise
            response = error(exc.status, exc.reason)
            for name in ("WWW-Authenticate", "Retry-After", "Allow"):
                if name in exc.headers:
                    response.headers[name] = exc.headers[name]
            return response
        except Exception:
            log.exception("request failed", extra={"path": request.path})
            return error(500, "internal error")

    return middleware


async def post_articles(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    fmt = CONTENT_TYPES.get(request.content_type)
    if fmt is None:
        accepted = ", ".join(sorted(CONTENT_TYPES))
        return error(
            415, f"unsupported content type {request.content_type!r}; use one of {accepted}"
        )
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return error(
            413, f"the request body is larger than the {settings.max_body_bytes:,}-byte limit"
        )
    try:
        data = await read_body(request, settings.max_body_bytes, settings.max_inflate_ratio)
    except BodyRefused as exc:
        response = error(exc.status, str(exc))
        if exc.close:
            response.force_close()
        return response
    if not data.strip():
        return error(400, "the request body is empty")
    origin = f"http:{request.remote or '-'}"
    source = request.app[SOURCE]
    loop = asyncio.get_running_loop()
    try:
        # Off the loop, in its own threads: a big request must not stall other requests, nor
        # take the default executor's threads, where requests wait for Kafka's acknowledgements.
        failed, articles = await loop.run_in_executor(
            request.app[PARSER],
            partial(
                _prepare, data, fmt, request.charset,
                source=source, origin=origin, settings=settings,
            ),
        )  # fmt: skip
    except TooManyItems as exc:
        return error(413, str(exc))
    if failed:
        return _refusal(failed)
    producer = request.app[PRODUCER]
    try:
        await loop.run_in_executor(
            None, producer.send_all_and_wait, articles, settings.ack_timeout_s
        )
    except RecordRejected as exc:
        return error(413, str(exc))
    except DeliveryError as exc:
        log.error("push not acknowledged", extra={"error": str(exc)})
        return error(503, "Kafka did not acknowledge the article; retry later")
    ids = [a["id"] for a in articles]
    if request.app[ON_DELIVERED] is not None:
        request.app[ON_DELIVERED](Counts(sent=len(ids)))
    log.info("pushed", extra={"ids": ids[:20], "count": len(ids), "remote": request.remote})
    body: dict[str, Any] = {"ids": ids}
    if len(ids) == 1:
        body["id"] = ids[0]
    # What had to be repaired or left out, so the sender learns it now, not from the index.
    warnings = [
        {"item": number, "warning": warning}
        for number, article in enumerate(articles, 1)
        for warning in article.get("warnings", [])
    ]
    if warnings:
        body["warnings"] = warnings[:100]
    return web.json_response(body, status=202, dumps=lambda o: orjson.dumps(o).decode())


def _prepare(
    data: bytes,
    fmt: str,
    charset: str | None,
    *,
    source: str,
    origin: str,
    settings: HttpPushSettings,
) -> tuple[list[ParseResult], list[dict[str, Any]]]:
    """(the first failure, []) or ([], the records to send): transcoded, counted, parsed,
    policed (`connectors.push_identity`)."""
    declared = None
    if fmt != "newsml-g2":  # XML declares its encoding itself
        data, declared = transcode_declared(data, charset)
    results = parse_request(data, fmt, source=source, origin=origin, max_items=settings.max_items)
    failed = [r for r in results if not r.ok]
    if failed:
        return failed, []
    allowed = settings.allow_client_identity
    articles = [
        police(r.article, source=source, identity_allowed=allowed)
        for r in results
        if r.article is not None
    ]
    if declared is not None:
        for article in articles:
            article["warnings"] = [declared, *article.get("warnings", [])][:20]
    return [], articles


def _refusal(failed: list[ParseResult]) -> web.Response:
    first = failed[0]
    status = 400 if isinstance(first.error, MalformedInput) else 422
    where = first.origin.partition("#")[2] or first.origin.rpartition(":")[2]
    message = str(first.error)
    if len(failed) > 1 or "#" in first.origin:
        message = f"item {where}: {message} (the request was refused, nothing was sent)"
    if status == 422 and "accepted:" not in message:
        message = f"{message}; {loose.accepted_shapes()}"
    return error(status, message)


def serve(
    host: str,
    port: int,
    producer: ArticleProducer,
    settings: HttpPushSettings | None = None,
    authorize: Authorize | None = None,
    on_delivered: Callable[[Counts], None] | None = None,
) -> None:
    """Run the server until interrupted (SIGINT/SIGTERM), then flush the producer."""
    app = create_app(producer, settings, authorize, on_delivered)
    if not producer.warm_up():
        log.warning(
            "the article topic is not available yet", extra={"topic": producer.topics.article}
        )
    try:
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    finally:
        producer.flush()
