"""`wirestream`: one command group; each subcommand lives in its own module, imported when used."""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "stack": "pipeline.cli.stack:stack",
    "worker": "pipeline.cli.worker:worker",
    "ingest": "connectors.cli:ingest",
    "watch": "connectors.cli:watch",
    "connect": "connectors.cli:connect",
    "serve-http": "connectors.cli:serve_http",
    "enrich": "pipeline.cli.enrich:enrich",
    "eval": "pipeline.cli.evaluate:evaluate",
    "search": "pipeline.cli.search:search",
    "tail": "pipeline.cli.tail:tail",
    "topics": "pipeline.cli.topics:topics",
    "deadletter": "pipeline.cli.deadletter:deadletter",
    "kibana": "pipeline.cli.kibana:kibana",
    "reindex": "pipeline.cli.reindex:reindex",
    "models": "pipeline.cli.models:models",
}

# One line each for `wirestream --help`, which must not import the subcommands to describe them.
SUMMARIES: dict[str, str] = {
    "stack": "Run the local Kafka + Elasticsearch (up, down, status, logs).",
    "worker": "Run the enrichment worker (Faust) until SIGTERM.",
    "ingest": "Send wire files (text, ninjs, NewsML-G2, JSON lines) to Kafka.",
    "watch": "Send files dropped into a directory to Kafka.",
    "connect": "Poll RSS/Atom feeds and send new entries to Kafka.",
    "serve-http": "HTTP push endpoint: POST /v1/articles.",
    "enrich": "Enrich files offline and print news.enriched.v1 JSON lines.",
    "eval": "Measure topic, stance and quote quality on a data set.",
    "search": "Search the enriched news (keyword, filters, semantic).",
    "tail": "Follow a topic and print its records.",
    "topics": "Create or list the pipeline's Kafka topics.",
    "deadletter": "List or replay dead-lettered records.",
    "kibana": "Import the Kibana saved objects.",
    "reindex": "Move the alias to a new index version without downtime.",
    "models": "Export the ONNX int8 encoder into the cache (else done at first start).",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs, so `--help` stays fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing names only: describing each would import every subcommand's dependencies.
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES.get(name, "")) for name in sorted(COMMANDS)])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(("pipeline", "connectors")):
                raise click.ClickException(
                    f"`wirestream {name}` is not built yet ({exc.name})"
                ) from exc
            raise click.ClickException(
                f"`wirestream {name}` needs {exc.name!r}; install the extras: pip install -e '.[models]'"
            ) from exc

    def invoke(self, ctx: click.Context) -> object:
        # The last line of defence for secrets in messages: a URL with user:password@, a
        # token quoted by a client library. Every sub-command's error passes through here.
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            from pipeline.security.secrets import redact

            exc.message = redact(exc.message)
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wirestream")
def cli() -> None:
    """Streaming news ingestion and enrichment: Kafka in, Elasticsearch and Kafka out."""
