"""Stories survive a restart: a worker restored from the index assigns like one that never stopped."""

from __future__ import annotations

import pytest

from pipeline.enrich.runner import EnrichmentRunner
from pipeline.eval.articles import wire_article
from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.index_setup import ensure_index, template_name
from pipeline.stories.assign import StoryAssigner
from pipeline.stories.enricher import StoryEnricher
from pipeline.stories.restore import restore_from_index

pytestmark = pytest.mark.integration

QUAKE = (
    "VALPARAISO, Chile (Reuters) - A magnitude 7.1 earthquake struck off Valparaiso on Monday, "
    "the national seismology office said. Residents of Valparaiso fled to higher ground."
)
UPDATE = (
    "VALPARAISO, Chile (AP) - The toll of Monday's magnitude 7.1 earthquake off Valparaiso rose "
    "to twelve, the seismology office and the interior ministry said."
)
BUDGET = "HELSINKI (STT) - Finland's parliament approved next year's budget after a long debate."
FERRY = "OSLO (NTB) - The harbour authority will publish ferry statistics for Norwegian ports."


@pytest.fixture
def es_settings(es, unique_name):
    name = unique_name("ws-stories")
    settings = ElasticsearchSettings(alias=name, index_prefix=f"{name}-v", refresh="true")
    yield settings
    for index in es.indices.get(index=f"{settings.index_prefix}*").body:
        es.indices.delete(index=index)
    es.indices.delete_index_template(name=template_name(settings), ignore=[404])


def test_a_restarted_worker_keeps_joining_the_stories_it_had(es, es_settings):
    ensure_index(es, es_settings)
    before = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"])
    first = [
        wire_article("quake", "Quake hits Chile", QUAKE),
        wire_article("budget", "Budget passed", BUDGET),
        wire_article("ferry", "Ferry statistics", FERRY),
    ]
    done, errors = before.run(first)
    assert not errors
    for record in done:
        es.index(index=es_settings.alias, id=record["id"], document=record, refresh=True)

    restarted = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"])
    (enricher,) = [e for e in restarted.enrichers if isinstance(e, StoryEnricher)]
    assert restore_from_index(es, es_settings.alias, enricher.assigner) == 3

    update = wire_article("update", "Chile quake toll rises", UPDATE)
    (after,), _ = restarted.run([update])
    (uninterrupted,), _ = before.run([dict(update)])
    assert after["story"]["id"] == done[0]["id"]
    assert after["story"] == uninterrupted["story"]
    assert after["story"]["size"] == 2


def test_nothing_outside_the_window_is_restored(es, es_settings):
    ensure_index(es, es_settings)
    old = wire_article("old", "Old news", QUAKE)
    old["received_at"] = "2020-01-01T00:00:00Z"
    (record,), _ = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"]).run([old])
    es.index(index=es_settings.alias, id=record["id"], document=record, refresh=True)
    assert restore_from_index(es, es_settings.alias, StoryAssigner()) == 0


def test_a_worker_joins_a_story_another_worker_started(es, es_settings):
    import datetime as dt

    from pipeline.stories.restore import IndexSync

    ensure_index(es, es_settings)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    one = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"])
    two = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"])
    (enricher,) = [e for e in two.enrichers if isinstance(e, StoryEnricher)]
    enricher.sync = IndexSync(es, es_settings.alias, start=start)
    two.run([wire_article("budget", "Budget passed", BUDGET)])  # its own partition's news

    (flash,), _ = one.run([wire_article("quake", "Quake hits Chile", QUAKE)])
    es.index(index=es_settings.alias, id=flash["id"], document=flash, refresh=True)
    (update,), _ = two.run([wire_article("update", "Chile quake toll rises", UPDATE)])
    assert update["story"]["id"] == flash["id"]
    assert update["story"]["size"] == 2
