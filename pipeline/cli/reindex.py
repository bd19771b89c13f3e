"""`wirestream reindex`: move the `news` alias to a fresh index built from the current template."""

from __future__ import annotations

import json
from typing import Any

import click
from elasticsearch import Elasticsearch

from pipeline.observability import logs
from pipeline.ops.reindex import ReindexError, plan_reindex
from pipeline.ops.reindex import reindex as run_reindex
from pipeline.settings import ElasticsearchSettings


def _client(settings: ElasticsearchSettings) -> Elasticsearch:
    from pipeline.security.es_client import elasticsearch_client

    return elasticsearch_client(settings)


@click.command()
@click.option(
    "--delete-old/--keep-old",
    default=False,
    show_default=True,
    help="delete the previous index after the swap (keep it to roll back by moving the alias)",
)
@click.option(
    "--catch-up/--no-catch-up",
    default=True,
    show_default=True,
    help="after the swap, copy what the worker wrote to the old index during the copy",
)
@click.option("--batch-size", default=1000, show_default=True, help="documents per scroll batch")
@click.option("--dry-run", is_flag=True, help="print the source and target index and stop")
@click.option("--json", "as_json", is_flag=True, help="print the result as one JSON object")
def reindex(
    delete_old: bool, catch_up: bool, batch_size: int, dry_run: bool, as_json: bool
) -> None:
    """Reindex behind the alias with zero downtime: searches on the alias answer throughout."""
    logs.configure()
    settings = ElasticsearchSettings()
    es = _client(settings)

    def progress(stage: str, info: dict[str, Any]) -> None:
        if not as_json:
            click.echo(f"{stage}: " + ", ".join(f"{k}={v}" for k, v in info.items()), err=True)

    try:
        if dry_run:
            plan = plan_reindex(es, settings)
            click.echo(f"would copy {plan.source} -> {plan.dest} and move alias {plan.alias}")
            return
        result = run_reindex(
            es,
            settings,
            delete_old=delete_old,
            catch_up=catch_up,
            batch_size=batch_size,
            progress=progress,
        )
    except ReindexError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        es.close()
    if as_json:
        click.echo(json.dumps(result.as_dict()))
    else:
        old = "deleted" if result.old_index_deleted else "kept for rollback"
        click.echo(
            f"alias {result.alias}: {result.source} -> {result.dest}; {result.copied} copied, "
            f"{result.caught_up} caught up in {result.took_s:.1f} s; {result.source} {old}"
        )
