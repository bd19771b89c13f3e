"""`wirestream worker`: the Faust worker that enriches, indexes and publishes.

Startup order: the index template, index and alias exist; the enrichment models are loaded
and warmed up on one synthetic article; then Faust joins the consumer group. The log line
`worker ready` (one JSON object, `"msg": "worker ready"`) marks the moment partitions are
assigned and records are being consumed. SIGTERM stops it gracefully: the in-flight batch
is finished or abandoned uncommitted (see `pipeline/worker/agents/enrich.py`).
"""

from __future__ import annotations

import logging
from typing import Any

import click

log = logging.getLogger("pipeline.worker")

WARMUP_ARTICLE: dict[str, Any] = {
    "schema": "wire.article.v1",
    "id": "0" * 32,
    "source": "wirestream.warmup",
    "headline": "Warm-up",
    "body": 'GENEVA (Wirestream) — Talks resumed on Monday. "We are hopeful," the envoy said.',
    "received_at": "2026-01-01T00:00:00Z",
}


def logging_config(level: str) -> dict[str, Any]:
    """dictConfig for Faust's worker: every log line one JSON object on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pipeline.observability.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        # One line per HTTP request / retry is noise; our own logs say what failed.
        "loggers": {"elastic_transport": {"level": "ERROR"}, "aiokafka": {"level": "WARNING"}},
    }


def chain_names(chain: str) -> list[str]:
    from pipeline.enrich.registry import DEFAULT_CHAIN

    names = [name.strip() for name in chain.split(",") if name.strip()]
    return names or list(DEFAULT_CHAIN)


def _ensure_index_when_reachable(settings: Any, startup_timeout_s: float) -> str:
    """Template, index and alias; waits (capped backoff) for an Elasticsearch still starting."""
    import time

    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from pipeline.security.es_client import elasticsearch_client
    from pipeline.security.secrets import redact_url
    from pipeline.sinks.index_setup import ensure_index
    from pipeline.worker.retry import Backoff

    backoff = Backoff(settings.retry_initial_s, settings.retry_max_s)
    deadline = time.monotonic() + startup_timeout_s
    attempt = 0
    while True:
        es = elasticsearch_client(settings)
        try:
            return ensure_index(es, settings)
        except (TransportError, ApiError) as exc:
            transient = (
                not isinstance(exc, ApiError)
                or exc.status_code in (408, 429)
                or exc.status_code >= 500
            )
            if not transient or time.monotonic() > deadline:
                raise click.ClickException(
                    f"cannot set up the index at {redact_url(settings.url)}: {exc}"
                ) from exc
            log.warning("Elasticsearch not ready; retrying", extra={"error": repr(exc)[:300]})
        finally:
            es.close()
        time.sleep(backoff.delay(attempt))
        attempt += 1


def _restore_stories(runner: Any, settings: Any) -> None:
    """The story window as it was before the restart, from the index (pipeline/stories/restore.py)."""
    from pipeline.stories.assign import StoryAssigner
    from pipeline.stories.enricher import StoryEnricher

    for enricher in runner.enrichers:
        if not isinstance(enricher, StoryEnricher):
            continue
        from datetime import UTC, datetime

        from pipeline.security.es_client import elasticsearch_client
        from pipeline.stories.restore import IndexSync, restore_from_index

        # A fresh window: the warm-up article must not be a story.
        enricher.assigner = StoryAssigner(enricher.assigner.params)
        started = datetime.now(UTC)
        es = elasticsearch_client(settings)  # kept open: the sync reads before each batch
        restored = restore_from_index(es, settings.alias, enricher.assigner, now=started)
        enricher.sync = IndexSync(es, settings.alias, start=started)
        log.info(
            "stories restored",
            extra={"articles": restored, "stories": len(enricher.assigner.stories)},
        )


def worker_class(base: type, shutdown_timeout_s: float, on_signal: Any = None) -> type:
    """Faust's worker, plus a watchdog: a shutdown that hangs (e.g. the broker is gone and
    the consumer cannot leave its group) ends the process after `shutdown_timeout_s`.
    Exiting without committing is safe: uncommitted records are consumed again."""
    import os
    import threading

    class WirestreamWorker(base):  # type: ignore[misc, valid-type]
        def _schedule_shutdown(self, signal: Any) -> None:
            if not getattr(self, "_watchdog", None):
                log.info(
                    "shutting down", extra={"signal": str(signal), "timeout_s": shutdown_timeout_s}
                )
                self._watchdog = threading.Timer(shutdown_timeout_s, _give_up)
                self._watchdog.daemon = True
                self._watchdog.start()
                if on_signal is not None:
                    on_signal()
            super()._schedule_shutdown(signal)

    def _give_up() -> None:
        log.error("shutdown did not finish in time; exiting without a final commit")
        os._exit(3)

    return WirestreamWorker


@click.command()
@click.option("--loglevel", default="info", show_default=True, help="debug, info, warning, error")
@click.option(
    "--role",
    type=click.Choice(["all", "enrich", "raw"]),
    default="all",
    show_default=True,
    help="all: the enrichment worker plus the raw indexer (index first, enrich after) in a "
    "child process; enrich or raw: one role alone, to scale each separately",
)
@click.option("--parent-pid", type=int, default=None, hidden=True)
def worker(loglevel: str, role: str, parent_pid: int | None) -> None:
    """Run the worker until SIGTERM/SIGINT: raw indexing and enrichment (see --role)."""
    import logging.config

    logging.config.dictConfig(logging_config(loglevel))
    if role == "raw":
        run_raw_indexer(parent_pid)
        return

    import faust

    from pipeline.enrich.backends import torch_kept_out
    from pipeline.enrich.resources import Resources
    from pipeline.enrich.runner import EnrichmentRunner
    from pipeline.security.es_client import async_elasticsearch_client
    from pipeline.settings import (
        ElasticsearchSettings,
        EnrichSettings,
        KafkaSettings,
        TopicSettings,
        WorkerSettings,
    )
    from pipeline.sinks.elasticsearch import ElasticsearchSink
    from pipeline.worker.agents.enrich import register
    from pipeline.worker.app import create_app
    from pipeline.worker.embargo import EmbargoRelease
    from pipeline.worker.processor import BatchProcessor
    from pipeline.worker.publisher import FaustPublisher
    from pipeline.worker.retry import StopSignal
    from pipeline.worker.topics import declare

    worker_settings, kafka_settings = WorkerSettings(), KafkaSettings()
    topic_settings, es_settings = TopicSettings(), ElasticsearchSettings()
    enrich_settings = EnrichSettings()

    index = _ensure_index_when_reachable(es_settings, startup_timeout_s=300.0)
    log.info("index ready", extra={"alias": es_settings.alias, "index": index})
    raw = None
    if role == "all":
        # Started before the models load: articles are searchable while the worker warms up.
        import atexit
        import os

        from pipeline.worker.raw_process import RawIndexerProcess, raw_command

        raw = RawIndexerProcess(raw_command(loglevel, os.getpid()))
        raw.start()
        atexit.register(raw.stop)

    names = chain_names(enrich_settings.chain)
    # spaCy's import would pull in PyTorch (~1 GB) that the ONNX encoder never calls.
    with torch_kept_out(enrich_settings.backend):
        try:
            runner = EnrichmentRunner.from_names(names, Resources(enrich_settings))
        except (RuntimeError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        _, errs = runner.run([WARMUP_ARTICLE])  # loads anything an enricher builds lazily
    if errs:
        log.warning("warm-up article failed", extra={"error": errs[0].message[:500]})
    log.info("enrichers loaded", extra={"enrichers": names, "version": runner.version})
    _restore_stories(runner, es_settings)

    worker_settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(worker_settings, kafka_settings)
    topics = declare(app, topic_settings)
    client = async_elasticsearch_client(es_settings)
    stop = StopSignal()  # set on SIGTERM/SIGINT: retry loops give up, the batch is abandoned
    processor = BatchProcessor(
        runner,
        ElasticsearchSink(client, es_settings, sleep=stop.sleep),
        FaustPublisher(topics),
        worker=worker_settings,
        topics=topic_settings,
        stop=stop,
    )
    register(app, topics.article, processor, batch_size=worker_settings.batch_size,
             within_s=worker_settings.batch_within_s)  # fmt: skip

    release = EmbargoRelease(
        client,
        es_settings.alias,
        FaustPublisher(topics),
        topic_settings,
        state_file=worker_settings.data_dir / "embargo-release.json",
        lookback_s=worker_settings.embargo_lookback_s,
    )

    release_failures = [0]

    @app.timer(worker_settings.embargo_release_interval_s)
    async def release_embargoes() -> None:
        # Embargoed articles leave the index filter on their own; the output topics need this.
        try:
            await release.tick()
            release_failures[0] = 0
        except Exception as exc:  # Elasticsearch or Kafka away: the next tick tries again
            if release_failures[0] % 60 == 0:  # once a minute, not every tick
                log.warning(
                    "embargo release failed; will retry",
                    extra={"error": repr(exc)[:300], "failures": release_failures[0] + 1},
                )
            release_failures[0] += 1

    @app.on_partitions_assigned.connect
    async def ready(sender: Any, assigned: Any, **kwargs: Any) -> None:
        partitions = sorted(f"{tp.topic}/{tp.partition}" for tp in assigned)
        log.info("worker ready", extra={"partitions": partitions, "app_id": worker_settings.app_id})

    @app.on_before_shutdown.connect
    async def close_client(sender: Any, **kwargs: Any) -> None:
        await client.close()

    from pipeline.observability.observe import (
        observe_worker,  # /metrics, /healthz, /readyz, consumer lag
    )

    observe_worker(app, worker_settings, kafka_settings, topic_settings, es_settings)

    def on_signal() -> None:
        stop.set()
        if raw is not None:
            raw.stop()

    worker_class(faust.Worker, worker_settings.shutdown_timeout_s, on_signal=on_signal)(
        app,
        loglevel=loglevel,
        logging_config=logging_config(loglevel),
        redirect_stdouts=False,
        quiet=True,
    ).execute_from_commandline()


def run_raw_indexer(parent_pid: int | None) -> None:
    """The raw indexer alone (`--role raw`), in the foreground until SIGTERM/SIGINT."""
    import signal

    from pipeline.settings import (
        ElasticsearchSettings,
        KafkaSettings,
        TopicSettings,
        WorkerSettings,
    )
    from pipeline.worker.raw_indexer import RawIndexer
    from pipeline.worker.raw_process import watch_parent

    es_settings = ElasticsearchSettings()
    index = _ensure_index_when_reachable(es_settings, startup_timeout_s=300.0)
    log.info("index ready", extra={"alias": es_settings.alias, "index": index})
    indexer = RawIndexer(WorkerSettings(), KafkaSettings(), TopicSettings(), es_settings)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: indexer.stop.set())
    if parent_pid is not None:
        watch_parent(parent_pid, indexer.stop.set)
    indexer.run()
    log.info("raw indexer stopped")
