"""Bulk-write enriched records to Elasticsearch, one verdict per document.

Each document is indexed with `_id` = article id through the alias (`require_alias`, so a
missing alias never auto-creates a dynamically mapped index). With a `revision`, the write
uses `external_gte` versioning: an older revision arriving late is refused by Elasticsearch
with a version conflict, which counts as done (the newer revision is already there). A kill
(`status: canceled`) is written with the largest version there is, so nothing but another kill
overwrites it (`pipeline/contracts/pubstatus.py`).

Per document: 2xx or 409 -> done; 429, 5xx or a missing alias -> retried with capped
exponential backoff and full jitter; any other 4xx (mapping errors) -> returned as a
rejection for the dead-letter topic. A whole request failing with a connection error, a
timeout, 429 or 5xx is retried the same way. When retries run out `SinkUnavailable` is
raised and the caller's failure policy decides (keep retrying, i.e. pause; or stop).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from elastic_transport import TransportError
from elasticsearch import ApiError

from pipeline.contracts.pubstatus import index_version
from pipeline.settings import ElasticsearchSettings
from pipeline.worker.retry import Backoff

log = logging.getLogger(__name__)

Document = dict[str, Any]
RETRIABLE_STATUS = frozenset({404, 408, 429, 500, 502, 503, 504})


class BulkClient(Protocol):
    async def bulk(self, *, operations: list[Any], refresh: Any = ..., **kwargs: Any) -> Any: ...


class SinkUnavailable(RuntimeError):
    """Elasticsearch did not accept these documents within the allowed attempts."""

    def __init__(self, message: str, pending: Sequence[Document]) -> None:
        super().__init__(message)
        self.pending = list(pending)


@dataclass(frozen=True)
class Rejection:
    """A document Elasticsearch refused for good (e.g. a mapping error)."""

    document: Document
    status: int
    error_type: str
    reason: str

    @property
    def message(self) -> str:
        return f"elasticsearch {self.status} {self.error_type}: {self.reason}"


@dataclass
class WriteResult:
    indexed: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # an equal-or-newer revision was already there
    # The refused documents themselves: one batch may hold two revisions of one id, one
    # indexed and one stale, so an id alone does not say which was written.
    stale_documents: list[Document] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    attempts: int = 0


def bulk_operations(index: str, documents: Sequence[Document]) -> list[Any]:
    operations: list[Any] = []
    for doc in documents:
        action: dict[str, Any] = {"_index": index, "_id": doc["id"]}
        version = index_version(doc)  # the revision; a kill's is above every revision
        if version is not None:
            action["version"] = version
            action["version_type"] = "external_gte"
        operations.append({"index": action})
        operations.append(doc)
    return operations


def classify(item: dict[str, Any]) -> str:
    """`done`, `stale`, `retry` or `reject` for one item of a bulk response."""
    status = int(item.get("status", 0))
    if 200 <= status < 300:
        return "done"
    error = item.get("error") or {}
    if status == 409 and error.get("type") == "version_conflict_engine_exception":
        return "stale"
    if status in RETRIABLE_STATUS or status >= 500:
        return "retry"
    return "reject"


def _retriable_request_error(exc: Exception) -> bool:
    if isinstance(exc, ApiError):
        return exc.status_code in RETRIABLE_STATUS or exc.status_code >= 500
    return isinstance(exc, TransportError)  # connection refused, timeouts, TLS hiccups


class ElasticsearchSink:
    def __init__(
        self,
        client: BulkClient,
        settings: ElasticsearchSettings | None = None,
        *,
        backoff: Backoff | None = None,
        sleep: Any = asyncio.sleep,
    ) -> None:
        self.client = client
        self.settings = settings or ElasticsearchSettings()
        self.backoff = backoff or Backoff(self.settings.retry_initial_s, self.settings.retry_max_s)
        self._sleep = sleep

    async def write(
        self,
        documents: Sequence[Document],
        *,
        max_attempts: int | None = None,
        forever: bool = False,
    ) -> WriteResult:
        """Index every document or reject it; retry the rest.

        `max_attempts` defaults to the settings; `forever=True` never gives up (the caller's
        consumption pauses meanwhile) and logs an error every `max_attempts` attempts.
        """
        attempts_allowed = max_attempts or self.settings.retry_attempts
        result = WriteResult()
        pending = list(documents)
        attempt = 0
        while pending:
            if attempt and attempt % attempts_allowed == 0:
                message = f"{len(pending)} documents not indexed after {attempt} attempts"
                if not forever:
                    raise SinkUnavailable(message, pending)
                log.error(message + "; still retrying", extra={"documents": len(pending)})
            if attempt:
                await self._sleep(self.backoff.delay(attempt - 1))
            attempt += 1
            result.attempts = attempt
            try:
                response = await self.client.bulk(
                    operations=bulk_operations(self.settings.alias, pending),
                    refresh=self.settings.refresh,
                    require_alias=True,
                )
            except Exception as exc:
                if isinstance(exc, ApiError) and exc.status_code == 413:
                    # Too large for one request (http.max_content_length): halve until each
                    # part fits; a single document that does not fit is refused for good.
                    await self._split(pending, result, max_attempts, forever)
                    return result
                if not _retriable_request_error(exc):
                    raise
                log.warning(
                    "bulk request failed; will retry",
                    extra={"attempt": attempt, "documents": len(pending), "error": repr(exc)[:300]},
                )
                continue
            pending = self._sort(pending, _body(response)["items"], result, attempt)
        return result

    async def _split(
        self, pending: list[Document], result: WriteResult, max_attempts: int | None, forever: bool
    ) -> None:
        if len(pending) == 1:
            reason = "the document is larger than Elasticsearch accepts in one request"
            result.rejected.append(Rejection(pending[0], 413, "request_entity_too_large", reason))
            return
        half = len(pending) // 2
        for part in (pending[:half], pending[half:]):
            sub = await self.write(part, max_attempts=max_attempts, forever=forever)
            result.indexed += sub.indexed
            result.stale += sub.stale
            result.stale_documents += sub.stale_documents
            result.rejected += sub.rejected

    @staticmethod
    def _sort(
        pending: list[Document], items: list[dict[str, Any]], result: WriteResult, attempt: int
    ) -> list[Document]:
        retry: list[Document] = []
        for doc, wrapped in zip(pending, items, strict=True):
            item = next(iter(wrapped.values()))
            verdict = classify(item)
            if verdict == "done":
                result.indexed.append(doc["id"])
            elif verdict == "stale":
                result.stale.append(doc["id"])
                result.stale_documents.append(doc)
            elif verdict == "retry":
                retry.append(doc)
            else:
                error = item.get("error") or {}
                result.rejected.append(
                    Rejection(
                        document=doc,
                        status=int(item.get("status", 0)),
                        error_type=str(error.get("type", "unknown")),
                        reason=str(error.get("reason", ""))[:2000],
                    )
                )
        if retry:
            log.warning(
                "documents not accepted yet; will retry",
                extra={"attempt": attempt, "documents": len(retry)},
            )
        return retry


def _body(response: Any) -> dict[str, Any]:
    return getattr(response, "body", response)
