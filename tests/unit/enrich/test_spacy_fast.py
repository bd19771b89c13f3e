"""Our attribute ruler and lemmatizer annotate exactly like the model's own components."""

from __future__ import annotations

import numpy
import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

pytestmark = pytest.mark.slow

TEXTS = [
    'US Defense Secretary Jim Mattis said on Monday that the line held. "It held," he said.',
    "We're gonna win, y'all. It ain't over, and I don't know nothin' about it. Let's go.",
    "There are three cats; there's one dog. Gotta run! C'mon, he gets it, she got it.",
    "LONDON (Reuters) -\n\nShares fell 3% to $1.13bn, the firm's worst day since 2004.\n  \n",
    "",
]


@pytest.fixture(scope="module")
def pipelines():
    from pipeline.enrich.nlp import load_spacy

    return load_spacy(fast_components=False), load_spacy()


def test_fast_components_replace_the_models_own(pipelines):
    _, fast = pipelines
    assert "wirestream_attribute_ruler" in fast.pipe_names
    assert "wirestream_lemmatizer" in fast.pipe_names
    assert "attribute_ruler" not in fast.pipe_names and "lemmatizer" not in fast.pipe_names


@pytest.mark.parametrize("text", TEXTS)
def test_same_annotation_as_spacy(pipelines, text):
    spacy_nlp, fast = pipelines
    attrs = [POS, TAG, MORPH, LEMMA, DEP, HEAD]
    for _ in range(2):  # the second time from the caches
        expected, got = spacy_nlp(text), fast(text)
        assert numpy.array_equal(expected.to_array(attrs), got.to_array(attrs))
        assert [t.lemma_ for t in got] == [t.lemma_ for t in expected]
        assert [str(t.morph) for t in got] == [str(t.morph) for t in expected]


def test_unknown_pattern_keeps_spacys_ruler():
    from spacy.lang.en import English

    from pipeline.enrich.spacy_attributes import FastAttributeRuler, UnsupportedPattern

    nlp = English()
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"SHAPE": "Xxxx"}]], {"TAG": "NNP"})
    with pytest.raises(UnsupportedPattern):
        FastAttributeRuler(ruler)


def test_same_annotation_when_the_caches_restart(pipelines, monkeypatch):
    from pipeline.enrich import spacy_attributes, spacy_lemmas

    monkeypatch.setattr(spacy_attributes, "_CACHE_LIMIT", 5)
    monkeypatch.setattr(spacy_lemmas, "_CACHE_LIMIT", 5)
    spacy_nlp, fast = pipelines
    attrs = [POS, TAG, MORPH, LEMMA, DEP, HEAD]
    for text in TEXTS[:3]:
        assert numpy.array_equal(spacy_nlp(text).to_array(attrs), fast(text).to_array(attrs))


@pytest.fixture(scope="module")
def blis_nlp():
    from pipeline.enrich.nlp import load_spacy

    return load_spacy(gemm="blis")


def test_every_layer_multiplies_on_numpy_blas_not_blis(pipelines):
    _, fast = pipelines
    layers = [n for _, p in fast.pipeline if hasattr(p, "model") for n in p.model.walk()]
    assert layers
    assert all(getattr(n.ops, "use_blis", None) is False for n in layers)


@pytest.mark.parametrize("text", TEXTS)
def test_numpy_blas_gives_the_blis_parse_and_entities(pipelines, blis_nlp, text):
    from spacy.attrs import ENT_IOB, ENT_TYPE

    _, fast = pipelines
    attrs = [POS, TAG, DEP, HEAD, ENT_IOB, ENT_TYPE]
    assert numpy.array_equal(blis_nlp(text).to_array(attrs), fast(text).to_array(attrs))
