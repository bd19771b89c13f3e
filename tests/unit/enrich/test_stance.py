import numpy as np
import pytest
from model_helpers import fake_resources, real_resources
from sklearn.ensemble import HistGradientBoostingClassifier

from pipeline.enrich.stance import StanceEnricher, StanceHead, stance_targets
from pipeline.enrich.stance_features import FEATURES, split_sentences
from pipeline.enrich.trees import TreeEnsemble
from pipeline.eval.fnc import LABELS

BODY = (
    "Police in Texas said on Monday that a man was arrested after a chase. "
    "Officials denied reports that shots were fired. The suspect was taken to jail."
)


def test_targets_are_the_union_of_deployment_and_article_in_order_without_repeats():
    record = {
        "targets": ["Shots fired in Texas chase", " Man arrested ", "Shots fired in Texas chase"]
    }
    assert stance_targets(["Man arrested", "Police chase"], record) == [
        "Man arrested",
        "Police chase",
        "Shots fired in Texas chase",
    ]
    assert stance_targets([], {}) == []


def test_every_target_gets_a_valid_label_and_score():
    resources, _ = fake_resources(targets=["Man arrested after chase"])
    records = [
        {
            "headline": "Chase",
            "body": BODY,
            "language": "en",
            "embedding": None,
            "targets": ["Shots were fired"],
        }
    ]
    StanceEnricher(resources).enrich(records)
    stance = records[0]["stance"]
    assert [s["target"] for s in stance] == ["Man arrested after chase", "Shots were fired"]
    assert all(s["label"] in LABELS and 0 <= s["score"] <= 1 for s in stance)


def test_non_english_or_targetless_articles_get_no_stance():
    resources, fake = fake_resources()
    records = [
        {"headline": "x", "body": BODY, "language": "de", "embedding": None, "targets": ["t"]},
        {"headline": "x", "body": BODY, "language": "en", "embedding": None},
    ]
    StanceEnricher(resources).enrich(records)
    assert [r["stance"] for r in records] == [[], []]
    assert fake.calls == []


def test_shipped_stance_head_loads_and_gives_one_label_and_score_per_pair():
    head = StanceHead.load()
    assert head.labels == LABELS
    predictions = head.predict(np.zeros((2, len(FEATURES))), np.zeros((2, 384)))
    assert len(predictions) == 2
    assert all(label in LABELS and 0 <= score <= 1 for label, score in predictions)


def test_exported_tree_ensemble_predicts_like_scikit_learn():
    rng = np.random.default_rng(1)
    x = rng.random((400, 4))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = np.nan_to_num(x[:, 0] * 4).astype(int).clip(0, 3)
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, y)
    ensemble = TreeEnsemble.from_arrays(TreeEnsemble.from_sklearn(model).to_arrays())
    assert np.allclose(ensemble.predict_proba(x), model.predict_proba(x))


def test_sentences_split_on_end_punctuation_and_newlines():
    text = 'He said "It is over." Then he left.\nNew paragraph here. U.S. officials agreed'
    assert split_sentences(text) == [
        'He said "It is over."',
        "Then he left.",
        "New paragraph here.",
        "U.S. officials agreed",
    ]


@pytest.mark.slow
def test_an_unrelated_target_is_unrelated():
    enricher = StanceEnricher(real_resources())
    records = [
        {
            "headline": "Chase",
            "body": BODY,
            "language": "en",
            "embedding": None,
            "targets": ["Apple unveils a new iPhone with a foldable screen"],
        }
    ]
    enricher.enrich(records)
    assert records[0]["stance"][0]["label"] == "unrelated"
