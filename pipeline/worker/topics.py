"""The Faust topic objects of the worker: raw bytes in and out, declared by `wirestream topics`.

Values and keys stay bytes: the agent decodes them itself so that a malformed record
becomes a dead letter instead of an exception inside Faust's deserializer.
"""

from __future__ import annotations

from dataclasses import dataclass

import faust

from pipeline.settings import TopicSettings


@dataclass(frozen=True)
class Topics:
    article: faust.TopicT
    enriched: faust.TopicT
    quote: faust.TopicT
    deadletter: faust.TopicT

    def by_name(self, name: str) -> faust.TopicT:
        for topic in (self.article, self.enriched, self.quote, self.deadletter):
            if topic.get_topic_name() == name:
                return topic
        raise KeyError(name)


def declare(app: faust.App, settings: TopicSettings | None = None) -> Topics:
    settings = settings or TopicSettings()

    def topic(name: str) -> faust.TopicT:
        # internal=False and the app's topic_allow_declare=False: Faust never creates or
        # alters our topics; `wirestream topics create` does, with explicit settings.
        return app.topic(
            name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
        )

    return Topics(
        article=topic(settings.article),
        enriched=topic(settings.enriched),
        quote=topic(settings.quote),
        deadletter=topic(settings.deadletter),
    )
