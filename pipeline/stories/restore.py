"""Rebuild the story window after a restart from what Elasticsearch already holds.

The assigner's state is a function of the assignments of the last window
(`StoryAssigner.restore`), and every assigned article is indexed with its `story`. So a
worker that starts reads the documents received within the window, oldest first, and puts
each back into its story: no state file, no changelog topic, and the same stories after a
restart as without it (up to documents not yet indexed when the worker stopped, which Kafka
redelivers, uncommitted, and which then join as they did before or as revisions).

Cost: one sorted scan of the window's documents (headline, body, embedding). Fine for a
window of tens of thousands; the keyed story step of docs/pipeline.md restores from its own
compact output topic instead.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pipeline.stories.assign import StoryAssigner
from pipeline.stories.enricher import features_of

log = logging.getLogger(__name__)

FIELDS = ["id", "headline", "body", "embedding", "source", "received_at", "story"]
PAGE = 500


def window_query(since: str) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [
                {"exists": {"field": "story.id"}},
                {"range": {"received_at": {"gte": since}}},
            ]
        }
    }


def restore_from_index(
    es: Any, index: str, assigner: StoryAssigner, now: datetime | None = None
) -> int:
    """Restore every article of the last window from `index`; returns how many."""
    since = (now or datetime.now(UTC)) - assigner.params.window
    query = window_query(since.isoformat().replace("+00:00", "Z"))
    sort = [{"received_at": "asc"}, {"id": "asc"}]
    after: list[Any] | None = None
    restored = 0
    while True:
        extra = {"search_after": after} if after else {}
        page = es.search(index=index, query=query, sort=sort, size=PAGE, source=FIELDS, **extra)
        hits = page["hits"]["hits"]
        for hit in hits:
            doc = hit["_source"]
            story = doc.get("story") or {}
            assigner.restore(features_of(doc), story["id"], story.get("duplicate_of"))
            restored += 1
        if len(hits) < PAGE:
            return restored
        after = hits[-1]["sort"]
