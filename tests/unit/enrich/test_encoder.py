import numpy as np
import pytest
from model_helpers import real_resources

from pipeline.enrich.encoder import DIM, length_batches, mean_pool_normalise


def test_length_batches_cover_every_index_once_and_keep_the_token_budget():
    lengths = [5, 300, 12, 12, 80, 7, 256, 33] * 10
    batches = length_batches(lengths, token_budget=1024, max_batch=16)
    flat = sorted(i for batch in batches for i in batch)
    assert flat == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 16
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 1024


def test_length_batches_group_texts_of_similar_length():
    lengths = [10, 200, 11, 201]
    batches = length_batches(lengths, token_budget=500, max_batch=2)
    assert sorted(map(sorted, batches)) == [[0, 2], [1, 3]]


def test_mean_pooling_ignores_padding_and_normalises():
    tokens = np.array([[[1.0, 0.0], [3.0, 0.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    pooled = mean_pool_normalise(tokens, mask)
    assert np.allclose(pooled, [[1.0, 0.0]])


@pytest.mark.slow
def test_encoding_in_a_batch_equals_encoding_alone():
    """Padding a text to its batch's length must not change its embedding (exact backend)."""
    from pipeline.enrich.encoder import load_encoder

    encoder = load_encoder()  # PyTorch fp32: deterministic up to float rounding
    texts = ["Short one.", "A much longer sentence about interest rates and the economy " * 5]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert together.shape == (2, DIM)
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_the_serving_backend_barely_depends_on_the_batch():
    """Dynamic int8 quantisation scales activations per batch, so batch-mates move a text a
    little; never enough to change what it is close to."""
    from pipeline.enrich.encoder import shared_encoder

    encoder = shared_encoder(real_resources())
    texts = ["Short one.", "A much longer sentence about interest rates and the economy " * 5]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert (together * alone).sum(axis=1).min() > 0.98  # measured: 0.986 for "Short one."
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_similar_sentences_are_closer_than_unrelated_ones():
    from pipeline.enrich.encoder import shared_encoder

    v = shared_encoder(real_resources()).encode(
        [
            "The striker scored twice in the cup final.",
            "Two goals in the final from the forward.",
            "The central bank raised interest rates.",
        ]
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
