"""The reported-speech candidate scorer: its shipped weights, what it keeps and drops,
and how its training maps weights back and keeps one record per quote."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from pipeline.enrich.quotes.scorer import FEATURES, SCORER, load_scorer


def test_shipped_scorer_has_one_weight_per_feature_and_a_probability_threshold():
    scorer = load_scorer()
    assert len(scorer.weights) == len(FEATURES)
    assert 0.5 <= scorer.threshold < 1.0
    assert 0.0 < scorer.floor < scorer.threshold


def test_weights_written_for_other_features_are_refused(tmp_path):
    from pipeline.enrich.artefacts import SHIPPED

    meta = json.loads((SHIPPED / f"{SCORER}.json").read_text(encoding="utf-8"))
    meta["features"] = [*meta["features"][1:], meta["features"][0]]
    path = tmp_path / "scorer.json"
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        load_scorer(path)


def test_training_weights_on_raw_features_give_the_fitted_probabilities():
    pytest.importorskip("sklearn")
    from pipeline.training.quote_scorer import fit

    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(3.0, 2.0, 400), rng.integers(0, 2, 400)])
    y = (x[:, 0] + 2 * x[:, 1] + rng.normal(0, 1, 400) > 4).astype(int)
    weights, bias = fit(x, y)
    z = bias + x @ np.array(weights)
    assert weights[0] > 0 and weights[1] > 0
    agree = ((1 / (1 + np.exp(-z)) >= 0.5) == y).mean()
    assert agree > 0.8


def test_a_speech_verb_with_a_clause_is_reported_and_a_light_verb_is_not(quotes_of):
    said = quotes_of("The minister said that taxes would rise next year.")
    assert [(q["kind"], q["text"]) for q in said] == [
        ("indirect", "that taxes would rise next year")
    ]
    assert quotes_of("The minister made a sandwich for lunch on Tuesday.") == []


def _scored(nlp, text: str) -> list[tuple]:
    from pipeline.enrich.quotes.indirect import cue_table, scored_candidates

    doc = nlp(text)
    return list(scored_candidates(doc, [], cue_table()[0], load_scorer().floor))


def test_a_negated_report_scores_below_a_plain_one(nlp):
    from pipeline.enrich.quotes.scorer import feature_vector

    scorer = load_scorer()

    def best(text: str) -> float:
        return max(scorer.probability(feature_vector(c.shape, *rest)) for c, _, _, *rest in
                   _scored(nlp, text))  # fmt: skip

    plain = best("The senator said that the bill would pass.")
    negated = best("The senator did not say that the bill would pass.")
    assert plain >= scorer.threshold
    assert negated < plain


def test_serving_sums_the_same_logit_as_the_trained_dot_product(nlp):
    from pipeline.enrich.quotes.scorer import feature_vector

    scorer = load_scorer()
    text = (
        "Officials said the governor told reporters that the bridge would reopen in May. "
        "According to the ministry, the plan failed, and Smith's claim that it worked "
        "was rejected by critics who accused him of lying."
    )
    found = _scored(nlp, text)
    assert len(found) >= 4
    for cand, _, _, specific, general, cue_part, content in found:
        z = (
            scorer.key_logit(cand.shape, specific, general)
            + scorer.cue_logit(cue_part)
            + scorer.content_logit(content)
        )
        x = feature_vector(cand.shape, specific, general, cue_part, content)
        assert 1 / (1 + math.exp(-z)) == pytest.approx(scorer.probability(x), abs=1e-12)


def test_reports_never_share_a_character(quotes_of):
    text = (
        "Officials said the governor told reporters that the bridge would reopen in May, "
        "and the mayor claimed the delay was the contractor's fault."
    )
    spans = sorted((q["start"], q["end"]) for q in quotes_of(text))
    assert spans
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_a_reported_clause_stops_where_the_reporter_goes_on(quotes_of):
    text = (
        "The mayor said the bridge would reopen in May; the council learned of it on Friday. "
        "She said the delay was the contractor's fault, although she refused to name it."
    )
    reported = [q["text"] for q in quotes_of(text) if q["kind"] == "indirect"]
    assert "the bridge would reopen in May" in reported
    assert "the delay was the contractor's fault" in reported


def test_a_cue_inside_a_direct_quote_reports_nothing(quotes_of):
    text = '"We said the plan would fail and we were right," the minister told reporters.'
    quotes = quotes_of(text)
    assert [q["kind"] for q in quotes] == ["direct"]


def test_person_entities_are_the_person_spans_of_the_parse(nlp):
    from pipeline.enrich.quotes.extract import person_entities

    doc = nlp(
        "Jim Mattis met Felix Gedney in Washington on Monday. The Pentagon said "
        "Mattis and Gedney spoke for an hour with Jean-Yves Le Drian."
    )
    assert person_entities(doc) == [
        [t.text for t in ent] for ent in doc.ents if ent.label_ == "PERSON"
    ]
    assert person_entities(doc)


def test_a_sentence_gets_the_noun_chunks_the_whole_parse_gives_it(nlp):
    from pipeline.enrich.quotes.attribution import _noun_chunks

    doc = nlp("The old man said nothing. Then the young reporter asked the tired minister why.")
    for sent in doc.sents:
        expected = [(c.start, c.end, c.root.i) for c in sent.noun_chunks]
        assert _noun_chunks(doc[sent.start]) == expected
