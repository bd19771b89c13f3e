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


def _results(paths: Iterable[str], fmt: str | None) -> Iterator[tuple[str, Any]]:
    from connectors import formats

    for path in paths:
        if path == "-":
            for result in formats.read_stream(sys.stdin.buffer, fmt):
                yield "<stdin>", result
        else:
            for result in formats.read_path(path):
                yield path, result


def parse_error(result: Any) -> str | None:
    """The reason a parse result is not an article, or None when it is one."""
    if isinstance(result, dict):
        return None
    for attr in ("reason", "message", "error"):
        value = getattr(result, attr, None)
        if value:
            return str(value)
    return str(result) or result.__class__.__name__


def article_of(result: Any) -> dict[str, Any] | None:
    if isinstance(result, dict):
        return result
    value = getattr(result, "article", None)
    return value if isinstance(value, dict) else None


def _err(payload: dict[str, Any]) -> None:
    sys.stderr.buffer.write(orjson.dumps(payload) + b"\n")
    sys.stderr.flush()


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--target", "targets", multiple=True, help="stance target (repeatable)")
@click.option("--enrichers", default=None, help="comma-separated chain (default: the full chain)")
@click.option("--format", "fmt", default=None, help="input format of stdin (default: detected)")
def enrich(
    paths: tuple[str, ...], targets: tuple[str, ...], enrichers: str | None, fmt: str | None
) -> None:
    """Enrich wire files and print news.enriched.v1 JSON lines (`-` reads stdin)."""
    from pipeline.enrich.runner import EnrichmentRunner
    from pipeline.settings import EnrichSettings

    try:
        runner = EnrichmentRunner.from_names(_chain(enrichers))
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc

    failed = 0
    articles: list[dict[str, Any]] = []
    for path, result in _results(paths, fmt):
        article = article_of(result)
        if article is None:
            failed += 1
            _err({"path": path, "stage": "parse", "error_message": parse_error(result)})
            continue
        if targets:
            article["targets"] = list(dict.fromkeys([*(article.get("targets") or []), *targets]))
        articles.append(article)

    batch_size = EnrichSettings().batch_size
    out = sys.stdout.buffer
    for start in range(0, len(articles), batch_size):
        oks, errs = runner.run(articles[start : start + batch_size])
        for record in oks:
            out.write(orjson.dumps(record) + b"\n")
        out.flush()
        for failure in errs:
            failed += 1
            _err(failure.as_json())
    sys.exit(1 if failed else 0)
