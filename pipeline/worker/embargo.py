"""The scheduled release of embargoed articles onto the output topics, with no new input.

Searches need no release: they compare `embargoed_until` with Elasticsearch's `now`
(`pipeline/search/query.py`, the Kibana objects). The output topics do: the batch processor
publishes nothing for an embargoed article (`pipeline/worker/pubstatus.py`), so a timer in the
worker (`tick`, every `WIRESTREAM_WORKER_EMBARGO_RELEASE_INTERVAL_S`) asks the index for the
usable articles whose embargo ended since the last tick and publishes them, enriched record
and quotes, awaiting every acknowledgement before it moves on.

The index is the durable store of held articles: nothing is lost when the worker restarts.
The trap avoided: a document written a moment before its embargo ends may not be searchable
yet (the index refreshes every second), so a window of exactly (last tick, now] could miss it
for good. Each tick therefore looks back `overlap_s` further than the last one and remembers
what it released, so an article is released once per worker. The last tick's time is kept in
`<data dir>/embargo-release.json`; a worker starting without it looks back `lookback_s`.
Delivery is at least once, like every output: after a restart, or with several workers (each
scans the whole index), a release may be published more than once; consumers dedupe by `id`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import orjson

from pipeline.contracts.pubstatus import HIDDEN_STATUSES, parse_instant
from pipeline.settings import TopicSettings
from pipeline.worker.pubstatus import outputs

log = logging.getLogger(__name__)


class SearchClient(Protocol):
    async def search(self, **kwargs: Any) -> Any: ...


class Publisher(Protocol):
    async def send(self, topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]: ...


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def due_query(after: datetime, until: datetime) -> dict[str, Any]:
    """Usable, enriched articles whose embargo ended in (after, until].

    A pending document (the raw indexer's, `pipeline/worker/raw_indexer.py`) is never
    published: when its enrichment lands after the embargo, the batch processor publishes it.
    """
    window = {"gt": _ms(after), "lte": _ms(until), "format": "epoch_millis"}
    return {
        "bool": {
            "filter": [{"range": {"embargoed_until": window}}],
            "must_not": [
                {"terms": {"status": list(HIDDEN_STATUSES)}},
                {"term": {"enrichment.status": "pending"}},
            ],
        }
    }


class EmbargoRelease:
    def __init__(
        self,
        client: SearchClient,
        alias: str,
        publisher: Publisher,
        topics: TopicSettings,
        *,
        state_file: Path | None = None,
        overlap_s: float = 10.0,
        lookback_s: float = 3600.0,
        page_size: int = 100,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.alias = alias
        self.publisher = publisher
        self.topics = topics
        self.state_file = state_file
        self.overlap = timedelta(seconds=overlap_s)
        self.page_size = page_size
        self._clock = clock
        self._released: dict[tuple[Any, ...], datetime] = {}
        self.watermark = self._load() or clock() - timedelta(seconds=lookback_s)

    async def tick(self) -> int:
        """Publish what became due; returns the number of articles released."""
        now = self._clock()
        after = self.watermark - self.overlap
        released = 0
        search_after: list[Any] | None = None
        while True:
            page = await self._page(after, now, search_after)
            for hit in page:
                doc = hit["_source"]
                key = (doc.get("id"), doc.get("revision"), doc.get("embargoed_until"))
                if key in self._released:
                    continue
                await self._publish(doc, now)
                self._released[key] = parse_instant(doc.get("embargoed_until")) or now
                released += 1
            if len(page) < self.page_size:
                break
            search_after = page[-1]["sort"]
        self.watermark = now
        self._released = {k: t for k, t in self._released.items() if t > after}
        if released:
            log.info("released embargoed articles", extra={"released": released})
            self._save()
        return released

    async def _page(
        self, after: datetime, until: datetime, search_after: list[Any] | None
    ) -> list[dict[str, Any]]:
        response = await self.client.search(
            index=self.alias,
            query=due_query(after, until),
            # unmapped_type: an index made before these fields existed answers, empty.
            sort=[
                {"embargoed_until": {"order": "asc", "unmapped_type": "date"}},
                {"id": {"order": "asc", "unmapped_type": "keyword"}},
            ],
            size=self.page_size,
            **({"search_after": search_after} if search_after else {}),
        )
        body = getattr(response, "body", response)
        return list(body["hits"]["hits"])

    async def _publish(self, doc: dict[str, Any], now: datetime) -> None:
        key = str(doc["id"]).encode()
        futures = []
        for kind, record in outputs(doc, now):
            topic = self.topics.enriched if kind == "enriched" else self.topics.quote
            futures.append(await self.publisher.send(topic, key, orjson.dumps(record)))
        for future in futures:
            await future  # an error leaves the watermark where it was: the next tick retries

    def _load(self) -> datetime | None:
        if self.state_file is None or not self.state_file.is_file():
            return None
        try:
            return parse_instant(json.loads(self.state_file.read_text())["watermark"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save(self) -> None:
        if self.state_file is None:
            return
        try:
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"watermark": self.watermark.isoformat()}))
            tmp.replace(self.state_file)
        except OSError as exc:
            log.warning("cannot keep the embargo watermark", extra={"error": repr(exc)[:300]})
