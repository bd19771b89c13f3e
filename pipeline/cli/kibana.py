"""`wirestream kibana import`: load the data views, saved searches and dashboard into Kibana."""

from __future__ import annotations

from pathlib import Path

import click
import httpx

from pipeline.observability import logs
from pipeline.ops.kibana import KibanaImportError, KibanaSettings, import_saved_objects, redact


@click.group()
def kibana() -> None:
    """Kibana saved objects for searching the enriched news."""


@kibana.command("import")
@click.option("--url", help="Kibana base URL [default: WIRESTREAM_KIBANA_URL or local]")
@click.option("--space", help="Kibana space id [default: WIRESTREAM_KIBANA_SPACE or default]")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="NDJSON export to import [default: the shipped wirestream.ndjson]",
)
@click.option(
    "--wait",
    "wait_s",
    type=float,
    default=0.0,
    show_default=True,
    help="seconds to wait for Kibana to become available first",
)
def import_(url: str | None, space: str | None, path: Path | None, wait_s: float) -> None:
    """Import (overwrite) the saved objects. Credentials: WIRESTREAM_KIBANA_USERNAME/_PASSWORD
    or WIRESTREAM_KIBANA_API_KEY."""
    logs.configure()
    overrides = {k: v for k, v in {"url": url, "space": space}.items() if v is not None}
    settings = KibanaSettings(**overrides)
    try:
        result = import_saved_objects(settings, path, wait_s=wait_s)
    except KibanaImportError as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, httpx.HTTPError) as exc:
        raise click.ClickException(f"cannot reach Kibana at {redact(settings.url)}: {exc}") from exc
    click.echo(f"imported {result.success_count} saved objects into {redact(settings.url)}")
