"""Prometheus metrics of the worker and the connectors, and the HTTP server that exposes them.

One `PipelineMetrics` per process (`metrics()`), registered on prometheus-client's default
registry so the process and platform collectors come along; tests build their own on a fresh
`CollectorRegistry`. The server also answers `/healthz` and `/readyz` from a `Health` (see
`pipeline.observability.health`), so a container needs one port for probes and scraping.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import REGISTRY
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.observability.health import Health

NAMESPACE = "wirestream"
# Enrichment of a micro-batch takes tens of ms (patterns) to seconds (transformers on CPU).
ENRICH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
BULK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class MetricsSettings(BaseSettings):
    """The metrics and health endpoint of a worker or connector process."""

    model_config = SettingsConfigDict(env_prefix="WIRESTREAM_METRICS_", extra="forbid", frozen=True)

    enabled: bool = Field(True, description="serve /metrics, /healthz and /readyz")
    host: str = Field("127.0.0.1", description="bind address (0.0.0.0 in containers)")
    port: int = Field(9108, description="port of /metrics, /healthz, /readyz (0: any free port)")
    lag_interval_s: float = Field(15.0, description="how often the worker measures consumer lag")


class PipelineMetrics:
    """Every metric the pipeline exports; names are prefixed `wirestream_`."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.registry = registry
        common: dict[str, Any] = {"namespace": NAMESPACE, "registry": registry}
        self.articles_in = Counter(
            "articles_in", "Records read from the input topic by the worker", **common
        )
        self.articles_out = Counter(
            "articles_out", "Enriched articles written to Elasticsearch and output topics", **common
        )
        self.articles_produced = Counter(
            "articles_produced",
            "Articles a connector had acknowledged by Kafka",
            ["connector"],
            **common,
        )
        self.deadletter = Counter(
            "deadletter", "Records sent to the dead-letter topic", ["stage"], **common
        )
        self.errors = Counter("errors", "Errors by pipeline stage", ["stage"], **common)
        self.enrichment_seconds = Histogram(
            "enrichment_seconds",
            "Time to enrich one micro-batch",
            buckets=ENRICH_BUCKETS,
            **common,
        )
        self.es_bulk_seconds = Histogram(
            "es_bulk_seconds",
            "Time of one Elasticsearch bulk request, retries included",
            buckets=BULK_BUCKETS,
            **common,
        )
        self.es_bulk_errors = Counter(
            "es_bulk_errors", "Documents or bulk requests Elasticsearch refused", **common
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Records on the input topic not yet committed by the worker group",
            ["topic", "partition"],
            **common,
        )

    def set_lag(self, topic: str, lag_by_partition: dict[int, int]) -> None:
        for partition, lag in lag_by_partition.items():
            self.consumer_lag.labels(topic=topic, partition=str(partition)).set(lag)


@functools.cache
def metrics() -> PipelineMetrics:
    """The process-wide metrics (built on first use, on the default registry)."""
    return PipelineMetrics()


@dataclass
class MetricsServer:
    """A running endpoint; `close()` stops it (tests, clean shutdown)."""

    host: str
    port: int
    _server: ThreadingWSGIServer
    _thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _QuietHandler(WSGIRequestHandler):
    # Probes hit these paths every few seconds; access lines would drown the structured logs.
    def log_message(self, format: str, *args: Any) -> None:
        return


def _json(start_response: Callable[..., Any], ok: bool, body: dict[str, Any]) -> Iterable[bytes]:
    status = "200 OK" if ok else "503 Service Unavailable"
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps({"ok": ok, **body}).encode()]


def make_app(registry: CollectorRegistry, health: Health) -> Callable[..., Iterable[bytes]]:
    """WSGI app: `/healthz` (liveness), `/readyz` (readiness), anything else the metrics."""
    prometheus_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            ok, checks = health.liveness()
            return _json(start_response, ok, {"checks": checks})
        if path == "/readyz":
            ok, checks = health.readiness()
            return _json(start_response, ok, {"checks": checks})
        return prometheus_app(environ, start_response)

    return app


def start_metrics_server(
    port: int | None = None,
    host: str | None = None,
    *,
    health: Health | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> MetricsServer:
    """Serve metrics and probes from a daemon thread; port/host default to `MetricsSettings`."""
    settings = MetricsSettings()
    host = settings.host if host is None else host
    port = settings.port if port is None else port
    server = make_server(
        host,
        port,
        make_app(registry, health or Health()),
        ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True)
    thread.start()
    return MetricsServer(host=host, port=server.server_port, _server=server, _thread=thread)
