"""CLI errors name the Elasticsearch URL without the password an operator put into it."""

from __future__ import annotations

import socket

import click
import pytest
from click.testing import CliRunner

from pipeline.cli.main import COMMANDS, cli
from pipeline.settings import ElasticsearchSettings

PASSWORD = "pw-9f3c2a7e51"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def es_url_with_password(monkeypatch) -> str:
    url = f"http://elastic:{PASSWORD}@127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("WIRESTREAM_ES_URL", url)
    return url


def test_search_error_does_not_print_the_password(es_url_with_password) -> None:
    result = CliRunner().invoke(cli, ["search", "anything"])
    assert result.exit_code != 0
    assert "cannot reach Elasticsearch" in result.output
    assert PASSWORD not in result.output
    assert "127.0.0.1" in result.output  # still says where


def test_worker_index_setup_error_does_not_print_the_password(es_url_with_password) -> None:
    from pipeline.cli.worker import _ensure_index_when_reachable

    with pytest.raises(click.ClickException) as caught:
        _ensure_index_when_reachable(ElasticsearchSettings(), startup_timeout_s=0)
    assert "cannot set up the index" in caught.value.message
    assert PASSWORD not in caught.value.message


@click.command()
def _boom() -> None:
    raise click.ClickException(f"failed at https://u:{PASSWORD}@es.example:9200/x")


def test_any_cli_error_is_redacted_on_its_way_out(monkeypatch) -> None:
    monkeypatch.setitem(COMMANDS, "boom-for-test", f"{__name__}:_boom")
    result = CliRunner().invoke(cli, ["boom-for-test"])
    assert result.exit_code == 1 and "es.example" in result.output
    assert PASSWORD not in result.output
