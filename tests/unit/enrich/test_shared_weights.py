"""The graphs share one memory-mapped copy of MiniLM's word embeddings, changing no output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.enrich.artefacts import artefact_dir
from pipeline.enrich.minilm import model_path
from pipeline.enrich.shared_weights import WORD_EMBEDDINGS, take_word_embeddings, word_embeddings

TEXTS = [
    "Parliament votes to delay the new data protection law after a long night of debate.",
    "Striker scores twice as the home side wins the cup final in front of 80,000 fans.",
]


@pytest.fixture(scope="module")
def table() -> np.ndarray:
    return word_embeddings(model_path())


def test_the_table_is_a_read_only_map_of_the_installed_model(table):
    assert isinstance(table, np.memmap) and table.shape == (30522, 384)
    assert table.dtype == np.float32 and not table.flags.writeable


@pytest.mark.slow
@pytest.mark.parametrize("name", ["topic.minilm.v3", "entity_sentiment.minilm.v1"])
def test_each_shipped_graph_carries_the_base_models_table_byte_for_byte(table, name):
    # What makes sharing safe: the fine-tunes kept their embeddings frozen.
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(artefact_dir(None) / f"{name}.int8.onnx")).graph
    [own] = [t for t in graph.initializer if t.name == f"encoder.{WORD_EMBEDDINGS}"]
    assert np.array_equal(numpy_helper.to_array(own), table)


@pytest.mark.slow
def test_sharing_the_table_changes_no_topic_or_sentiment_score(table):
    from pipeline.enrich.entity_sentiment import SentimentModel
    from pipeline.enrich.topics import TopicModel

    vectors = np.zeros((len(TEXTS), 384), dtype=np.float32)
    own, shared = TopicModel(threads=1), TopicModel(threads=1, word_embeddings=table)
    assert own._shared is None and shared._shared is not None
    assert np.array_equal(own.logits(TEXTS, vectors), shared.logits(TEXTS, vectors))

    mentions = [(TEXTS[0], 0, 10), (TEXTS[1], 0, 7)]
    own_s, shared_s = SentimentModel(threads=1), SentimentModel(threads=1, word_embeddings=table)
    assert shared_s._shared is not None
    assert np.array_equal(own_s.probabilities(mentions), shared_s.probabilities(mentions))


@pytest.mark.slow
def test_a_topic_model_whose_embeddings_were_trained_keeps_its_own_table(table, tmp_path):
    from pipeline.enrich.topics import NAME, TopicModel

    shipped = artefact_dir(None)
    for suffix in (".int8.onnx", ".npz"):
        (tmp_path / f"{NAME}{suffix}").symlink_to(shipped / f"{NAME}{suffix}")
    meta = json.loads((shipped / f"{NAME}.json").read_text(encoding="utf-8"))
    meta["training"]["frozen_layers"] = 0  # build_model trains the embeddings then
    (tmp_path / f"{NAME}.json").write_text(json.dumps(meta), encoding="utf-8")
    assert TopicModel(tmp_path, threads=1, word_embeddings=table)._shared is None


def test_without_a_table_a_session_keeps_its_own_copy():
    class Options:
        def add_initializer(self, name, value):  # pragma: no cover - must not be called
            raise AssertionError("no table, no initializer")

    assert take_word_embeddings(Options(), f"encoder.{WORD_EMBEDDINGS}", None) is None
