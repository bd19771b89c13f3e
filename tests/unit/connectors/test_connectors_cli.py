from __future__ import annotations

import pytest
from click.testing import CliRunner

from connectors import cli


@pytest.fixture
def runner(monkeypatch, producer) -> CliRunner:
    monkeypatch.setattr(cli, "_producer", lambda: producer)
    monkeypatch.setattr(cli, "_metrics", lambda name: lambda counts: None)
    monkeypatch.setattr(cli, "_configure_logs", lambda: None)
    return CliRunner()


def test_ingest_prints_what_was_sent_and_dead_lettered(runner, fixtures, fake_client) -> None:
    result = runner.invoke(
        cli.ingest, [str(fixtures / "ninjs"), str(fixtures / "malformed" / "broken.json")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent: 2  dead-lettered: 1"


def test_ingest_fails_when_nothing_could_be_sent(runner, fixtures) -> None:
    result = runner.invoke(cli.ingest, [str(fixtures / "malformed")])
    assert result.exit_code == 1
    assert "sent: 0  dead-lettered: 2" in result.output


def test_ingest_names_missing_paths(runner, tmp_path) -> None:
    result = runner.invoke(cli.ingest, [str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "no such file or directory" in result.output


def test_ingest_reads_stdin_with_a_format(runner, fake_client) -> None:
    result = runner.invoke(
        cli.ingest, ["-", "--format", "txt"], input="LONDON (Wire) - From stdin."
    )
    assert result.exit_code == 0, result.output
    assert fake_client.records("articles")[0]["body"] == "LONDON (Wire) - From stdin."


def test_watch_once_sends_settled_files_and_remembers_them(runner, tmp_path, fake_client) -> None:
    import os
    import time

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.txt").write_text("PARIS (AFP) - Story.")
    past = time.time() - 10
    os.utime(drop / "a.txt", (past, past))
    args = [str(drop), "--once", "--state", str(tmp_path / "state.json")]
    assert runner.invoke(cli.watch, args).exit_code == 0
    assert runner.invoke(cli.watch, args).exit_code == 0
    assert len(fake_client.records("articles")) == 1


def test_rss_refuses_non_http_feeds_and_bad_intervals(runner) -> None:
    assert "only http and https" in runner.invoke(cli.connect, ["rss", "file:///etc/passwd"]).output
    result = runner.invoke(cli.connect, ["rss", "--feed-interval", "https://x.org/feed=soon"])
    assert result.exit_code != 0
    assert "URL=SECONDS" in result.output
    assert "at least one feed" in runner.invoke(cli.connect, ["rss"]).output
