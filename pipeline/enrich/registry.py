"""Enrichers by versioned name, and the default chain in the order they run.

Entries are import strings so that naming an enricher does not load its models.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from pipeline.enrich.base import Enricher
from pipeline.enrich.resources import Resources

ENRICHERS: dict[str, str] = {
    "wirecopy.v1": "pipeline.enrich.wirecopy:WireCopyEnricher",
    "language.lingua.v1": "pipeline.enrich.language:LanguageEnricher",
    "embedding.minilm.v2": "pipeline.enrich.embedding:EmbeddingEnricher",
    "topic.minilm.v3": "pipeline.enrich.topics:TopicEnricher",
    "stance.minilm.v1": "pipeline.enrich.stance:StanceEnricher",
    # Last, so that their spaCy parse (a prefetch, started once language is known) runs
    # on the second core while the encoder enrichers above run (issue 8).
    "entities.spacy.v1": "pipeline.enrich.entities:EntityEnricher",
    "quotes.rules.v1": "pipeline.enrich.quotes:QuoteEnricher",
    # After entities, whose PERSON/ORG mentions it reads (issue 19).
    "entity_sentiment.minilm.v1": "pipeline.enrich.entity_sentiment:EntitySentimentEnricher",
    # Stories, assigned in this worker's arrival order: exact with one worker; with several,
    # each sees only its partitions (docs/pipeline.md, "Stories"). ~2 ms of CPU an article.
    "story.v1": "pipeline.stories.enricher:StoryEnricher",
}

DEFAULT_CHAIN: tuple[str, ...] = tuple(ENRICHERS)


def build(names: Sequence[str], resources: Resources) -> list[Enricher]:
    classes = []
    for name in names:
        try:
            target = ENRICHERS[name]
        except KeyError:
            raise ValueError(f"unknown enricher {name!r}; known: {', '.join(ENRICHERS)}") from None
        module, _, attr = target.partition(":")
        classes.append(getattr(importlib.import_module(module), attr))
    # The runner prefetches in one background thread; the encoder, built by an earlier
    # enricher's constructor, sizes its thread pool around it.
    resources.background_threads = int(any(callable(getattr(c, "prefetch", None)) for c in classes))
    return [cls(resources) for cls in classes]
