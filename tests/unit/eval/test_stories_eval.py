import json
from pathlib import Path

import pytest

from pipeline.eval.stories import bcubed

REPO = Path(__file__).resolve().parents[3]


def test_bcubed_is_perfect_only_for_the_gold_clustering():
    gold = ["a", "a", "b"]
    assert bcubed(gold, ["x", "x", "y"]) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    merged = bcubed(gold, ["x", "x", "x"])
    assert merged["recall"] == 1.0
    assert merged["precision"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
    split = bcubed(gold, ["x", "y", "z"])
    assert split["precision"] == 1.0
    assert split["recall"] == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)


def test_story_gold_is_the_connected_components_of_related_pairs(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_story_gold", REPO / "scripts" / "build_story_gold.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stances = [
        {"Headline": "Claim A", "Body ID": "1", "Stance": "agree"},
        {"Headline": "Claim A", "Body ID": "5", "Stance": "discuss"},
        {"Headline": "Claim A variant", "Body ID": "5", "Stance": "disagree"},
        {"Headline": "Claim A variant", "Body ID": "7", "Stance": "agree"},
        {"Headline": "Claim A", "Body ID": "9", "Stance": "unrelated"},
        {"Headline": "Claim B", "Body ID": "9", "Stance": "discuss"},
    ]
    story = module.story_of_bodies(stances)
    assert story == {1: 1, 5: 1, 7: 1, 9: 9}
    json.dumps(story)


class _FakeEncoder:
    """One axis per distinct first word: texts opening alike embed alike."""

    def encode(self, texts, max_length):
        import numpy as np

        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, hash(text.split()[0]) % 384] = 1.0
        return out


def test_replay_of_rows_gives_one_story_per_event_in_stream_order():
    from pipeline.eval.stories import prepared, replay
    from pipeline.stories.assign import StoryParams

    rows = [
        {"id": "1", "title": "Quake", "text": "Valparaiso earthquake magnitude 7 Chile coast."},
        {"id": "2", "text": "Helsinki parliament budget vote Finland pensions."},
        {"id": "3", "title": "Quake", "text": "Valparaiso earthquake toll Chile coast rises."},
    ]
    assignments = replay(prepared(rows, _FakeEncoder()), StoryParams())
    assert [a.story["id"] for a in assignments] == ["1", "2", "1"]
