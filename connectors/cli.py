"""The connector commands: `ingest`, `watch`, `connect rss`, `serve-http`.

Registered lazily in `pipeline/cli/main.py` as `connectors.cli:<name>`.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from connectors.formats import ALIASES, FORMATS
from pipeline.observability import logs

if TYPE_CHECKING:
    from connectors.runner import Counts

log = logging.getLogger("connectors.cli")
FORMAT_CHOICES = click.Choice(["auto", *FORMATS, *ALIASES], case_sensitive=False)
RETRY_PAUSE_S = 5.0


def _configure_logs() -> None:
    logs.configure()
    # kafka-python logs every connection step at INFO; its warnings and errors are what matter here
    logging.getLogger("kafka").setLevel(logging.WARNING)


def _producer():  # imported lazily: `--help` must not need Kafka
    from connectors.producer import ArticleProducer

    try:
        return ArticleProducer()
    except Exception as exc:
        raise click.ClickException(
            f"cannot create the Kafka producer: {type(exc).__name__}: {exc}"
        ) from None


def _stop_on_signals(source) -> None:
    def handler(signum: int, frame: object) -> None:
        log.info("stopping", extra={"signal": signum})
        source.stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _metrics(connector: str) -> Callable[[Counts], None]:
    """Serve /metrics and /healthz for this connector; count what Kafka acknowledged."""
    from pipeline.observability.metrics import metrics
    from pipeline.observability.observe import observe_connector

    observe_connector(connector)

    def record(counts: Counts) -> None:
        m = metrics()
        m.articles_produced.labels(connector=connector).inc(counts.sent)
        m.deadletter.labels(stage="connector").inc(counts.deadlettered)

    return record


def _run_forever(source, producer, state) -> None:
    """Run a long-running source; when Kafka fails, pause and resume from the persisted state."""
    from connectors.producer import DeliveryError
    from connectors.runner import run

    _stop_on_signals(source)
    on_delivered = _metrics(source.name)
    while True:
        try:
            run(source, producer, state, on_delivered)
            return
        except DeliveryError as exc:
            log.error("delivery failed; retrying", extra={"error": str(exc)})
            time.sleep(RETRY_PAUSE_S)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=FORMAT_CHOICES,
    default="auto",
    show_default=True,
    help="wire format (default: by extension, else sniffed)",
)
@click.option("--source", default=None, help="source name (default: WIRESTREAM_CONNECTOR_SOURCE)")
def ingest(paths: tuple[Path, ...], fmt: str, source: str | None) -> None:
    """Send the articles in PATHS (files, directories recursively, `-` for stdin) to Kafka."""
    from connectors.files import FileSource
    from connectors.producer import DeliveryError
    from connectors.runner import Counts, deliver, run

    _configure_logs()
    fmt_or_none = None if fmt == "auto" else fmt
    with _producer() as producer:
        try:
            if paths == (Path("-"),):
                from connectors.formats import read_path

                counts = deliver(read_path("-", fmt_or_none, source=source), producer)
            else:
                missing = [str(p) for p in paths if str(p) != "-" and not p.exists()]
                if missing:
                    raise click.ClickException(f"no such file or directory: {', '.join(missing)}")
                counts = run(FileSource(list(paths), fmt_or_none, source), producer)
        except DeliveryError as exc:
            raise click.ClickException(str(exc)) from None
    assert isinstance(counts, Counts)
    click.echo(f"sent: {counts.sent}  dead-lettered: {counts.deadlettered}")
    if counts.sent == 0 and counts.deadlettered:
        sys.exit(1)


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--format", "fmt", type=FORMAT_CHOICES, default="auto", show_default=True)
@click.option("--source", default=None, help="source name (default: WIRESTREAM_CONNECTOR_SOURCE)")
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="state file (default: <state_dir>/connectors/watch-<hash>.json)",
)
@click.option("--interval", type=float, default=None, help="seconds between scans")
@click.option("--once", is_flag=True, help="scan once, send what is new, and exit")
def watch(
    directory: Path,
    fmt: str,
    source: str | None,
    state_path: Path | None,
    interval: float | None,
    once: bool,
) -> None:
    """Watch DIRECTORY (recursively) and send new or changed files; remembers what it sent."""
    from connectors.files import DirectoryWatcher, watch_state_name
    from connectors.settings import ConnectorSettings, WatchSettings
    from connectors.state import StateFile

    _configure_logs()
    settings = ConnectorSettings()
    watch_settings = WatchSettings() if interval is None else WatchSettings(interval_s=interval)
    state = StateFile(state_path or settings.state_dir / watch_state_name(directory))
    watcher = DirectoryWatcher(
        directory, None if fmt == "auto" else fmt, source, settings, watch_settings, once=once
    )
    log.info("watching", extra={"directory": str(directory), "state": str(state.path)})
    with _producer() as producer:
        _run_forever(watcher, producer, state)


@click.group()
def connect() -> None:
    """Poll external sources (RSS/Atom feeds) and send their articles to Kafka."""


@connect.command("rss")
@click.argument("urls", nargs=-1)
@click.option("--interval", type=float, default=None, help="seconds between polls of a feed")
@click.option(
    "--feed-interval",
    "feed_intervals",
    multiple=True,
    metavar="URL=SECONDS",
    help="a feed with its own interval (repeatable; the feed is added)",
)
@click.option("--once", is_flag=True, help="poll every feed once and exit")
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="state file (default: <state_dir>/connectors/rss.json)",
)
def rss(
    urls: tuple[str, ...],
    interval: float | None,
    feed_intervals: tuple[str, ...],
    once: bool,
    state_path: Path | None,
) -> None:
    """Poll the feeds at URLS with conditional GET and send new or changed entries."""
    from connectors.feedfetch import FeedError, check_scheme
    from connectors.rss import RssSource
    from connectors.settings import ConnectorSettings
    from connectors.state import StateFile

    _configure_logs()
    intervals = {}
    for spec in feed_intervals:
        url, _, seconds = spec.rpartition("=")
        try:
            intervals[url] = float(seconds)
        except ValueError:
            raise click.BadParameter(
                f"{spec!r} is not URL=SECONDS", param_hint="--feed-interval"
            ) from None
    if not urls and not intervals:
        raise click.UsageError("give at least one feed URL")
    for url in [*urls, *intervals]:
        try:
            check_scheme(url)
        except FeedError as exc:
            raise click.ClickException(str(exc)) from None
    state = StateFile(state_path or ConnectorSettings().state_dir / "rss.json")
    source = RssSource(list(urls), interval_s=interval, intervals=intervals, once=once)
    log.info("polling feeds", extra={"feeds": len(source.feeds), "state": str(state.path)})
    try:
        with _producer() as producer:
            _run_forever(source, producer, state)
    finally:
        source.close()


@click.command("serve-http")
@click.option("--host", default=None, help="address to bind (default: WIRESTREAM_HTTP_HOST)")
@click.option("--port", type=int, default=None, help="port (default: WIRESTREAM_HTTP_PORT)")
@click.option(
    "--insecure-open",
    is_flag=True,
    help="run without a token: anyone who reaches the port may push (WIRESTREAM_HTTP_OPEN)",
)
def serve_http(host: str | None, port: int | None, insecure_open: bool) -> None:
    """Serve `POST /v1/articles` (ninjs, wire.article.v1, NewsML-G2) and `GET /healthz`."""
    from connectors.http_auth import TokenError, endpoint_authorizer
    from connectors.http_push import serve
    from connectors.settings import HttpPushSettings

    _configure_logs()
    settings = HttpPushSettings()
    host, port = host or settings.host, port or settings.port
    try:
        authorize = endpoint_authorizer(settings, open_=insecure_open)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    auth = bool(settings.token or settings.token_file)
    log.info("serving", extra={"host": host, "port": port, "auth": auth})
    with _producer() as producer:
        serve(host, port, producer, settings, authorize, on_delivered=_metrics("http"))
