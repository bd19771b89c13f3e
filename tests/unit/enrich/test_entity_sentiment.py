"""Entity sentiment: marked inputs, sentence cutting, the salience bound and the aggregation."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.enrich.entity_sentiment import (
    EntitySentimentEnricher,
    aggregate,
    salient_entities,
    sentence_around,
)
from pipeline.enrich.resources import Resources
from pipeline.enrich.sentiment_inputs import SentimentInputs, pad_batch
from pipeline.settings import EnrichSettings


@pytest.fixture(scope="module")
def inputs() -> SentimentInputs:
    from pipeline.enrich.minilm import model_path

    return SentimentInputs.from_model_dir(model_path(), max_length=32)


def test_the_mention_is_marked_and_repeated_first(inputs: SentimentInputs) -> None:
    sentence = "Critics said Jim Mattis failed."
    built = inputs.build(sentence, 13, 23)
    ids = built.input_ids
    mention = inputs._ids("Jim Mattis")
    assert ids[: len(mention) + 2] == [inputs.cls, *mention, inputs.sep]
    marked = [i for i, m in zip(ids, built.target_mask, strict=True) if m]
    assert marked == [inputs.start, *mention, inputs.end]
    assert built.token_type_ids.count(0) == len(mention) + 2


def test_a_long_sentence_is_cut_around_the_mention_not_at_its_end(
    inputs: SentimentInputs,
) -> None:
    sentence = "word " * 60 + "Assad" + " more" * 60
    start = sentence.index("Assad")
    built = inputs.build(sentence, start, start + 5)
    assert len(built.input_ids) == 32
    assert sum(built.target_mask) == len(inputs._ids("Assad")) + 2
    lo = built.target_mask.index(1)
    assert lo > 10 and len(built.input_ids) - lo > 8  # context kept on both sides


def test_padding_keeps_each_row_and_masks_the_rest(inputs: SentimentInputs) -> None:
    a, b = inputs.build("Obama spoke.", 0, 5), inputs.build("They said Obama lied to them.", 10, 15)
    arrays = pad_batch([a, b], inputs.pad_token_id)
    assert arrays["input_ids"].shape == (2, max(len(a.input_ids), len(b.input_ids)))
    assert arrays["attention_mask"][0].sum() == len(a.input_ids)
    assert arrays["target_mask"][1].sum() == sum(b.target_mask)


def test_sentence_around_finds_the_sentence_of_the_mention() -> None:
    text = "First one. Mattis warned Assad on Friday. Last one!"
    start = text.index("Assad")
    sentence, a, b = sentence_around(text, start, start + 5)
    assert sentence == "Mattis warned Assad on Friday."
    assert sentence[a:b] == "Assad"


def _entities(*spec: tuple[str, str, int]) -> list[dict]:
    return [
        {"text": c, "canonical": c, "label": lab, "start": s, "end": s + len(c)}
        for lab, c, s in spec
    ]


def test_most_mentioned_entities_first_and_places_never() -> None:
    ents = _entities(
        ("PLACE", "Syria", 0), ("ORG", "UN", 5), ("PERSON", "Assad", 10),
        ("PERSON", "Assad", 40), ("PERSON", "Assad", 80), ("PERSON", "Mattis", 20),
        ("PERSON", "Mattis", 60), ("ORG", "Pentagon", 90),
    )  # fmt: skip
    chosen = salient_entities(ents, max_entities=2, max_mentions=2)
    assert list(chosen) == [("PERSON", "Assad"), ("PERSON", "Mattis")]
    assert [e["start"] for e in chosen[("PERSON", "Assad")]] == [10, 40]
    # ties on mentions go to the earlier entity
    assert list(salient_entities(ents, 4, 1))[2:] == [("ORG", "UN"), ("ORG", "Pentagon")]


def test_aggregate_averages_probabilities_over_mentions() -> None:
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1]])
    assert aggregate(probs) == {"label": "negative", "score": pytest.approx(0.5333, abs=1e-4)}


class _FakeModel:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, int]] = []

    def probabilities(self, mentions):
        self.seen += list(mentions)
        # negative for Assad, positive for anybody else
        return np.array(
            [[0.8, 0.1, 0.1] if s[a:b] == "Assad" else [0.1, 0.2, 0.7] for s, a, b in mentions]
        )


def test_enricher_labels_every_mention_of_the_scored_entities_only() -> None:
    resources = Resources(settings=EnrichSettings(sentiment_entities=2, sentiment_mentions=1))
    fake = _FakeModel()
    resources.shared("model:entity_sentiment.minilm.v1", lambda: fake)
    body = "Mattis met Assad. Assad refused. The UN watched. Damascus waited."
    ents = [
        {"text": t, "canonical": t, "label": lab, "start": body.index(t, s), "end": body.index(t, s) + len(t)}
        for lab, t, s in [("PERSON", "Mattis", 0), ("PERSON", "Assad", 0), ("PERSON", "Assad", 17),
                          ("ORG", "UN", 0), ("PLACE", "Damascus", 0)]
    ]  # fmt: skip
    records = [
        {"language": "en", "body": body, "entities": ents},
        {"language": "de", "body": body, "entities": [dict(e) for e in ents]},
    ]
    EntitySentimentEnricher(resources).enrich(records)
    got = [(e["text"], e.get("sentiment", {}).get("label")) for e in records[0]["entities"]]
    assert got == [
        ("Mattis", "positive"), ("Assad", "negative"), ("Assad", "negative"),
        ("UN", None), ("Damascus", None),
    ]  # fmt: skip
    assert all("sentiment" not in e for e in records[1]["entities"])
    assert len(fake.seen) == 2  # one mention each of the two most salient entities


@pytest.mark.slow
def test_shipped_model_reads_the_sentiment_toward_the_marked_target() -> None:
    from pipeline.enrich.entity_sentiment import SentimentModel

    model = SentimentModel(threads=1)
    sentence = "Smith praised the brave nurses, while Jones was accused of fraud and lying."
    smith, jones = sentence.index("Smith"), sentence.index("Jones")
    labels = [
        label
        for label, _ in model.score_mentions(
            [(sentence, smith, smith + 5), (sentence, jones, jones + 5)]
        )
    ]
    assert labels[1] == "negative"
    assert labels[0] != "negative"
