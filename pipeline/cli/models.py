"""`wirestream models export`: build the ONNX int8 encoder cache now (otherwise: first start)."""

from __future__ import annotations

import click


@click.group()
def models() -> None:
    """The serving models' caches."""


@models.command("export")
@click.option("--force", is_flag=True, help="export again even if the cache is warm")
def export(force: bool) -> None:
    """Export MiniLM to ONNX (fp32 + int8) under the cache dir; offline, from the installed model."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.enrich.minilm import model_path
    from pipeline.enrich.onnx_export import export as run_export

    click.echo(str(run_export(model_path(), force=force)))
