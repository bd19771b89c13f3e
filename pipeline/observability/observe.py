"""Wires metrics, health and readiness into a running worker or connector process.

The worker calls `observe_worker(app, ...)` once before Faust starts and `record_batch`
after each micro-batch; connectors call `observe_connector(name)`. Everything here reads
the process-wide `metrics()` and is a no-op for the rest of the code when metrics are off.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.observability.health import Health, tcp_reachable
from pipeline.observability.lag import LagMonitor
from pipeline.observability.metrics import (
    MetricsServer,
    MetricsSettings,
    metrics,
    start_metrics_server,
)

log = logging.getLogger(__name__)

HEARTBEAT_S = 10.0


def record_batch(report: Any) -> None:
    """Count one processed micro-batch (a `pipeline.worker.processor.BatchReport`)."""
    m = metrics()
    m.articles_in.inc(report.consumed)
    m.articles_out.inc(report.indexed)
    for stage, count in report.stages.items():
        m.deadletter.labels(stage=stage).inc(count)
        m.errors.labels(stage=stage).inc(count)


def record_abandoned_batch() -> None:
    metrics().errors.labels(stage="batch").inc()


def _elasticsearch_ready(url: str) -> Any:
    from pipeline.security.es_client import elasticsearch_client
    from pipeline.settings import ElasticsearchSettings

    client = elasticsearch_client(ElasticsearchSettings(url=url), request_timeout=3, max_retries=0)

    def check() -> bool:
        # `_cluster/health`, not `ping`: minimal distributions answer 405 on `HEAD /`.
        return client.cluster.health(timeout="2s").get("status") in ("green", "yellow")

    return check


def _start(settings: MetricsSettings, health: Health) -> MetricsServer | None:
    try:
        return start_metrics_server(settings.port, settings.host, health=health)
    except OSError as exc:
        # A busy port must not stop the pipeline itself: run unobserved and say so loudly.
        log.error(
            "metrics server not started",
            extra={"host": settings.host, "port": settings.port, "error": str(exc)},
        )
        return None


def observe_worker(
    app: Any,
    worker: Any,
    kafka: Any,
    topics: Any,
    elasticsearch: Any,
    settings: MetricsSettings | None = None,
) -> MetricsServer | None:
    """Metrics server with `/healthz` (Faust's event loop beats) and `/readyz` (partitions
    assigned, Kafka and Elasticsearch reachable), plus the consumer-lag gauge."""
    settings = settings or MetricsSettings()
    if not settings.enabled:
        return None
    health = Health(stale_after_s=max(6 * HEARTBEAT_S, 60.0))
    health.set_ready("partitions_assigned", False)
    health.add_check("kafka", tcp_reachable(kafka.bootstrap))
    health.add_check("elasticsearch", _elasticsearch_ready(elasticsearch.url))

    @app.on_partitions_assigned.connect
    async def _assigned(sender: Any, assigned: Any, **kwargs: Any) -> None:
        # A replica beyond the partition count gets none: alive, but not doing work.
        health.set_ready("partitions_assigned", True)

    @app.timer(HEARTBEAT_S)
    async def _heartbeat() -> None:
        health.beat("event_loop")

    health.beat("event_loop")
    server = _start(settings, health)
    if server is None:
        return None
    LagMonitor(
        kafka.bootstrap,
        group=worker.app_id,
        topic=topics.article,
        report=metrics().set_lag,
        interval_s=settings.lag_interval_s,
    ).start()
    log.info("metrics served", extra={"url": f"{server.url}/metrics"})
    return server


def observe_connector(name: str, settings: MetricsSettings | None = None) -> MetricsServer | None:
    """Metrics and `/healthz` for a connector process (liveness only: it has no partitions)."""
    settings = settings or MetricsSettings()
    if not settings.enabled:
        return None
    metrics().articles_produced.labels(connector=name)  # the series exists from the start
    server = _start(settings, Health())
    if server is None:
        return None
    log.info("metrics served", extra={"url": f"{server.url}/metrics", "connector": name})
    return server
