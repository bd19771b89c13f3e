"""`story.v1`: give every enriched article its `story`, in the worker's enrichment chain.

Runs after the embedding enricher (it reads `embedding`, `headline`, `body`, `source`,
`received_at`). The assigner's state lives in this enricher, so one worker assigns in its
own arrival order; several workers each see only their partitions and can split a story
(docs/pipeline.md, "Stories", says what that means and how the keyed step avoids it).

A batch retried record by record (the runner does this when an enricher fails on a batch)
gives the same stories: an article already assigned is a revision and keeps its story.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from pipeline.enrich.base import Record
from pipeline.enrich.resources import Resources
from pipeline.settings import StorySettings
from pipeline.stories.assign import ArticleFeatures, StoryAssigner, StoryParams
from pipeline.stories.terms import story_text

log = logging.getLogger(__name__)


def params_from(settings: StorySettings) -> StoryParams:
    return StoryParams(
        threshold=settings.threshold,
        window=timedelta(hours=settings.window_hours),
        max_stories=settings.max_stories,
    )


def _time(value: object) -> datetime:
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def features_of(record: Record) -> ArticleFeatures:
    """What the assigner reads of an enriched record; the time is its arrival."""
    vector = record.get("embedding")
    return ArticleFeatures(
        id=record["id"],
        text=story_text(record),
        embedding=np.asarray(vector, dtype=np.float32) if vector else None,
        time=_time(record.get("received_at")),
        source=record.get("source"),
    )


def story_field(story: dict, duplicate_of: str | None) -> dict:
    out = dict(story)
    if duplicate_of:
        out["duplicate_of"] = duplicate_of
    return out


class StoryEnricher:
    name = "story.v1"

    def __init__(self, resources: Resources | None = None, settings: StorySettings | None = None):
        self.assigner = StoryAssigner(params_from(settings or StorySettings()))
        self.sync: Callable[[StoryAssigner], int] | None = None
        """Set by the worker: reads other workers' assignments (`restore.IndexSync`)."""

    def enrich(self, records: Sequence[Record]) -> None:
        if self.sync is not None:
            try:
                self.sync(self.assigner)
            except Exception as exc:  # stories from this worker alone until it is back
                log.warning("story sync failed", extra={"error": repr(exc)[:300]})
        for record in records:
            result = self.assigner.assign(features_of(record))
            record["story"] = story_field(result.story, result.duplicate_of)
