"""Zero-downtime reindex: copy the index behind the alias into the next version, then swap.

1. install the current template (from `schemas/`) and create `<prefix><N+1>` from it;
2. `_reindex` the current index into it as a background task, polled until done;
3. swap the alias in one `_aliases` call (remove old + add new, atomic for searches);
4. a catch-up pass copies what the worker wrote to the old index during step 2;
5. keep the old index (default, for rollback) or delete it.

Documents keep their versions (`version_type: external`): the sink writes revisions with
`external_gte`, so a copied document must not fall back to version 1, and the catch-up pass
only overwrites documents whose copy in the new index is older.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from elasticsearch import ApiError, Elasticsearch, helpers

from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import alias_indices, load_template, put_template

log = logging.getLogger(__name__)

Progress = Callable[[str, dict[str, Any]], None]


class ReindexError(RuntimeError):
    """The reindex stopped before the swap; the alias still points at the old index."""


@dataclass(frozen=True)
class ReindexPlan:
    alias: str
    source: str
    dest: str


@dataclass
class ReindexResult:
    alias: str
    source: str
    dest: str
    copied: int
    caught_up: int
    old_index_deleted: bool
    took_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def next_index_name(prefix: str, existing: Iterable[str]) -> str:
    """`<prefix><highest existing version + 1>`; versions of every index count, not only the
    aliased one, so an old index kept for rollback is never overwritten."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    versions = [int(m.group(1)) for name in existing if (m := pattern.match(name))]
    return f"{prefix}{max(versions, default=0) + 1}"


def plan_reindex(es: Elasticsearch, settings: ElasticsearchSettings) -> ReindexPlan:
    behind = alias_indices(es, settings.alias)
    if not behind:
        raise ReindexError(f"alias {settings.alias!r} does not exist: nothing to reindex")
    if len(behind) > 1:
        raise ReindexError(
            f"alias {settings.alias!r} points at {sorted(behind)}; expected one index "
            "(an interrupted swap?): fix the alias by hand first"
        )
    (source,) = behind
    existing = es.indices.get(index=f"{settings.index_prefix}*", expand_wildcards="all").body
    return ReindexPlan(settings.alias, source, next_index_name(settings.index_prefix, existing))


def _wait_for_task(
    es: Elasticsearch, task_id: str, poll_s: float, progress: Progress | None
) -> dict[str, Any]:
    while True:
        task = es.tasks.get(task_id=task_id).body
        status = task.get("task", {}).get("status", {})
        if progress:
            progress("copying", {k: status.get(k) for k in ("total", "created", "updated")})
        if task.get("completed"):
            if "error" in task:
                raise ReindexError(f"reindex task {task_id} failed: {task['error']}")
            response = task.get("response", {})
            if response.get("failures"):
                raise ReindexError(f"reindex task {task_id}: {response['failures'][:3]}")
            return response
        time.sleep(poll_s)


def _server_copy(
    es: Elasticsearch,
    source: str,
    dest: str,
    batch_size: int,
    poll_s: float,
    progress: Progress | None,
) -> dict[str, Any]:
    started = es.reindex(
        source={"index": source, "size": batch_size},
        dest={"index": dest, "version_type": "external"},
        # Conflicts are documents already newer in dest: the catch-up pass expects them.
        conflicts="proceed",
        wait_for_completion=False,
        slices="auto",
    )
    return _wait_for_task(es, started["task"], poll_s, progress)


