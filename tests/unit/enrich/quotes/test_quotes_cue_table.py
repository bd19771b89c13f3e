"""The reported-speech cue table: how a key's score is smoothed, and the shipped table."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.enrich.quotes.indirect import cue_table
from pipeline.training.quote_cues import KEEP_FLOOR, PRIOR, table


def test_a_rare_key_leans_on_its_shape_rate():
    positives = Counter({"say|ccomp": 8, "vow|ccomp": 2, "vow|ccomp|s": 2})
    totals = Counter({"say|ccomp": 10, "vow|ccomp": 2, "vow|ccomp|s": 2})
    scores = table(positives, totals, 0.6)["scores"]
    rate = 10 / 12
    assert scores["say|ccomp"] == pytest.approx((8 + PRIOR * rate) / (10 + PRIOR), abs=1e-4)
    vow = (2 + PRIOR * rate) / (2 + PRIOR)
    assert scores["vow|ccomp"] == pytest.approx(vow, abs=1e-4)
    assert scores["vow|ccomp|s"] == pytest.approx((2 + PRIOR * vow) / (2 + PRIOR), abs=1e-4)


def test_a_subject_key_is_stored_only_with_its_general_key():
    positives = Counter({"make|dobj": 0, "make|dobj|s": 3, "say|ccomp": 9})
    totals = Counter({"make|dobj": 50, "make|dobj|s": 3, "say|ccomp": 10})
    scores = table(positives, totals, 0.6)["scores"]
    assert "make|dobj" not in scores  # below the floor: its subject key must not survive it
    assert "make|dobj|s" not in scores


def test_shipped_table_keeps_speech_verbs_and_drops_light_verbs():
    scores, threshold = cue_table()
    assert threshold >= 0.5
    assert scores["say|ccomp"] >= threshold and scores["accord|according"] >= threshold
    assert scores.get("have|dobj", 0.0) < threshold
    assert min(v for k, v in scores.items() if k.count("|") == 1) >= KEEP_FLOOR
