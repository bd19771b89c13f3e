"""Export the installed MiniLM to ONNX and quantise it to int8, cached by model hash + versions.

`optimum-onnx` would do this, but it pins transformers < 4.58 and we serve 5.x, so the
export is `torch.onnx.export` (TorchScript exporter) followed by ONNX Runtime's BERT graph
fusions and `quantize_dynamic` (int8 weights, activations quantised per batch at run time).
PyTorch is needed only here: a worker whose cache is warm never imports it for the model.

The cache directory name carries a hash of the weights, the recipe and the ONNX Runtime
that fuses, quantises and then serves the file, so a new model or a new ONNX Runtime gets a
new export, never a stale one. The exporting toolchain (torch, transformers, onnx) is not in
the name but in the directory's `export.json`: a serving install has none of it and must
still find the export made at image build time (the `serve` extra, issue 8).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

EXPORT_VERSION = "3"
"""Bump when the export recipe below changes (opset, fusions, quantisation settings)."""
OPSET = 17
INT8_FILE = "model.int8.onnx"
FP32_FILE = "model.fp32.onnx"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def model_fingerprint(model_dir: Path) -> str:
    """sha256 of the model's weights and config, the export recipe and ONNX Runtime's version."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode())
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
    digest.update(f"onnxruntime={_version('onnxruntime')}".encode())
    digest.update(f"export={EXPORT_VERSION},opset={OPSET}".encode())
    return digest.hexdigest()[:16]


def default_cache_root() -> Path:
    """WIRESTREAM_ENRICH_MODEL_CACHE_DIR (an image's baked export), else <cache dir>/models."""
    from pipeline.settings import EnrichSettings, StackSettings

    return EnrichSettings().model_cache_dir or StackSettings().cache_dir / "models"


def cache_dir_for(model_dir: Path, cache_root: Path | None = None) -> Path:
    return (cache_root or default_cache_root()) / f"all-minilm-l6-v2-{model_fingerprint(model_dir)}"


def is_cached(model_dir: Path, cache_root: Path | None = None) -> bool:
    """Whether `export` would find its files without exporting (so without PyTorch)."""
    return (cache_dir_for(model_dir, cache_root) / INT8_FILE).is_file()


def _export_fp32(model_dir: Path, target: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    # Eager attention: transformers' default (SDPA) exports as a graph ORT's attention
    # fusion does not recognise (torch 2.15 / onnxruntime 1.32); fused, the encoder takes
    # 0.87x the time per article of the unfused graph.
    model = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    )
    model.eval()

    class _Hidden(torch.nn.Module):
        # token_type_ids are all zero for this model; leaving them out keeps the graph's
        # inputs to what the serving code has.
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state

    ids = torch.ones((2, 16), dtype=torch.int64)
    axes = {0: "batch", 1: "seq"}
    with torch.inference_mode():
        torch.onnx.export(
            _Hidden(model),
            (ids, torch.ones_like(ids)),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            dynamo=False,
        )


def _fuse(source: Path, target: Path) -> None:
    """ORT's BERT fusions (attention, layer norm, GELU): fewer, bigger kernels on CPU."""
    from onnxruntime.transformers.optimizer import optimize_model

    fused = optimize_model(str(source), model_type="bert", num_heads=12, hidden_size=384)
    fused.save_model_to_file(str(target))


def _quantise(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # MatMul weights only, per output channel: per-tensor int8 (or quantising the fused
    # attention and the embedding lookup too) moved embeddings to cosine 0.95 of fp32;
    # this recipe keeps 0.99+ and most of the speed. The fused ops (com.microsoft domain)
    # defeat ONNX shape inference; every tensor the quantiser cannot type is float32.
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


class ExportUnavailable(RuntimeError):
    """The export is not cached and this install cannot make it (no PyTorch)."""


def _exporter_missing() -> list[str]:
    missing = []
    for module in ("torch", "transformers", "onnx"):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # ValueError: None in sys.modules, i.e. blocked
            found = False
        if not found:
            missing.append(module)
    return missing


def export(model_dir: Path, cache_root: Path | None = None, force: bool = False) -> Path:
    """The cache directory holding `model.fp32.onnx` and `model.int8.onnx` (exported if missing)."""
    final = cache_dir_for(model_dir, cache_root)
    if (final / INT8_FILE).is_file() and not force:
        return final
    # The cache can vanish under a worker that started without PyTorch (torch_guard).
    from pipeline.enrich.torch_guard import allow_torch

    allow_torch()
    missing = _exporter_missing()
    if missing:
        raise ExportUnavailable(
            f"the ONNX export of the encoder is not in {final} and this install cannot make it "
            f"(no {', '.join(missing)}: the serving install leaves them out). Export it where "
            "the `export` extra is installed (`wirestream models export`) and copy the "
            "directory there, or point WIRESTREAM_ENRICH_MODEL_CACHE_DIR at a directory "
            "that holds it; or install wirestream[export] here"
        )
    started = time.perf_counter()
    final.parent.mkdir(parents=True, exist_ok=True)
    # Built in a scratch directory and renamed into place, so two workers starting at once
    # never read a half-written file.
    with tempfile.TemporaryDirectory(dir=final.parent, prefix=".export-") as scratch:
        work = Path(scratch)
        _export_fp32(model_dir, work / "raw.onnx")
        _fuse(work / "raw.onnx", work / FP32_FILE)
        _quantise(work / FP32_FILE, work / INT8_FILE)
        (work / "raw.onnx").unlink()
        for extra in work.glob("raw.onnx*"):
            extra.unlink()
        provenance = _provenance(model_dir, final)
        (work / "export.json").write_text(json.dumps(provenance, indent=2) + "\n")
        if final.exists():
            shutil.rmtree(final)
        try:
            work.rename(final)
        except OSError:
            if not (final / INT8_FILE).is_file():
                raise
        else:
            # rename moved the scratch dir; recreate it so TemporaryDirectory can clean up.
            work.mkdir()
    log.info(
        "onnx export done",
        extra={"dir": str(final), "took_ms": round((time.perf_counter() - started) * 1000)},
    )
    return final


def _provenance(model_dir: Path, final: Path) -> dict[str, object]:
    """What made the export: kept beside it, since only part of it is in the directory name."""
    return {
        "model": model_dir.name,
        "directory": final.name,  # carries the fingerprint: the weights are not hashed again
        "export_version": EXPORT_VERSION,
        "opset": OPSET,
        "exported_with": {d: _version(d) for d in ("torch", "transformers", "onnx", "onnxruntime")},
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
