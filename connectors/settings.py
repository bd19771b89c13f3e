"""Settings of the connectors, one pydantic-settings class per component (prefix `WIRESTREAM_`).

Kafka itself (bootstrap, compression) and topic names come from `pipeline.settings`
(`KafkaSettings`, `TopicSettings`: `WIRESTREAM_TOPIC_ARTICLE`, `WIRESTREAM_TOPIC_DEADLETTER`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.settings import StackSettings


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="forbid", frozen=True)


def default_state_dir() -> Path:
    """Where connectors remember what they sent: `<stack state_dir>/connectors`."""
    return StackSettings().state_dir / "connectors"


class ConnectorSettings(BaseSettings):
    """What every connector shares: limits, the default source name, the producer's tuning."""

    model_config = _config("WIRESTREAM_CONNECTOR_")

    source: str = Field(
        "wire",
        description="source name for files and HTTP push when the document names none; part of "
        "the article id, so keep it stable",
    )
    max_article_bytes: int = Field(10 * 1024 * 1024, description="one article (file, line, body)")
    max_message_bytes: int = Field(
        8 * 1024 * 1024, description="producer max_request_size; larger records are dead-lettered"
    )
    deadletter_max_original_bytes: int = Field(
        256 * 1024, description="originals longer than this are truncated in dead-letter records"
    )
    linger_ms: int = 20
    retries: int = 10
    delivery_timeout_s: float = Field(60.0, description="how long to wait for the broker's acks")
    batch: int = Field(500, description="records sent between two flushes by file ingest")
    state_dir: Path = Field(default_factory=default_state_dir)


class WatchSettings(BaseSettings):
    """The directory watcher (`wirestream watch`)."""

    model_config = _config("WIRESTREAM_WATCH_")

    interval_s: float = Field(2.0, description="seconds between two scans")
    settle_s: float = Field(1.0, description="a file must be unchanged this long before it is read")


class RssSettings(BaseSettings):
    """The RSS/Atom poller (`wirestream connect rss`)."""

    model_config = _config("WIRESTREAM_RSS_")

    interval_s: float = Field(300.0, description="seconds between two polls of one feed")
    timeout_s: float = 20.0
    max_feed_bytes: int = Field(20 * 1024 * 1024, description="larger responses are refused")
    max_redirects: int = 5
    remember_entries: int = Field(5000, description="entry ids remembered per feed")
    user_agent: str = "wirestream-rss/0.1 (+https://wirestream.dev)"
    allow_private: bool = Field(
        False, description="fetch from loopback/private/link-local addresses (SSRF guard off)"
    )
    allow_networks: list[str] = Field(
        default_factory=list,
        description='networks allowed despite the guard, JSON list of CIDRs: ["10.1.2.0/24"]',
    )


class HtmlSettings(BaseSettings):
    """Article extraction from HTML pages (`connectors.html_article`): the hostile-page bounds."""

    model_config = _config("WIRESTREAM_HTML_")

    max_bytes: int = Field(
        8 * 1024 * 1024, description="larger pages are refused before they are parsed"
    )
    max_elements: int = Field(
        50_000,
        description="pages with more start tags are refused before parsing (time and memory "
        "grow with the element count; news pages have a few thousand)",
    )
    max_depth: int = Field(
        120, description="elements nested deeper are flattened to their text before extraction"
    )
    max_attribute_chars: int = Field(
        8192, description="longer attribute values are dropped before extraction"
    )


class PageFetchSettings(BaseSettings):
    """Fetching the article page behind a short RSS entry (`connectors.pagefetch`)."""

    model_config = _config("WIRESTREAM_PAGE_")

    enabled: bool = Field(True, description="fetch the linked page of short entries")
    min_feed_chars: int = Field(
        500, description="an entry whose own text is shorter than this gets its page fetched"
    )
    contact: str = Field(
        "https://wirestream.dev",
        description="how a site operator reaches you; sent in the User-Agent",
    )
    per_host_interval_s: float = Field(
        2.0, description="at least this many seconds between two requests to one host"
    )
    robots_ttl_s: float = Field(3600.0, description="how long a host's robots.txt is cached")
    robots_retry_s: float = Field(
        300.0, description="a host whose robots.txt could not be read is skipped this long"
    )
    max_robots_bytes: int = Field(512 * 1024, description="larger robots.txt files are cut")
    timeout_s: float = 20.0
    max_redirects: int = 5
    remember_validators: int = Field(
        2000, description="pages whose ETag/Last-Modified are remembered for conditional GET"
    )


class HttpPushSettings(BaseSettings):
    """The HTTP push endpoint (`wirestream serve-http`)."""

    model_config = _config("WIRESTREAM_HTTP_")

    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = Field(10 * 1024 * 1024, description="larger requests get 413")
    max_items: int = Field(1000, description="articles in one request; more get 413")
    max_inflate_ratio: float = Field(
        50.0, description="a compressed body inflating more than this many times gets 413"
    )
    parse_threads: int = Field(2, description="threads that parse requests, off the event loop")
    ack_timeout_s: float = Field(30.0, description="how long to wait for Kafka's ack (else 503)")
    source: str | None = Field(None, description="source name (default: ConnectorSettings.source)")
    token: SecretStr | None = Field(None, description="bearer token required on /v1/")
    token_file: Path | None = Field(None, description="file holding the bearer token")
    open: bool = Field(
        False, description="run without a token (anyone may push); refused otherwise"
    )
    allow_client_identity: bool = Field(
        False,
        description="keep the id and source a client sends (a trusted relay; needs a token); "
        "else both come from this endpoint's source",
    )
    rate_per_s: float = Field(20.0, description="requests per second per client (else 429)")
    rate_burst: int = Field(40, description="requests a client may send at once")
    health_cache_s: float = Field(5.0, description="/healthz reuses its Kafka probe this long")
    health_rate_per_s: float = Field(5.0, description="/healthz requests per second per client")
    health_rate_burst: int = Field(10, description="/healthz requests a client may send at once")
