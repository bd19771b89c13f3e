"""`wirestream eval entity-sentiment`: NewsMTSC rows in, {primary_gid, targets} out, macro-F1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.eval.entity_sentiment import evaluate, macro_f1, read_newsmtsc


def _write(path: Path) -> None:
    rows = [
        {"primary_gid": "a", "sentence_normalized": "Smith lied and Jones won.",
         "targets": [{"Input.gid": "a1", "from": 0, "to": 5, "mention": "Smith", "polarity": 2.0},
                     {"Input.gid": "a2", "from": 15, "to": 20, "mention": "Jones", "polarity": 6.0}]},
        {"primary_gid": "b", "sentence_normalized": "Brown spoke.",
         "targets": [{"Input.gid": "b1", "from": 0, "to": 5, "mention": "Brown", "polarity": 4.0}]},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


class _Scorer:
    def score_mentions(self, mentions):
        by_name = {"Smith": "negative", "Jones": "neutral", "Brown": "neutral"}
        return [(by_name[s[a:b]], 0.9) for s, a, b in mentions]


def test_predictions_are_grouped_by_sentence_with_named_polarities(tmp_path: Path) -> None:
    data, out = tmp_path / "d.jsonl", tmp_path / "p.jsonl"
    _write(data)
    report = evaluate(_Scorer(), data, out)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines == [
        {"primary_gid": "a", "targets": [{"Input.gid": "a1", "polarity": "negative"},
                                         {"Input.gid": "a2", "polarity": "neutral"}]},
        {"primary_gid": "b", "targets": [{"Input.gid": "b1", "polarity": "neutral"}]},
    ]  # fmt: skip
    # negative F1 1, neutral F1 2/3, positive F1 0
    assert report["macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3, abs=1e-4)


def test_unlabelled_input_is_predicted_but_not_scored(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"primary_gid": "x", "sentence_normalized": "Smith lied.",
                                "targets": [{"Input.gid": "x1", "from": 0, "to": 5, "mention": "Smith"}]}) + "\n")  # fmt: skip
    report = evaluate(_Scorer(), data, None)
    assert report == {"mentions": 1, "scored": 0}
    assert read_newsmtsc(data)[0].label == -1


def test_macro_f1_counts_a_never_predicted_class_as_zero() -> None:
    assert macro_f1([0, 1, 2], [0, 1, 1]) == pytest.approx((1 + 2 / 3 + 0) / 3)
