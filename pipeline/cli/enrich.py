"""`wirestream enrich PATH...`: the worker's enrichment on files, without Kafka or Elasticsearch.

stdout: one `news.enriched.v1` JSON object per line. stderr: one JSON object per failure.
Exit code 0 when every article was enriched, 1 when any failed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

import click
import orjson


def _chain(option: str | None) -> list[str]:
    from pipeline.enrich.registry import DEFAULT_CHAIN
    from pipeline.settings import EnrichSettings

    text = option if option is not None else EnrichSettings().chain
    names = [name.strip() for name in text.split(",") if name.strip()]
    return names or list(DEFAULT_CHAIN)


def _results(paths: Iterable[str], fmt: str | None) -> Iterator[Any]:
    from connectors import formats

    for path in paths:
        # `-` is stdin (read_path hands it to read_stream).
        yield from formats.read_path(path, fmt)


def _err(payload: dict[str, Any]) -> None:
    sys.stderr.buffer.write(orjson.dumps(payload) + b"\n")
    sys.stderr.flush()


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--target",
    "targets",
    multiple=True,
    help="stance target (repeatable); 'short:Brexit' for a name, policy or topic,"
    " 'claim:...' for a claim, else the kind is detected",
)
@click.option("--enrichers", default=None, help="comma-separated chain (default: the full chain)")
@click.option(
    "--format",
    "fmt",
    default=None,
    help="plaintext, json, newsml-g2, jsonl, html (default: detected)",
)
def enrich(
    paths: tuple[str, ...], targets: tuple[str, ...], enrichers: str | None, fmt: str | None
) -> None:
    """Enrich wire files and print news.enriched.v1 JSON lines (`-` reads stdin)."""
    from pipeline.enrich.backends import torch_kept_out
    from pipeline.enrich.runner import EnrichmentRunner
    from pipeline.settings import EnrichSettings

    # spaCy's import would pull in PyTorch (~1 GB) that the ONNX encoder never calls.
    try:
        with torch_kept_out(EnrichSettings().backend):
            runner = EnrichmentRunner.from_names(_chain(enrichers))
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc

    out = sys.stdout.buffer
    failed = 0

    def flush(batch: list[dict[str, Any]]) -> int:
        oks, errs = runner.run(batch)
        for record in oks:
            out.write(orjson.dumps(record) + b"\n")
        out.flush()
        for failure in errs:
            _err(failure.as_json())
        batch.clear()
        return len(errs)

    # Streamed in batches: a large JSON-lines input never sits in memory whole.
    batch_size = EnrichSettings().batch_size
    batch: list[dict[str, Any]] = []
    for result in _results(paths, fmt):
        article = result.article
        if article is None:
            failed += 1
            _err(
                {
                    "origin": result.origin,
                    "stage": "parse",
                    "error_class": type(result.error).__name__,
                    "error_message": str(result.error),
                }
            )
            continue
        if targets:
            article["targets"] = list(dict.fromkeys([*(article.get("targets") or []), *targets]))
        batch.append(article)
        if len(batch) >= batch_size:
            failed += flush(batch)
    if batch:
        failed += flush(batch)
    sys.exit(1 if failed else 0)
