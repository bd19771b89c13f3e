"""`wirestream stack up|down|status|logs`: the local Kafka and Elasticsearch."""

from __future__ import annotations

import sys
import time

import click

from pipeline.settings import StackSettings
from pipeline.stack import lifecycle
from pipeline.stack.component import tail
from pipeline.stack.fetch import MavenMissing
from pipeline.stack.java import JavaNotFound


def _say(line: str) -> None:
    click.echo(line, err=False)
    sys.stdout.flush()


def _print_status(statuses: list[lifecycle.Status]) -> None:
    for s in statuses:
        state = "healthy" if s.healthy else "NOT healthy"
        where = "external" if s.external else f"pid {s.pid or '-'}"
        click.echo(
            f"{s.name:<14} {state:<12} {where:<12} {s.address:<24} "
            f"version {s.version or '?':<8} {s.detail}"
        )


@click.group()
def stack() -> None:
    """The local Kafka (KRaft, 127.0.0.1:9092) and Elasticsearch (127.0.0.1:9200)."""


@stack.command()
def up() -> None:
    """Fetch (once) and start Kafka and Elasticsearch; wait until both are healthy."""
    started = time.monotonic()
    try:
        statuses = lifecycle.up(progress=_say)
    except (lifecycle.StackError, JavaNotFound, MavenMissing) as exc:
        raise click.ClickException(str(exc)) from exc
    _print_status(statuses)
    click.echo(f"stack up in {time.monotonic() - started:.1f} s")
    if not all(s.healthy for s in statuses):
        raise SystemExit(1)


@stack.command()
def down() -> None:
    """Stop Kafka and Elasticsearch (SIGTERM, then SIGKILL) with every child process."""
    lifecycle.down(progress=_say)


@stack.command()
def status() -> None:
    """Health, pid, address and version of each server; exit 1 unless all are healthy."""
    statuses = lifecycle.status()
    _print_status(statuses)
    if not all(s.healthy for s in statuses):
        raise SystemExit(1)


@stack.command()
@click.argument("component", required=False, type=click.Choice(["kafka", "elasticsearch"]))
@click.option("-n", "--lines", default=40, show_default=True, help="lines per log")
def logs(component: str | None, lines: int) -> None:
    """The last lines of the servers' logs (both, or one)."""
    for comp in lifecycle.components(StackSettings()):
        if component and comp.name != component:
            continue
        for path in (comp.console_log, comp.main_log):
            click.echo(f"==> {path} <==")
            for line in tail(path, lines):
                click.echo(line)
