"""PyTorch stays out of a serving process on the ONNX path, and comes back when needed.

Blocking is per process, so every test that blocks runs in a child interpreter: this
pytest process imports torch for other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from pipeline.enrich import backends, onnx_export, torch_guard


def _child(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=300,
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_torch_is_needed_by_the_torch_backend_and_by_a_cold_export(monkeypatch):
    monkeypatch.setattr(onnx_export, "is_cached", lambda *a, **k: True)
    assert backends.torch_needed("torch")
    assert not backends.torch_needed("onnx-int8")
    assert not backends.torch_needed("onnx-fp32")
    monkeypatch.setattr(onnx_export, "is_cached", lambda *a, **k: False)
    assert backends.torch_needed("onnx-int8")


def test_torch_kept_out_blocks_only_when_not_needed_and_only_inside(monkeypatch):
    blocks = []
    monkeypatch.setattr(torch_guard, "block_torch", lambda: blocks.append("block") or True)
    monkeypatch.setattr(torch_guard, "allow_torch", lambda: blocks.append("allow"))
    monkeypatch.setattr(backends, "torch_needed", lambda backend: backend == "torch")
    with backends.torch_kept_out("torch") as blocked:
        assert not blocked
    assert blocks == []
    with pytest.raises(RuntimeError), backends.torch_kept_out("onnx-int8") as blocked:
        assert blocked
        assert blocks == ["block"]
        raise RuntimeError("a model failed to load")
    assert blocks == ["block", "allow"]


def test_block_torch_refuses_when_torch_is_already_imported():
    import torch  # noqa: F401  (this process has it: nothing to save)

    assert not torch_guard.block_torch()
    assert sys.modules["torch"] is not None


def test_blocked_thinc_sees_no_torch_and_allow_torch_brings_it_back():
    result = _child(
        """
        import json, sys
        from pipeline.enrich.torch_guard import allow_torch, block_torch
        assert block_torch()
        import thinc.compat
        seen = {"thinc_has_torch": thinc.compat.has_torch, "loaded": sys.modules["torch"] is not None}
        try:
            import torch
            seen["import_failed"] = False
        except ImportError:
            seen["import_failed"] = True
        allow_torch()
        import torch
        seen["after_allow"] = float(torch.ones(2).sum())
        print(json.dumps(seen))
        """
    )
    assert result == {
        "thinc_has_torch": False,
        "loaded": False,
        "import_failed": True,
        "after_allow": 2.0,
    }


@pytest.mark.slow
def test_spacy_parses_the_same_without_torch():
    code = """
        import json, sys
        if {block}:
            from pipeline.enrich.torch_guard import block_torch
            assert block_torch()
        from pipeline.enrich.nlp import load_spacy
        texts = [
            'GENEVA (Wirestream) — Talks resumed on Monday. "We are hopeful," the envoy said.',
            "Apple Inc. shares rose 3% in New York after Tim Cook spoke to analysts in London.",
            "The Bundesbank's president, Joachim Nagel, warned that inflation could return.",
        ]
        nlp = load_spacy()
        parses = [
            [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.ent_iob_)
             for t in doc]
            for doc in nlp.pipe(texts)
        ]
        print(json.dumps({{"torch": sys.modules.get("torch") is not None, "parses": parses}}))
        """
    without = _child(code.format(block=True))
    with_torch = _child(code.format(block=False))
    assert not without["torch"]
    assert without["parses"] == with_torch["parses"]


@pytest.mark.slow
def test_the_onnx_encoder_and_the_torch_backend_both_work_in_a_blocked_process(tmp_path):
    # A warm cache (the tmp one is cold, so the export runs: it must lift the block itself).
    result = _child(
        f"""
        import json, sys
        from pathlib import Path
        from pipeline.enrich.torch_guard import block_torch
        assert block_torch()
        import spacy  # thinc's import, as in a worker, before any model loads
        from pipeline.enrich.encoder import load_encoder, model_path
        from pipeline.enrich.backends import build_backend
        from pipeline.enrich.onnx_backend import OnnxBackend
        onnx = load_encoder(backend=OnnxBackend(model_path(), cache_root=Path({str(tmp_path)!r})))
        exact = load_encoder(backend=build_backend("torch", model_path()))
        texts = ["The central bank raised interest rates.", "Striker scores twice."]
        cos = (onnx.encode(texts) * exact.encode(texts)).sum(axis=1)
        print(json.dumps({{"min_cos": float(cos.min())}}))
        """
    )
    assert result["min_cos"] > 0.99
