"""Health checks for Kafka and Elasticsearch, local or external; nothing here starts anything."""

from __future__ import annotations

import contextlib
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Health:
    healthy: bool
    detail: str
    version: str | None = None


def split_host_port(address: str, default_port: int) -> tuple[str, int]:
    """'127.0.0.1:9092' -> ('127.0.0.1', 9092); the first of a comma-separated list."""
    first = address.split(",")[0].strip()
    if "://" in first:
        parts = urlsplit(first)
        return parts.hostname or "127.0.0.1", parts.port or default_port
    host, _, port = first.rpartition(":")
    if not host:
        return first, default_port
    return host.strip("[]"), int(port)


def port_open(host: str, port: int, timeout_s: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout_s):
        return True
    return False


@contextlib.contextmanager
def _quiet(logger_name: str):
    # kafka-python logs every refused connection at ERROR; a health probe expects refusals.
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def kafka_health(bootstrap: str, timeout_s: float = 5.0) -> Health:
    """Healthy when the broker answers a metadata request (describe cluster)."""
    host, port = split_host_port(bootstrap, 9092)
    if not port_open(host, port):
        return Health(False, f"nothing listens on {host}:{port}")
    from kafka.admin import KafkaAdminClient

    timeout_ms = int(timeout_s * 1000)
    from pipeline.security.kafka import kafka_python_security
    from pipeline.security.secrets import redact
    from pipeline.settings import KafkaSettings

    with _quiet("kafka"):
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=bootstrap,
                client_id="wirestream-health",
                request_timeout_ms=timeout_ms,
                bootstrap_timeout_ms=timeout_ms,
                **kafka_python_security(KafkaSettings()),
            )
        except Exception as exc:  # any client error means: not answering metadata yet
            return Health(False, redact(f"no metadata: {type(exc).__name__}: {exc}"))
        try:
            cluster = admin.describe_cluster()
        except Exception as exc:
            return Health(False, redact(f"no metadata: {type(exc).__name__}: {exc}"))
        finally:
            admin.close()
    brokers = cluster.get("brokers") or []
    if not brokers:
        return Health(False, "metadata without brokers")
    return Health(True, f"{len(brokers)} broker(s), cluster {cluster.get('cluster_id')}")


def elasticsearch_health(url: str, timeout_s: float = 5.0) -> Health:
    """Healthy when cluster health is yellow or green; the version comes from the local node."""
    from pipeline.security.es_client import elasticsearch_client
    from pipeline.security.secrets import redact
    from pipeline.settings import ElasticsearchSettings

    # Through the client factory: an external cluster's auth and TLS settings apply here too.
    try:
        with _quiet("elastic_transport"):
            client = elasticsearch_client(
                ElasticsearchSettings(url=url), request_timeout=timeout_s, max_retries=0
            )
            try:
                health = dict(client.cluster.health())
                nodes = dict(client.nodes.info(node_id="_local", filter_path="nodes.*.version"))
            finally:
                client.close()
    except Exception as exc:  # any client error means: not answering yet
        return Health(False, redact(f"no answer: {type(exc).__name__}: {exc}"))
    status = health.get("status")
    versions = [n.get("version") for n in (nodes.get("nodes") or {}).values()]
    version = versions[0] if versions else None
    if status in ("green", "yellow"):
        return Health(True, f"cluster {health.get('cluster_name')} {status}", version)
    return Health(False, f"cluster status {status or health}", version)
