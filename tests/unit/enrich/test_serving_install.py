"""A serving install has no PyTorch, transformers or onnx (the `serve` extra, issue 8): the
full chain runs from a warm ONNX export, and a cold one is a clear error, not a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from pipeline.enrich import onnx_export
from pipeline.enrich.minilm import model_path

REPO = Path(__file__).resolve().parents[3]
EXPORTER = ("torch", "transformers", "onnx", "sklearn")


def _extras() -> dict[str, list[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return project["optional-dependencies"]


def _names(requirements: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requirements}


def test_the_serve_extra_leaves_out_the_exporter_and_models_is_both():
    extras = _extras()
    assert not _names(extras["serve"]) & {"torch", "transformers", "onnx", "scikit-learn"}
    assert {"torch", "transformers", "onnx"} <= _names(extras["export"])
    assert extras["models"] == ["wirestream[serve,export]"]


def test_the_default_chain_enriches_with_the_exporter_not_importable(tmp_path):
    onnx_export.export(model_path())  # warm the cache, as the image's export stage does
    sample = (REPO / "samples" / "wikinews" / "articles.jsonl").read_text().splitlines()[:2]
    (tmp_path / "in.jsonl").write_text("\n".join(sample) + "\n")
    # Every exporter module is None in sys.modules for the whole run: importing any of them
    # raises, as it would in a venv without them.
    code = textwrap.dedent(
        f"""
        import sys
        for name in {EXPORTER!r}:
            sys.modules[name] = None
        from pipeline.cli.main import cli
        sys.argv = ["wirestream", "enrich", {str(tmp_path / "in.jsonl")!r}]
        cli()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2
    for record in records:
        assert len(record["embedding"]) == 384
        assert record["topics"] and record["entities"]
    # entity sentiment (ONNX Runtime only) is in the chain too
    assert any("sentiment" in e for r in records for e in r["entities"])


def test_a_cold_export_without_pytorch_names_the_way_out(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_export, "_exporter_missing", lambda: ["torch", "onnx"])
    with pytest.raises(onnx_export.ExportUnavailable) as caught:
        onnx_export.export(model_path(), cache_root=tmp_path)
    message = str(caught.value)
    assert "no torch, onnx" in message
    assert "wirestream models export" in message and "WIRESTREAM_ENRICH_MODEL_CACHE_DIR" in message
    assert not list(tmp_path.iterdir())


def test_the_export_is_found_by_a_setting_and_keyed_without_the_exporter_versions(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("WIRESTREAM_ENRICH_MODEL_CACHE_DIR", str(tmp_path))
    assert onnx_export.default_cache_root() == tmp_path
    before = onnx_export.model_fingerprint(model_path())
    real = onnx_export._version
    monkeypatch.setattr(
        onnx_export, "_version", lambda d: "none" if d != "onnxruntime" else real(d)
    )
    assert onnx_export.model_fingerprint(model_path()) == before
    monkeypatch.setattr(onnx_export, "_version", lambda d: "0.0.1")
    assert onnx_export.model_fingerprint(model_path()) != before
