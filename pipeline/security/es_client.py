"""The one place Elasticsearch clients are built: URL, auth, TLS from `ElasticsearchSettings`."""

from __future__ import annotations

import logging
from typing import Any

from pipeline.security.secrets import read_secret
from pipeline.settings import ElasticsearchSettings

log = logging.getLogger(__name__)


def client_options(settings: ElasticsearchSettings) -> dict[str, Any]:
    """Keyword arguments shared by `Elasticsearch` and `AsyncElasticsearch`."""
    options: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    api_key = read_secret(settings.api_key, settings.api_key_file)
    password = read_secret(settings.password, settings.password_file)
    if api_key:
        options["api_key"] = api_key
    elif settings.username:
        if password is None:
            raise ValueError(
                "WIRESTREAM_ES_USERNAME needs WIRESTREAM_ES_PASSWORD or WIRESTREAM_ES_PASSWORD_FILE"
            )
        options["basic_auth"] = (settings.username, password)
    if settings.url.lower().startswith("https"):
        if settings.insecure:
            log.warning(
                "WIRESTREAM_ES_INSECURE is set: Elasticsearch certificates are NOT verified",
                extra={"url": settings.url},
            )
            options["verify_certs"] = False
            options["ssl_show_warn"] = False
        else:
            if settings.ca_certs:
                options["ca_certs"] = str(settings.ca_certs)
            if settings.ssl_assert_fingerprint:
                options["ssl_assert_fingerprint"] = settings.ssl_assert_fingerprint
    elif options.keys() & {"api_key", "basic_auth"} and not settings.insecure:
        log.warning(
            "Elasticsearch credentials are sent over plain http", extra={"url": settings.url}
        )
    return options


def elasticsearch_client(settings: ElasticsearchSettings | None = None, **overrides: Any) -> Any:
    """A synchronous `elasticsearch.Elasticsearch`; `overrides` win (e.g. request_timeout)."""
    from elasticsearch import Elasticsearch

    settings = settings or ElasticsearchSettings()
    return Elasticsearch(settings.url, **{**client_options(settings), **overrides})


def async_elasticsearch_client(
    settings: ElasticsearchSettings | None = None, **overrides: Any
) -> Any:
    """An `elasticsearch.AsyncElasticsearch` with the same options."""
    from elasticsearch import AsyncElasticsearch

    settings = settings or ElasticsearchSettings()
    return AsyncElasticsearch(settings.url, **{**client_options(settings), **overrides})
