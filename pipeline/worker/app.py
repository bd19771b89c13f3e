"""The Faust app: built from settings by a factory, never at import time."""

from __future__ import annotations

import faust
from mode import CrashingSupervisor

from pipeline.security.kafka import faust_credentials
from pipeline.settings import KafkaSettings, WorkerSettings
from pipeline.worker.idempotent_transport import IdempotentTransport


class WorkerApp(faust.App):
    """A Faust app whose producers are idempotent (see `pipeline.worker.idempotent_transport`)."""

    def _new_transport(self) -> IdempotentTransport:
        return IdempotentTransport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> IdempotentTransport:
        return IdempotentTransport(self.conf.broker_producer, self)


def create_app(
    worker: WorkerSettings | None = None, kafka: KafkaSettings | None = None
) -> faust.App:
    worker = worker or WorkerSettings()
    kafka = kafka or KafkaSettings()
    brokers = [f"kafka://{host.strip()}" for host in kafka.bootstrap.split(",") if host.strip()]
    compression = None if kafka.compression == "none" else kafka.compression
    return WorkerApp(
        worker.app_id,
        broker=brokers,
        broker_client_id=kafka.client_id,
        # TLS/SASL from the same settings as the connectors' kafka-python clients.
        broker_credentials=faust_credentials(kafka),
        autodiscover=False,
        key_serializer="raw",
        value_serializer="raw",
        # Our topics are created by `wirestream topics create` with explicit settings, and
        # the broker has auto creation off: Faust must not declare topics of its own.
        topic_allow_declare=False,
        topic_disable_leader=True,
        # A crashed agent stops the worker (and an OS supervisor restarts it) instead of
        # being restarted in-process past a batch it abandoned: see pipeline/worker/agents/enrich.py.
        agent_supervisor=CrashingSupervisor,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_compression_type=compression,
        producer_request_timeout=kafka.request_timeout_ms / 1000,
        # Bounded buffers: at most this many fetched records wait per partition; beyond it
        # Faust pauses fetching, so a stalled Elasticsearch does not grow the worker's memory.
        stream_buffer_maxsize=max(4 * worker.batch_size, 64),
        # Slow enrichment batches are expected (models on CPU); do not warn per second.
        stream_processing_timeout=300.0,
        broker_max_poll_interval=600.0,
        web_enabled=worker.web_enabled,
        web_host=worker.web_host,
        web_port=worker.web_port,
        datadir=str(worker.data_dir),
        store="memory://",
    )
