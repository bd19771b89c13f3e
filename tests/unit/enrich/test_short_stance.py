import numpy as np
import pytest
from model_helpers import fake_resources
from sklearn.linear_model import LogisticRegression

from pipeline.contracts import schemas
from pipeline.enrich.short_stance import LABELS, ShortStanceHead, pair_designs
from pipeline.enrich.short_stance_features import (
    GROUPS,
    SCALARS,
    find_mentions,
    reading_spans,
)
from pipeline.enrich.stance import StanceEnricher, kinded_targets
from pipeline.enrich.stance_features import Article, split_sentences

BODY = (
    "Senator Clinton's plan was praised by teachers on Monday. "
    "Critics said the feminist movement had little to do with it. "
    "The vote is due in March."
)


def _article(body: str = BODY) -> Article:
    sentences = split_sentences(body)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(sentences), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Article.build(body, sentences, vectors, vectors[0])


def test_a_target_is_found_whole_or_by_the_stem_of_one_of_its_words():
    whole = find_mentions("Feminist Movement", BODY)
    assert whole.whole and [BODY[a:b] for a, b in whole.spans] == ["feminist movement"]
    by_word = find_mentions("Hillary Clinton", BODY)
    assert not by_word.whole and [BODY[a:b] for a, b in by_word.spans] == [
        "Clinton"
    ]  # of "Clinton's"
    tweet = "Proud of #feminists today"
    assert [tweet[a:b] for a, b in find_mentions("Feminism", tweet).spans] == ["feminists"]
    assert find_mentions("Brexit", BODY).spans == []


def test_an_unnamed_target_is_read_in_front_of_its_closest_sentence():
    spans, prefixed = reading_spans("Brexit", BODY, find_mentions("Brexit", BODY), "The vote.")
    assert prefixed and spans == [("Brexit: The vote.", 0, 6)]
    spans, prefixed = reading_spans(
        "Hillary Clinton", BODY, find_mentions("Hillary Clinton", BODY), "unused"
    )
    sentence, start, end = spans[0]
    assert not prefixed and sentence[start:end] == "Clinton"


def test_exported_head_gives_scikit_learns_probabilities():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((200, 5))
    y = rng.integers(0, len(LABELS), 200)
    model = LogisticRegression(max_iter=500).fit(x, y)
    head = ShortStanceHead(
        LABELS, ("scalars",), np.zeros(5), np.ones(5), model.coef_, model.intercept_
    )
    assert np.allclose(head.probabilities(x), model.predict_proba(x), atol=1e-6)


def test_shipped_short_head_loads_and_reads_the_features_it_was_trained_on():
    head = ShortStanceHead.load()
    assert head.labels == LABELS
    assert set(head.groups) <= set(GROUPS) and "scalars" in head.groups
    width = {"scalars": len(SCALARS), "product": 384, "closest": 384}
    assert head.weights.shape == (len(LABELS), sum(width[g] for g in head.groups))


def test_all_readings_of_a_batch_go_to_the_sentiment_model_in_one_call():
    calls = []

    def readings(inputs):
        calls.append(list(inputs))
        return np.tile([[0.1, 0.2, 0.7]], (len(inputs), 1))

    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    pairs = [("Hillary Clinton", vector, _article()), ("Brexit", vector, _article())]
    design = pair_designs(pairs, readings, ("scalars",))
    assert len(calls) == 1 and len(calls[0]) == 2
    assert design.shape == (2, len(SCALARS))
    assert design[0, SCALARS.index("reading_positive")] == pytest.approx(0.7)
    assert design[1, SCALARS.index("reading_prefixed")] == 1.0


class FakeHead:
    groups = ("scalars",)

    def predict(self, design):
        return [("against", 0.9)] * len(design)


def _enricher(**settings):
    resources, _ = fake_resources(**settings)
    resources.shared("head:stance.short.minilm.v1", lambda: FakeHead())

    class FakeSentiment:
        def probabilities(self, inputs):
            return np.full((len(inputs), 3), 1 / 3)

    resources.shared("model:entity_sentiment.minilm.v1", lambda: FakeSentiment())
    return StanceEnricher(resources)


def _record(targets):
    return {
        "headline": "Vote",
        "body": BODY,
        "language": "en",
        "embedding": None,
        "targets": targets,
    }


def test_each_target_goes_to_the_head_of_its_kind_in_the_given_order():
    record = _record(["short:Hillary Clinton", "Clinton will win the vote", "Brexit"])
    _enricher().enrich([record])
    assert [(s["target"], s["kind"], s["label"]) for s in record["stance"]] == [
        ("Hillary Clinton", "short", "against"),
        ("Clinton will win the vote", "claim", record["stance"][1]["label"]),
        ("Brexit", "short", "against"),
    ]
    assert record["stance"][1]["label"] in ("agree", "disagree", "discuss", "unrelated")


def test_claims_get_the_same_answer_with_or_without_short_targets_beside_them():
    alone, mixed = (
        _record(["Clinton will win the vote"]),
        _record(["Brexit", "Clinton will win the vote"]),
    )
    _enricher().enrich([alone])
    _enricher().enrich([mixed])
    assert mixed["stance"][1] == alone["stance"][0]


def test_the_deployment_default_kind_applies_to_unprefixed_targets():
    record = _record(["Brexit", "short:Clinton"])
    assert kinded_targets([], record, "claim") == [("claim", "Brexit"), ("short", "Clinton")]
    # The same text twice: the first kind wins.
    assert kinded_targets(["short:Brexit"], {"targets": ["claim:Brexit"]}) == [("short", "Brexit")]


def test_a_short_target_with_a_claim_label_is_not_a_valid_record():
    base = {"target": "Brexit", "score": 0.5}
    import jsonschema

    schema = schemas.load_schema(schemas.ENRICHED)
    items = {"$defs": schema["$defs"], **schema["properties"]["stance"]["items"]}
    validator = jsonschema.Draft202012Validator(items)
    assert validator.is_valid({**base, "kind": "short", "label": "against"})
    assert not validator.is_valid({**base, "kind": "short", "label": "disagree"})
    assert not validator.is_valid({**base, "kind": "claim", "label": "favor"})
    assert validator.is_valid({**base, "label": "agree"})  # written before kinds existed
    assert not validator.is_valid({**base, "label": "favor"})
