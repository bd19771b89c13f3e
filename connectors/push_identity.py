"""Who names a pushed article: the endpoint, not the client.

The article id is the Kafka key and the Elasticsearch `_id`, and the revision is the external
version Elasticsearch compares. A client that could choose them could overwrite any article
(a feed's id is computable from the feed URL and the guid) and lock it against updates (a
revision of 2**63-1 makes every real revision "stale"). So on the push path the source is the
endpoint's own (`WIRESTREAM_HTTP_SOURCE`), the id is derived from it and the article's guid,
URL or body (`pushed_id`), and the revision is always bounded (`connectors.article.bound_revision`). Only a
deployment that allows it (`WIRESTREAM_HTTP_ALLOW_CLIENT_IDENTITY`, with a token: a trusted
relay of `wire.article.v1` records) keeps the id and source a client sent.
"""

from __future__ import annotations

import hashlib
from typing import Any

from connectors.article import article_id, bound_revision, check_article, normalise_body
from connectors.text import clean_line


def pushed_id(source: str, guid: str | None, url: str | None, body: str | None) -> str:
    """`article_id` in the endpoint's namespace. An article with neither guid nor URL is keyed
    by its body; elsewhere that key is shared across sources (the same wire copy from two feeds
    is one document), but a push client must not reach another source's document with it, so
    here the endpoint's source is part of the key."""
    if (guid and guid.strip()) or (url and url.strip()) or not (body and body.strip()):
        return article_id(source, guid, url, body)
    material = f"{source}\x1fpushed-body\x1f{normalise_body(body)}"
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def police(article: dict[str, Any], *, source: str, identity_allowed: bool) -> dict[str, Any]:
    """The record as the endpoint sends it (a copy; the input is not changed)."""
    record = dict(article)
    if not identity_allowed:
        own = (clean_line(source) or "")[:512]
        record["source"] = own
        record["id"] = pushed_id(own, record.get("guid"), record.get("url"), record.get("body"))
    if isinstance(record.get("revision"), int):
        record["revision"] = bound_revision(record["revision"])
    check_article(record)
    return record
