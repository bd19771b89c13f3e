"""Run a chain of enrichers over a batch of `wire.article.v1` records.

Errors are data: `run` splits its output into enriched records and `Failure`s, so one bad
article never fails its batch and never raises. The worker and `wirestream enrich` call
the same runner, so what the CLI prints is what the worker indexes.

The skeleton handed to the enrichers is a `news.enriched.v1` record plus one transient
field, `targets` (the article's stance targets, read by the stance enricher); the runner
removes transient fields before validating the output.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pipeline import __version__
from pipeline.contracts import schemas
from pipeline.contracts.timestamps import utc_now
from pipeline.enrich import registry
from pipeline.enrich.base import Enricher, Prefetching, Record
from pipeline.enrich.resources import Resources

log = logging.getLogger(__name__)

TRANSIENT_FIELDS = ("targets",)
_ENRICHED_FIELDS = frozenset(schemas.load_schema(schemas.ENRICHED)["properties"])
_QUOTE_FIELDS = (
    "text",
    "speaker",
    "speaker_type",
    "speaker_mention",
    "speaker_start",
    "speaker_end",
    "kind",
    "start",
    "end",
    "cue",
    "quoted",
)


@dataclass(frozen=True)
class Failure:
    """One record the runner could not enrich, with the reason (becomes a dead letter)."""

    stage: str  # "validate" (bad input) or "enrich" (an enricher failed or wrote bad output)
    error_class: str
    message: str
    record: Any  # the input exactly as given
    article_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "error_class": self.error_class,
            "error_message": self.message,
            "article_id": self.article_id,
        }


def _declared_language(tag: Any) -> str:
    if isinstance(tag, str):
        primary = tag.split("-")[0].split("_")[0].lower()
        if len(primary) == 2 and primary.isalpha():
            return primary
    return "und"


def skeleton(article: Record) -> Record:
    """The `news.enriched.v1` record an article starts as, before any enricher ran."""
    record: Record = {k: copy.deepcopy(v) for k, v in article.items() if k in _ENRICHED_FIELDS}
    record["schema"] = schemas.ENRICHED
    # The declared language is a hint the language enricher falls back on for short texts.
    record["language"] = _declared_language(article.get("language"))
    for name in ("related_headlines", "topics", "stance", "quotes", "entities"):
        record[name] = []
    record["embedding"] = None
    record["targets"] = list(article.get("targets") or [])
    return record


def _article_id(article: Any) -> str | None:
    value = article.get("id") if isinstance(article, dict) else None
    return value if isinstance(value, str) else None


def _describe(exc: BaseException) -> str:
    return str(exc)[:2000] or exc.__class__.__name__


class EnrichmentRunner:
    """Validates, enriches and re-validates batches; pure (no Kafka, no Elasticsearch)."""

    def __init__(self, enrichers: Sequence[Enricher]) -> None:
        self.enrichers = list(enrichers)
        self.names = [e.name for e in self.enrichers]
        self.model = ",".join(self.names)
        self.version = f"wirestream-{__version__}+" + "+".join(self.names)
        self._prefetchers = [e for e in self.enrichers if isinstance(e, Prefetching)]
        # One thread: prefetches of a batch (and of consecutive batches) never overlap.
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def from_names(
        cls, names: Sequence[str], resources: Resources | None = None
    ) -> EnrichmentRunner:
        """Build the chain by registry name; an enricher that is not built yet is a clear error."""
        resources = resources or Resources()
        try:
            return cls(registry.build(names, resources))
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("pipeline."):
                raise RuntimeError(
                    f"enricher module {exc.name} does not exist yet; choose a chain without it "
                    "(WIRESTREAM_ENRICH_CHAIN or --enrichers)"
                ) from exc
            raise

    def run(self, articles: Sequence[Any]) -> tuple[list[Record], list[Failure]]:
        started = time.perf_counter()
        errs: list[Failure] = []
        live: list[tuple[Any, Record]] = []
        for article in articles:
            problems = list(schemas.errors(schemas.ARTICLE, article))
            if problems:
                message = f"not a valid {schemas.ARTICLE} record: " + "; ".join(problems[:10])
                errs.append(
                    Failure("validate", "SchemaError", message, article, _article_id(article))
                )
            else:
                live.append((article, skeleton(article)))

        prefetches: list[Future] = []
        waiting = list(self._prefetchers)
        done: set[str] = set()
        try:
            for enricher in self.enrichers:
                waiting = self._start_prefetches(waiting, done, live, prefetches)
                live, failed = self._apply(enricher, live)
                errs.extend(failed)
                done.add(enricher.name)
        finally:
            for future in prefetches:
                future.exception()  # wait: nothing of this batch runs after `run` returns

        oks: list[Record] = []
        # The batch's wall time shared out: the amortised cost of one article in this batch.
        took_ms = round((time.perf_counter() - started) * 1000 / max(len(live), 1), 3)
        enriched_at = utc_now()
        for article, record in live:
            for name in TRANSIENT_FIELDS:
                record.pop(name, None)
            record["enriched_at"] = enriched_at
            record["enrichment"] = {
                "status": "done",  # the raw indexer's document said "pending" (issue 15)
                "model": self.model,
                "version": self.version,
                "took_ms": took_ms,
                "enrichers": list(self.names),
            }
            problems = list(schemas.errors(schemas.ENRICHED, record))
            if problems:
                message = "enrichment produced an invalid record: " + "; ".join(problems[:10])
                errs.append(Failure("enrich", "SchemaError", message, article, record["id"]))
            else:
                oks.append(record)
        return oks, errs

    def _start_prefetches(
        self,
        waiting: list[Prefetching],
        done: set[str],
        live: list[tuple[Any, Record]],
        started: list[Future],
    ) -> list[Prefetching]:
        if not live:
            return []
        still = []
        for enricher in waiting:
            if (enricher.prefetch_after & set(self.names)) <= done:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="prefetch")
                started.append(self._pool.submit(_prefetch, enricher, [r for _, r in live]))
            else:
                still.append(enricher)
        return still

    def _apply(
        self, enricher: Enricher, live: list[tuple[Any, Record]]
    ) -> tuple[list[tuple[Any, Record]], list[Failure]]:
        if not live:
            return live, []
        try:
            enricher.enrich([record for _, record in live])
            return live, []
        except Exception as exc:
            if len(live) == 1:
                return [], [self._failure(enricher, live[0], exc)]
            log.warning(
                "enricher failed on a batch; retrying its records one by one",
                extra={"enricher": enricher.name, "batch": len(live), "error": _describe(exc)},
            )
        kept: list[tuple[Any, Record]] = []
        failed: list[Failure] = []
        for pair in live:
            try:
                enricher.enrich([pair[1]])
                kept.append(pair)
            except Exception as exc:
                failed.append(self._failure(enricher, pair, exc))
        return kept, failed

    @staticmethod
    def _failure(enricher: Enricher, pair: tuple[Any, Record], exc: Exception) -> Failure:
        log.warning(
            "enricher failed on a record",
            extra={
                "enricher": enricher.name,
                "article_id": pair[1].get("id"),
                "error": _describe(exc),
            },
        )
        message = f"{enricher.name}: {_describe(exc)}"
        return Failure("enrich", exc.__class__.__name__, message, pair[0], pair[1].get("id"))


def _prefetch(enricher: Prefetching, records: list[Record]) -> None:
    try:
        enricher.prefetch(records)
    except Exception as exc:  # the enricher does the work itself, and reports any error
        log.debug("prefetch failed", extra={"enricher": enricher.name, "error": _describe(exc)})


def quote_records(enriched: Record) -> list[Record]:
    """One `news.quote.v1` record per quote of an enriched article, keyed by the article id."""
    out = []
    for index, quote in enumerate(enriched.get("quotes") or []):
        record: Record = {
            "schema": schemas.QUOTE,
            "quote_id": f"{enriched['id']}:{index}",
            "article_id": enriched["id"],
            "headline": enriched.get("headline"),
            "url": enriched.get("url"),
            "source": enriched.get("source"),
            "published_at": enriched.get("published_at"),
        }
        record.update({k: quote[k] for k in _QUOTE_FIELDS if k in quote})
        version = (enriched.get("enrichment") or {}).get("version")
        if version:
            record["enrichment_version"] = version
        out.append(record)
    return out
