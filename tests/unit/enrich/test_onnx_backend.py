"""The ONNX Runtime backends give the torch path's embeddings (same tokens, pooling, norm)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.enrich import onnx_export
from pipeline.enrich.backends import build_backend

SENTENCES = [
    "The central bank raised interest rates by a quarter point on Thursday.",
    "Striker scores twice as the home side wins the cup final.",
    "Parliament votes to delay the new data protection law.",
    "Scientists find water ice near the moon's south pole.",
]


@pytest.fixture(scope="module")
def encoders(tmp_path_factory):
    from pipeline.enrich.encoder import load_encoder, model_path

    cache = tmp_path_factory.mktemp("models")
    path = model_path()
    from pipeline.enrich.onnx_backend import OnnxBackend

    return {
        "torch": load_encoder(backend=build_backend("torch", path)),
        "onnx-int8": load_encoder(backend=OnnxBackend(path, cache_root=cache)),
        "onnx-fp32": load_encoder(backend=OnnxBackend(path, quantised=False, cache_root=cache)),
    }


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx-int8", "onnx-fp32"])
def test_onnx_embeddings_point_where_the_torch_ones_do(encoders, backend):
    reference = encoders["torch"].encode(SENTENCES)
    vectors = encoders[backend].encode(SENTENCES)
    cosines = (reference * vectors).sum(axis=1)
    assert cosines.min() > 0.99
    # A one-word text has no context to average the quantisation error over: 0.985 seen.
    (short,) = (encoders["torch"].encode(["Short."]) * encoders[backend].encode(["Short."])).sum(1)
    assert short > 0.97
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_onnx_int8_keeps_the_nearest_neighbour_of_each_sentence(encoders):
    queries = ["Rates go up at the central bank", "Cup final won by the home team"]
    for name in ("torch", "onnx-int8"):
        scores = encoders[name].encode(queries) @ encoders[name].encode(SENTENCES).T
        assert list(scores.argmax(axis=1)) == [0, 1]


def test_export_cache_key_changes_with_the_weights(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"weights-a")
    first = onnx_export.model_fingerprint(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"weights-b")
    assert onnx_export.model_fingerprint(tmp_path) != first


def test_export_is_reused_when_cached(tmp_path, monkeypatch):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    cached = onnx_export.cache_dir_for(model, tmp_path / "cache")
    cached.mkdir(parents=True)
    (cached / onnx_export.INT8_FILE).write_bytes(b"onnx")
    monkeypatch.setattr(onnx_export, "_export_fp32", lambda *a: pytest.fail("re-exported"))
    assert onnx_export.export(model, tmp_path / "cache") == cached


def test_unknown_backend_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="onnx-int8"):
        build_backend("tensorrt", tmp_path)


def test_sessions_hold_no_memory_arena_unless_asked():
    # An arena keeps a session's largest working set for good; beside spaCy the chain
    # peaked about 80 MB higher with one (issue 15: worker RSS <= 1 GB).
    from pipeline.enrich.onnx_backend import session_options

    assert session_options(1).enable_cpu_mem_arena is False
    assert session_options(1, arena=True).enable_cpu_mem_arena is True
    assert session_options(1).intra_op_num_threads == 1
