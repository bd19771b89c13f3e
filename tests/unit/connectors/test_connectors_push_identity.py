"""A push client cannot overwrite another source's article nor lock one against updates.

Reproduced before: a `wire.article.v1` record with a feed's id (anyone can compute it from the
feed URL and guid) and `revision: 2**63-1` was accepted; every later real revision of the feed
article was then refused as stale. A loose row took `source` from the body, and a `version` of
at least 10^13 was kept as it was.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from connectors.article import MAX_SOURCE_VERSION, REVISION_SPAN, article_id
from connectors.http_auth import TokenError, endpoint_authorizer
from connectors.http_push import create_app
from connectors.settings import HttpPushSettings

FEED = "https://feeds.example/news.xml"
GUID = "https://feeds.example/2026/strike"
ENDPOINT_SOURCE = "partner-a"
FEED_ID = article_id(FEED, GUID)


def _push(producer, fake_client, payload: Any, content_type: str, **settings: Any) -> list[dict]:
    settings = HttpPushSettings(source=ENDPOINT_SOURCE, **settings)
    app = create_app(producer, settings)
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)

    async def main() -> int:
        async with TestClient(TestServer(app)) as client:
            response = await client.post(
                "/v1/articles", data=body, headers={"Content-Type": content_type}
            )
            await response.read()
            return response.status

    assert asyncio.run(main()) == 202
    return fake_client.records("articles")


def _bounded(revision: int) -> bool:
    version, ms = divmod(revision, REVISION_SPAN)
    return version <= MAX_SOURCE_VERSION and ms <= time.time() * 1000 + 10 * 60 * 1000


def test_a_wire_record_with_a_feeds_id_gets_the_endpoints_own_id(producer, fake_client) -> None:
    record = {
        "schema": "wire.article.v1", "id": FEED_ID, "source": FEED, "guid": GUID,
        "url": None, "headline": "Forged", "byline": None, "body": "Forged text.",
        "language": "en", "published_at": None, "received_at": "2026-11-30T10:00:00Z",
        "format": "rss", "revision": 2**63 - 1,
    }  # fmt: skip
    [sent] = _push(producer, fake_client, record, "application/json")
    assert sent["id"] != FEED_ID
    assert sent["source"] == ENDPOINT_SOURCE
    assert sent["id"] == article_id(ENDPOINT_SOURCE, GUID)
    assert sent["revision"] < 2**63 - 1 and _bounded(sent["revision"])


def test_a_loose_row_cannot_choose_its_source(producer, fake_client) -> None:
    row = {"id": GUID, "source": FEED, "title": "Forged", "text": "Forged text."}
    [sent] = _push(producer, fake_client, row, "application/x-ndjson")
    assert sent["source"] == ENDPOINT_SOURCE and sent["id"] != FEED_ID


@pytest.mark.parametrize("version", [10**13 + 5, 2**63 - 1, "9999999999999999999"])
def test_a_huge_version_is_bounded(producer, fake_client, version: object) -> None:
    row = {"id": "g1", "title": "t", "text": "Some text.", "version": version}
    [sent] = _push(producer, fake_client, row, "application/x-ndjson")
    assert _bounded(sent["revision"])


def test_a_far_future_receive_time_does_not_inflate_the_revision(producer, fake_client) -> None:
    record = {
        "schema": "wire.article.v1", "source": "x", "guid": "g2", "body": "Text.",
        "received_at": "2285-01-01T00:00:00Z",
    }  # fmt: skip
    [sent] = _push(producer, fake_client, record, "application/json")
    assert _bounded(sent["revision"])


def test_a_token_allowed_to_set_identity_keeps_it_but_not_an_unbounded_revision(
    producer, fake_client
) -> None:
    record = {
        "schema": "wire.article.v1", "id": FEED_ID, "source": FEED, "guid": GUID,
        "url": None, "headline": None, "byline": None, "body": "Relayed text.",
        "language": "en", "published_at": None, "received_at": "2026-11-30T10:00:00Z",
        "format": "rss", "revision": 2**63 - 1,
    }  # fmt: skip
    [sent] = _push(producer, fake_client, record, "application/json", allow_client_identity=True)
    assert (sent["id"], sent["source"]) == (FEED_ID, FEED)
    assert _bounded(sent["revision"])


def test_an_open_endpoint_may_not_let_clients_set_identity() -> None:
    with pytest.raises(TokenError, match=r"(?i)identity"):
        endpoint_authorizer(HttpPushSettings(open=True, allow_client_identity=True))


def test_a_push_without_guid_or_url_cannot_take_another_sources_body_id(
    producer, fake_client
) -> None:
    body = "PARIS (AFP) - A story first read from a dropped file."
    file_id = article_id("wire", body=body)  # what a guid-less file article is keyed by
    row = {"title": "t", "text": body, "version": 900000}
    [sent] = _push(producer, fake_client, row, "application/x-ndjson")
    assert sent["id"] != file_id
    [again] = _push(producer, fake_client, row, "application/x-ndjson")[1:]
    assert again["id"] == sent["id"]  # re-pushing still updates its own document
