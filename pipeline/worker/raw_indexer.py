"""Index first, enrich after: an article is searchable seconds after it arrives (issue 15).

Enrichment costs ~100 ms of CPU an article, so in a burst a breaking story used to wait
behind the whole backlog before anyone could find it. This light consumer has its own
consumer group on `wire.article.v1` and writes each article to Elasticsearch at once:
headline, body, dateline and source searchable, `enrichment.status: "pending"`, no
`enriched_at`. The enrichment worker later replaces the document with the enriched one.

Why a raw write never replaces an enriched document or a newer revision, in any order:
it is a bulk `create`, which Elasticsearch refuses (409) when the id exists at all. The
enrichment worker writes with `external_gte` versioning on the revision; a document made by
`create` has internal version 1, below every revision a connector composes (source version
x 10^13 + receive time in ms), so the enriched write always replaces the pending one. A 409
on `create` is therefore "done": someone, raw or enriched, is already there.

Delivery is at-least-once like the worker's: offsets are committed only after
Elasticsearch acknowledged every document of the poll (a redelivered `create` is a 409).
Records that do not decode or validate are skipped here, not dead-lettered: the enrichment
worker reads the same records and dead-letters each one once, with its reason.

kafka-python and the synchronous Elasticsearch client, in one thread: the loop is a poll,
one bulk request and a commit, and needs none of Faust's machinery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from pipeline.contracts import schemas
from pipeline.enrich.wirecopy import WireCopyEnricher
from pipeline.settings import ElasticsearchSettings, KafkaSettings, TopicSettings, WorkerSettings
from pipeline.sinks.elasticsearch import classify
from pipeline.sinks.index_setup import mapped_fields
from pipeline.worker.retry import Backoff

log = logging.getLogger(__name__)

PENDING = "pending"
DONE = "done"

Document = dict[str, Any]


def raw_document(article: Any, fields: frozenset[str]) -> Document | None:
    """The pending document of one `wire.article.v1` record; None when it is not one.

    Only fields the index maps are kept (the mapping is strict). The dateline and the
    pasted related headlines are split off as the enriched document will have them, so the
    text users search does not change when enrichment lands.
    """
    if not isinstance(article, dict) or next(schemas.errors(schemas.ARTICLE, article), None):
        return None
    document = {key: value for key, value in article.items() if key in fields}
    WireCopyEnricher().enrich([document])
    document["enrichment"] = {"status": PENDING}
    return {key: value for key, value in document.items() if key in fields}


def create_operations(alias: str, documents: Sequence[Document]) -> list[Any]:
    operations: list[Any] = []
    for document in documents:
        operations.append({"create": {"_index": alias, "_id": document["id"]}})
        operations.append(document)
    return operations


@dataclass
class RawReport:
    consumed: int = 0
    created: int = 0
    existing: int = 0
    skipped: int = 0
    rejected: int = 0


@dataclass
class RawWriter:
    """Bulk `create` of pending documents, retried until Elasticsearch answers for each."""

    client: Any
    alias: str
    backoff: Backoff
    refresh: str = "false"
    stopped: Callable[[], bool] = lambda: False
    sleep: Callable[[float], Any] = time.sleep

    def write(self, documents: Sequence[Document], report: RawReport) -> bool:
        """True when every document was answered for; False when stopped first."""
        pending = list(documents)
        attempt = 0
        while pending:
            if attempt:
                if self.stopped():
                    return False
                self.sleep(self.backoff.delay(attempt - 1))
            attempt += 1
            try:
                response = self.client.bulk(
                    operations=create_operations(self.alias, pending),
                    refresh=self.refresh,
                    require_alias=True,
                )
            except Exception as exc:  # connection errors, 429/5xx of the whole request
                log.warning(
                    "raw bulk request failed; will retry",
                    extra={"attempt": attempt, "documents": len(pending), "error": repr(exc)[:300]},
                )
                continue
            body = response.body if hasattr(response, "body") else response
            retry: list[Document] = []
            for document, item in zip(pending, body["items"], strict=True):
                verdict = classify(next(iter(item.values())))
                if verdict == "done":
                    report.created += 1
                elif verdict == "stale":
                    # 409 on create: the document exists (pending, enriched, or newer).
                    report.existing += 1
                elif verdict == "retry":
                    retry.append(document)
                else:
                    # A mapping error: the enrichment worker's write of the same article
                    # meets it too and dead-letters it with the reason.
                    report.rejected += 1
                    log.warning("raw document refused", extra={"id": document.get("id")})
            pending = retry
        return True


def documents_of(
    values: Iterable[bytes | None], fields: frozenset[str], report: RawReport
) -> list[Document]:
    documents = []
    for value in values:
        report.consumed += 1
        try:
            article = orjson.loads(value or b"")
        except orjson.JSONDecodeError:
            report.skipped += 1
            continue
        document = raw_document(article, fields)
        if document is None:
            report.skipped += 1
            continue
        documents.append(document)
    return documents


@dataclass
class RawIndexer:
    """The consumer loop: poll, create, commit. `stop` ends it between polls."""

    worker: WorkerSettings
    kafka: KafkaSettings
    topics: TopicSettings
    es: ElasticsearchSettings
    stop: threading.Event = field(default_factory=threading.Event)
    max_records: int = 500
    poll_ms: int = 200

    @property
    def group_id(self) -> str:
        return f"{self.worker.app_id}-raw"

    def run(self, on_ready: Callable[[], None] | None = None) -> None:
        from kafka import KafkaConsumer

        from pipeline.security.es_client import elasticsearch_client
        from pipeline.security.kafka import kafka_python_security

        es = elasticsearch_client(self.es)
        fields = mapped_fields()
        writer = RawWriter(
            es,
            self.es.alias,
            Backoff(self.es.retry_initial_s, self.es.retry_max_s),
            refresh=self.es.refresh,
            stopped=self.stop.is_set,
        )
        consumer = KafkaConsumer(
            self.topics.article,
            bootstrap_servers=self.kafka.bootstrap.split(","),
            client_id=f"{self.kafka.client_id}-raw",
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_records,
            **kafka_python_security(self.kafka),
        )
        log.info("raw indexer ready", extra={"group": self.group_id, "topic": self.topics.article})
        if on_ready is not None:
            on_ready()
        try:
            while not self.stop.is_set():
                polled = consumer.poll(timeout_ms=self.poll_ms, max_records=self.max_records)
                values = [record.value for records in polled.values() for record in records]
                if not values:
                    continue
                report = RawReport()
                documents = documents_of(values, fields, report)
                if documents and not writer.write(documents, report):
                    break  # stopped while Elasticsearch was away: nothing committed
                consumer.commit()
                log.debug("raw batch", extra=report.__dict__)
        finally:
            consumer.close(autocommit=False)
            es.close()
