"""Typed settings, one class per component, read from `WIRESTREAM_*` environment variables.

Defaults work with the local stack started by `wirestream stack up`.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _user_cache_dir() -> Path:
    # root gets the system location: Elasticsearch must run as an unprivileged user there,
    # and that user cannot enter /root (mode 700).
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "wirestream"
    if _running_as_root():
        return Path("/var/cache/wirestream")
    return Path.home() / ".cache" / "wirestream"


def _user_state_dir() -> Path:
    if os.environ.get("XDG_STATE_HOME"):
        return Path(os.environ["XDG_STATE_HOME"]) / "wirestream"
    if _running_as_root():
        return Path("/var/lib/wirestream")
    return Path.home() / ".local" / "state" / "wirestream"


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="forbid", frozen=True)


class FailurePolicy(StrEnum):
    """What a stage does with a failure: keep retrying, dead-letter the record, or stop the worker."""

    RETRY = "retry"
    DEADLETTER = "deadletter"
    FAIL = "fail"


class KafkaSettings(BaseSettings):
    """How to reach Kafka. Setting `WIRESTREAM_KAFKA_BOOTSTRAP` means an external cluster."""

    model_config = _config("WIRESTREAM_KAFKA_")

    bootstrap: str = Field("127.0.0.1:9092", description="bootstrap servers, comma separated")
    client_id: str = "wirestream"
    compression: str = Field("gzip", description="producer compression: gzip, lz4, zstd or none")
    request_timeout_ms: int = 30_000
    # Security (docs/security.md); applied by pipeline.security.kafka to every client.
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = Field(None, description="file holding the SASL password")
    ssl_cafile: Path | None = Field(None, description="CA bundle (default: the system's)")
    ssl_certfile: Path | None = Field(None, description="client certificate (mutual TLS)")
    ssl_keyfile: Path | None = Field(None, description="client key (mutual TLS)")
    ssl_key_password: SecretStr | None = None
    ssl_key_password_file: Path | None = None
    ssl_check_hostname: bool = True

    @staticmethod
    def is_external() -> bool:
        return bool(os.environ.get("WIRESTREAM_KAFKA_BOOTSTRAP"))


class TopicSettings(BaseSettings):
    """Topic names and how the project creates them (auto creation is off on the broker)."""

    model_config = _config("WIRESTREAM_TOPIC_")

    article: str = "wire.article.v1"
    enriched: str = "news.enriched.v1"
    quote: str = "news.quote.v1"
    deadletter: str = "wire.deadletter.v1"
    partitions: int = 4
    replication: int = 1
    retention_ms: int = Field(7 * 24 * 3600 * 1000, description="retention of the data topics")
    deadletter_retention_ms: int = Field(
        30 * 24 * 3600 * 1000, description="dead letters wait longer for someone to replay them"
    )


class ElasticsearchSettings(BaseSettings):
    """How to reach Elasticsearch. Setting `WIRESTREAM_ES_URL` means an external cluster."""

    model_config = _config("WIRESTREAM_ES_")

    url: str = "http://127.0.0.1:9200"
    alias: str = Field("news", description="the alias searches and writes go through")
    index_prefix: str = Field("news-v", description="versioned indices behind the alias")
    request_timeout_s: float = 30.0
    refresh: Literal["false", "true", "wait_for"] = Field(
        "false", description="refresh policy of bulk writes (false: the index refreshes on its own)"
    )
    retry_initial_s: float = Field(0.2, description="first backoff on 429/5xx/connection errors")
    retry_max_s: float = Field(30.0, description="backoff cap (full jitter below it)")
    retry_attempts: int = Field(
        8, description="attempts per bulk before the failure policy applies"
    )
    # Security (docs/security.md); applied by pipeline.security.es_client to every client.
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    api_key: SecretStr | None = Field(None, description="base64 'id:key' API key (wins over basic)")
    api_key_file: Path | None = None
    ca_certs: Path | None = Field(None, description="CA bundle for https URLs")
    ssl_assert_fingerprint: str | None = Field(None, description="SHA-256 of the server cert")
    insecure: bool = Field(False, description="skip certificate checks (logs a warning)")

    @staticmethod
    def is_external() -> bool:
        return bool(os.environ.get("WIRESTREAM_ES_URL"))


class StackSettings(BaseSettings):
    """The local Kafka + Elasticsearch stack (`wirestream stack ...`)."""

    model_config = _config("WIRESTREAM_STACK_")

    cache_dir: Path = Field(default_factory=_user_cache_dir, description="downloads (kept)")
    state_dir: Path = Field(default_factory=_user_state_dir, description="data, logs, pids")
    kafka_version: str = "4.1.1"
    elasticsearch_version: str = "9.2.4"
    es_heap: str = Field("1g", description="Elasticsearch -Xms/-Xmx")
    kafka_heap: str = Field("512m", description="Kafka -Xms/-Xmx")
    java_home: Path | None = Field(None, description="JDK 17+ for Kafka (default: java on PATH)")
    es_java_home: Path | None = Field(
        None, description="JDK 21+ for Elasticsearch (default: found)"
    )
    kafka_controller_port: int = Field(9093, description="KRaft controller listener (loopback)")
    es_transport_port: int = Field(9300, description="Elasticsearch transport (loopback)")
    es_user: str = Field(
        "wirestream", description="when run as root: the unprivileged user Elasticsearch runs as"
    )
    start_timeout_s: float = 180.0
    stop_timeout_s: float = Field(30.0, description="SIGTERM, then SIGKILL after this long")


class EnrichSettings(BaseSettings):
    """The enrichment models and the stance targets of this deployment."""

    model_config = _config("WIRESTREAM_ENRICH_")

    targets: list[str] = Field(
        default_factory=list,
        description="stance targets for every article; a `short:` or `claim:` prefix states"
        " the target's kind (docs/quality.md, 'Short targets')",
    )
    target_kind: Literal["auto", "claim", "short"] = Field(
        "auto",
        description="the kind of a stance target without a prefix: auto = detected (a short"
        " noun phrase without a finite verb is short), claim or short",
    )
    artefacts_dir: Path | None = Field(None, description="trained heads (default: shipped ones)")
    batch_size: int = 32
    device: str = "cpu"
    chain: str = Field("", description="enricher names, comma separated; empty = the default chain")
    backend: str = Field(
        "onnx-int8", description="sentence encoder runtime: onnx-int8, onnx-fp32 or torch (issue 8)"
    )
    encoder_threads: int = Field(
        0,
        ge=0,
        description="the encoder's threads; 0 = the cores, less one for the spaCy parse"
        " that runs beside it when the chain has one",
    )
    model_cache_dir: Path | None = Field(
        None,
        description="where the encoder's ONNX export is kept (default: <stack cache dir>/models;"
        " the image bakes one in)",
    )
    sentiment_entities: int = Field(
        2,
        ge=0,
        description="entity sentiment: the most salient PERSON/ORG entities scored per article",
    )
    sentiment_mentions: int = Field(
        2,
        ge=1,
        description="entity sentiment: mentions scored (and averaged) per entity, earliest first",
    )
    parse_batch_size: int = Field(
        8,
        ge=1,
        description="bodies per spaCy batch: its working memory grows with the batch (32 held"
        " about 290 MB more than 8 at the same CPU, issue 15)",
    )


class WorkerSettings(BaseSettings):
    """The Faust worker."""

    model_config = _config("WIRESTREAM_WORKER_")

    app_id: str = "wirestream"
    batch_size: int = 32
    batch_within_s: float = 0.5
    web_port: int = 6066
    web_enabled: bool = Field(
        False,
        description="Faust's own web server on web_port (metrics and health: pipeline.observability.observe)",
    )
    shutdown_timeout_s: float = Field(
        30.0, description="after SIGTERM/SIGINT, exit anyway (uncommitted) after this long"
    )
    web_host: str = "127.0.0.1"
    on_bad_record: FailurePolicy = Field(
        FailurePolicy.DEADLETTER, description="undecodable, invalid or unenrichable records"
    )
    on_rejected_document: FailurePolicy = Field(
        FailurePolicy.DEADLETTER, description="documents Elasticsearch refuses (mapping errors)"
    )
    on_unavailable: FailurePolicy = Field(
        FailurePolicy.RETRY,
        description="Elasticsearch or Kafka unavailable after retries: retry (pause) or fail (exit)",
    )
    data_dir: Path = Field(default_factory=lambda: _user_state_dir() / "worker")
    embargo_release_interval_s: float = Field(
        1.0, gt=0, description="how often embargoed articles that became due are published"
    )
    embargo_lookback_s: float = Field(
        3600.0,
        ge=0,
        description="a worker with no release watermark yet releases embargoes that ended this long ago",
    )


class StorySettings(BaseSettings):
    """Story assignment (`pipeline.stories`, enricher `story.v1`)."""

    model_config = _config("WIRESTREAM_STORY_")

    window_hours: float = Field(
        72.0, gt=0, description="a story is joinable this long after its last article"
    )
    threshold: float = Field(
        0.36,
        ge=0,
        le=1,
        description="similarity to join a story (chosen on FNC-1, docs/quality.md)",
    )
    max_stories: int = Field(200_000, ge=1, description="live stories kept in the window at most")