def _client_copy(
    es: Elasticsearch, source: str, dest: str, batch_size: int, progress: Progress | None
) -> dict[str, Any]:
    """Scroll + bulk from this process, for clusters without the reindex module."""
    created = conflicts = 0
    actions = (
        {
            "_index": dest,
            "_id": hit["_id"],
            "_source": hit["_source"],
            "version": hit["_version"],
            "version_type": "external",
        }
        for hit in helpers.scan(es, index=source, size=batch_size, version=True)
    )
    for ok, item in helpers.streaming_bulk(
        es, actions, chunk_size=batch_size, raise_on_error=False, max_retries=3
    ):
        outcome = item.get("index", {})
        if ok:
            created += 1
        elif outcome.get("status") == 409:
            conflicts += 1
        else:
            raise ReindexError(f"copy of {outcome.get('_id')} failed: {outcome.get('error')}")
        if progress and (created + conflicts) % (batch_size * 10) == 0:
            progress("copying", {"created": created, "version_conflicts": conflicts})
    return {"created": created, "updated": 0, "version_conflicts": conflicts}


def _reindex_unavailable(exc: ApiError) -> bool:
    # The minimal distributions (integ-test-zip) ship without the reindex module.
    return exc.meta.status in (404, 405) and "_reindex" in str(exc)


def _copy(
    es: Elasticsearch,
    source: str,
    dest: str,
    batch_size: int,
    poll_s: float,
    progress: Progress | None,
) -> dict[str, Any]:
    try:
        return _server_copy(es, source, dest, batch_size, poll_s, progress)
    except ApiError as exc:
        if not _reindex_unavailable(exc):
            raise
        log.warning("no _reindex API on this cluster; copying from this process instead")
        return _client_copy(es, source, dest, batch_size, progress)


def reindex(
    es: Elasticsearch,
    settings: ElasticsearchSettings | None = None,
    *,
    delete_old: bool = False,
    catch_up: bool = True,
    batch_size: int = 1000,
    poll_s: float = 1.0,
    progress: Progress | None = None,
) -> ReindexResult:
    """Move the alias to a fresh copy of its index made from the current template."""
    settings = settings or ElasticsearchSettings()
    started = time.monotonic()
    plan = plan_reindex(es, settings)
    put_template(es, settings)
    template = load_template()["template"]
    es.indices.create(index=plan.dest)
    mapping = es.indices.get_mapping(index=plan.dest).body.get(plan.dest, {}).get("mappings", {})
    if "id" not in mapping.get("properties", {}):
        # Another template with a higher priority matched the name: do not copy into it.
        es.indices.delete(index=plan.dest)
        raise ReindexError(f"{plan.dest} did not get the wirestream mapping from the template")
    log.info("reindex started", extra=asdict(plan))
    if progress:
        progress("created", asdict(plan))
    # No refreshes while bulk copying; restored before the swap so searches see everything.
    es.indices.put_settings(index=plan.dest, settings={"index": {"refresh_interval": "-1"}})
    try:
        copied = _copy(es, plan.source, plan.dest, batch_size, poll_s, progress)
    except Exception:
        # The alias never moved: drop the partial copy so a retry starts clean.
        log.error("reindex failed; the alias still points at the old index", extra=asdict(plan))
        es.options(ignore_status=404).indices.delete(index=plan.dest)
        raise
    refresh = template.get("settings", {}).get("index", {}).get("refresh_interval")
    es.indices.put_settings(index=plan.dest, settings={"index": {"refresh_interval": refresh}})
    es.indices.refresh(index=plan.dest)
    es.indices.update_aliases(
        actions=[
            {"remove": {"index": plan.source, "alias": plan.alias}},
            {"add": {"index": plan.dest, "alias": plan.alias, "is_write_index": True}},
        ]
    )
    log.info("alias swapped", extra=asdict(plan))
    if progress:
        progress("swapped", asdict(plan))
    caught_up = 0
    if catch_up:
        response = _copy(es, plan.source, plan.dest, batch_size, poll_s, None)
        caught_up = response.get("created", 0) + response.get("updated", 0)
        es.indices.refresh(index=plan.dest)
    if delete_old:
        es.indices.delete(index=plan.source)
    return ReindexResult(
        alias=plan.alias,
        source=plan.source,
        dest=plan.dest,
        copied=copied.get("created", 0) + copied.get("updated", 0),
        caught_up=caught_up,
        old_index_deleted=delete_old,
        took_s=round(time.monotonic() - started, 3),
    )
