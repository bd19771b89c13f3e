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
from datetime import UTC, datetime, timedelta
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


def restore_since(
    es: Any, index: str, assigner: StoryAssigner, since: datetime
) -> tuple[int, str | None]:
    """Restore the articles received since `since` that the assigner does not know yet.

    Returns how many were new and the latest `received_at` read (None when none was)."""
    query = window_query(since.isoformat().replace("+00:00", "Z"))
    sort = [{"received_at": "asc"}, {"id": "asc"}]
    after: list[Any] | None = None
    restored, latest = 0, None
    while True:
        extra = {"search_after": after} if after else {}
        page = es.search(index=index, query=query, sort=sort, size=PAGE, source=FIELDS, **extra)
        hits = page["hits"]["hits"]
        for hit in hits:
            doc = hit["_source"]
            latest = doc.get("received_at") or latest
            if doc["id"] in assigner.story_of:
                continue
            story = doc.get("story") or {}
            assigner.restore(features_of(doc), story["id"], story.get("duplicate_of"))
            restored += 1
        if len(hits) < PAGE:
            return restored, latest
        after = hits[-1]["sort"]


def restore_from_index(
    es: Any, index: str, assigner: StoryAssigner, now: datetime | None = None
) -> int:
    """Restore every article of the last window from `index`; returns how many."""
    since = (now or datetime.now(UTC)) - assigner.params.window
    return restore_since(es, index, assigner, since)[0]


class IndexSync:
    """Before each batch, the stories other workers assigned since the last look.

    Several workers each assign in their own order; reading what the others indexed (within
    `lag` of the newest article seen, to catch documents indexed late) lets a worker join
    a story another one started. It narrows the split to articles of one new story that
    reach two workers within about one batch and refresh interval of each other; it does not
    merge stories once split (docs/pipeline.md, "Stories").
    """

    def __init__(
        self, es: Any, index: str, start: datetime, lag: timedelta = timedelta(seconds=60)
    ):
        self.es, self.index, self.lag = es, index, lag
        self.watermark = start

    def __call__(self, assigner: StoryAssigner) -> int:
        restored, latest = restore_since(self.es, self.index, assigner, self.watermark - self.lag)
        if latest:
            moment = datetime.fromisoformat(latest.replace("Z", "+00:00"))
            self.watermark = max(self.watermark, moment)
        return restored
