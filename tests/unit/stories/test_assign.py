"""The single-pass assigner: joins, new stories, revisions, duplicates, the window, restore."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipeline.stories.assign import ArticleFeatures, StoryAssigner, StoryParams

T0 = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
QUAKE = (
    "A magnitude 7.1 earthquake struck off the coast of Valparaiso, Chile, on Monday, the "
    "national seismology office said. Residents of Valparaiso fled to higher ground."
)
QUAKE_UPDATE = (
    "The death toll from Monday's magnitude 7.1 earthquake near Valparaiso, Chile, rose to "
    "twelve, the interior ministry said, as rescuers searched Valparaiso's hillside homes."
)
BUDGET = (
    "Finland's parliament approved the government's budget for next year after a long debate "
    "in Helsinki over defence spending and pension reform."
)
FILLER = (
    "Officials in Oslo said the harbour authority will publish shipping statistics for "
    "Norwegian ports next month, with figures for ferries and fishing vessels."
)


def vec(*axes: float) -> np.ndarray:
    out = np.zeros(384, dtype=np.float32)
    out[: len(axes)] = axes
    return out / np.linalg.norm(out)


def art(article_id, text, embedding, minutes=0.0, source="wire"):
    return ArticleFeatures(article_id, text, embedding, T0 + dt.timedelta(minutes=minutes), source)


def primed() -> StoryAssigner:
    """An assigner that has seen some unrelated news (document frequencies are online)."""
    assigner = StoryAssigner(StoryParams())
    assigner.assign(art("budget", BUDGET, vec(0, 0, 1)))
    assigner.assign(art("filler", FILLER, vec(0, 0, 0, 1)))
    return assigner


def test_an_update_of_an_event_joins_the_story_of_its_first_report():
    assigner = primed()
    first = assigner.assign(art("q1", QUAKE, vec(1, 0.1), source="reuters"))
    update = assigner.assign(art("q2", QUAKE_UPDATE, vec(1, 0.2), minutes=30, source="afp"))
    assert first.story["id"] == "q1"
    assert update.story["id"] == "q1"
    assert update.story["size"] == 2
    assert update.story["sources"] == ["reuters", "afp"]
    assert update.story["first_seen"] < update.story["last_seen"]
    assert update.duplicate_of is None


def test_an_unrelated_article_starts_its_own_story():
    assigner = primed()
    assigner.assign(art("q1", QUAKE, vec(1, 0.1)))
    football = "Ajax beat Feyenoord three goals to one in Amsterdam, with two goals from Brobbey."
    other = assigner.assign(art("b2", football, vec(0, 1), minutes=5))
    assert other.story["id"] == "b2"
    assert other.story["size"] == 1


def test_a_near_identical_copy_from_another_source_is_marked_a_duplicate():
    assigner = primed()
    assigner.assign(art("q1", QUAKE, vec(1, 0.1), source="reuters"))
    copy = assigner.assign(art("q1-copy", QUAKE + " ", vec(1, 0.1), minutes=2, source="ap"))
    assert copy.story["id"] == "q1"
    assert copy.duplicate_of == "q1"


def test_a_new_revision_keeps_its_story_and_is_not_counted_twice():
    assigner = primed()
    assigner.assign(art("q1", QUAKE, vec(1, 0.1)))
    assigner.assign(art("q2", QUAKE_UPDATE, vec(1, 0.2), minutes=30))
    # Revision of q2 with text that on its own would start a story.
    revised = assigner.assign(art("q2", FILLER.replace("Oslo", "Bergen"), vec(0, 1), minutes=60))
    assert revised.story["id"] == "q1"
    assert revised.story["size"] == 2


def test_a_story_older_than_the_window_is_not_joined():
    assigner = StoryAssigner(StoryParams(window=dt.timedelta(hours=72)))
    assigner.assign(art("budget", BUDGET, vec(0, 0, 1)))
    assigner.assign(art("q1", QUAKE, vec(1, 0.1)))
    late = assigner.assign(art("q2", QUAKE_UPDATE, vec(1, 0.2), minutes=73 * 60))
    assert late.story["id"] == "q2"
    assert "q1" not in assigner.stories
    assert "q1" not in assigner.story_of


def test_the_window_holds_at_most_max_stories():
    assigner = StoryAssigner(StoryParams(max_stories=3))
    words = ["harbour", "election", "vaccine", "wildfire", "merger", "tournament"]
    for i, word in enumerate(words):
        axes = [0.0] * 8
        axes[i] = 1.0
        assigner.assign(art(f"a{i}", f"{word} {word}ville {word}berg", vec(*axes)))
    assert len(assigner.stories) == 3
    assert list(assigner.stories) == ["a3", "a4", "a5"]


def test_restored_state_assigns_like_the_state_before_the_restart():
    stream = [
        art("budget", BUDGET, vec(0, 0, 1)),
        art("filler", FILLER, vec(0, 0, 0, 1)),
        art("q1", QUAKE, vec(1, 0.1)),
    ]
    before = StoryAssigner(StoryParams())
    done = [before.assign(a) for a in stream]
    after = StoryAssigner(StoryParams())
    for article, assignment in zip(stream, done, strict=True):
        after.restore(article, assignment.story["id"], assignment.duplicate_of)
    nxt = art("q2", QUAKE_UPDATE, vec(1, 0.2), minutes=30)
    assert after.assign(nxt).story == before.assign(nxt).story


def test_an_article_without_embedding_is_matched_on_terms():
    assigner = primed()
    assigner.assign(art("q1", QUAKE, None))
    update = assigner.assign(art("q2", QUAKE_UPDATE, None, minutes=30))
    assert update.story["id"] == "q1"


def test_a_copy_is_a_duplicate_on_terms_alone_when_there_are_no_embeddings():
    assigner = primed()
    assigner.assign(art("q1", QUAKE, None, source="reuters"))
    copy = assigner.assign(art("q1-copy", QUAKE + " ", None, minutes=2, source="ap"))
    assert copy.story["id"] == "q1"
    assert copy.duplicate_of == "q1"
