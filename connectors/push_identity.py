"""Who names a pushed article: the endpoint, not the client.

The article id is the Kafka key and the Elasticsearch `_id`, and the revision is the external
version Elasticsearch compares. A client that could choose them could overwrite any article
(a feed's id is computable from the feed URL and the guid) and lock it against updates (a
revision of 2**63-1 makes every real revision "stale"). So on the push path the source is the
endpoint's own (`WIRESTREAM_HTTP_SOURCE`), the id is derived from it and the article's guid,
URL or body, and the revision is always bounded (`connectors.article.bound_revision`). Only a
deployment that allows it (`WIRESTREAM_HTTP_ALLOW_CLIENT_IDENTITY`, with a token: a trusted
relay of `wire.article.v1` records) keeps the id and source a client sent.
"""

from __future__ import annotations

from typing import Any

from connectors.article import article_id, bound_revision, check_article
from connectors.text import clean_line


def police(article: dict[str, Any], *, source: str, identity_allowed: bool) -> dict[str, Any]:
    """The record as the endpoint sends it (a copy; the input is not changed)."""
    record = dict(article)
    if not identity_allowed:
        own = (clean_line(source) or "")[:512]
        record["source"] = own
        record["id"] = article_id(own, record.get("guid"), record.get("url"), record.get("body"))
    if isinstance(record.get("revision"), int):
        record["revision"] = bound_revision(record["revision"])
    check_article(record)
    return record
