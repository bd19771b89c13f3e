"""`stack up`/`down` run as root must not trust files the Elasticsearch account can write.

Reproduced before: the pid file, the console log and the rendered config lived in the directory
handed to the unprivileged `wirestream` user. A planted pid record `{"pid":1,"pgid":1}` made
`stack down` call `killpg(1, SIGTERM)`; a `console.log` symlinked to a root-owned file made root
append the server's output to it; symlinked config files were overwritten. Everything here runs
on temp dirs and stand-in processes; `os.killpg` is intercepted, no real signal is sent.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from test_stack_lifecycle import FakeServer

from pipeline.settings import ElasticsearchSettings, StackSettings
from pipeline.stack import elasticsearch as es_module
from pipeline.stack import fetch, java, lifecycle, process, unprivileged
from pipeline.stack.elasticsearch import ElasticsearchServer
from pipeline.stack.java import Jdk

PLANTED = {"pid": 1, "pgid": 1, "started_at": 0.0, "marker": ""}


@pytest.fixture
def killpg_calls(monkeypatch) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []

    def fake_killpg(pgid: int, sig: int) -> None:
        calls.append((pgid, sig))
        raise ProcessLookupError  # as if the group were gone: nothing is signalled

    monkeypatch.setattr(process.os, "killpg", fake_killpg)
    return calls


@pytest.fixture
def server(tmp_path, monkeypatch) -> FakeServer:
    fake = FakeServer(tmp_path, "elasticsearch")
    monkeypatch.setattr(lifecycle, "components", lambda stack=None: [fake])
    return fake


def _plant(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def test_a_planted_pid_record_for_pid_1_is_never_signalled(server, tmp_path, killpg_calls):
    # Wherever the server's own account could put it: its home, and where root keeps pids.
    for path in {server.pid_path, server.home / f"{server.name}.pid"}:
        _plant(path, PLANTED)
    settings = StackSettings(state_dir=tmp_path, cache_dir=tmp_path, stop_timeout_s=1)
    lifecycle.down(settings, progress=lambda _: None)
    assert (1, signal.SIGTERM) not in killpg_calls and killpg_calls == []


def test_a_record_naming_another_marker_or_group_is_not_alive(server):
    assert not process.is_alive(process.PidFile(**PLANTED), marker=server.marker)
    own = process.PidFile(os.getpid(), os.getpgrp(), time.time(), server.marker)
    assert not process.is_alive(own, marker=server.marker)


def test_stop_refuses_a_record_that_is_not_a_started_server(killpg_calls):
    for record in (
        process.PidFile(1, 1, 0.0, "x"),
        process.PidFile(os.getpid(), os.getpgrp(), 0.0, "x"),
        process.PidFile(12345, 1, 0.0, "x"),
    ):
        with pytest.raises(ValueError):
            process.stop(record, timeout_s=1)
    assert killpg_calls == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand a file to another user")
def test_a_pid_file_owned_by_another_user_is_not_trusted(server):
    record = process.PidFile(os.getpid(), os.getpid(), time.time(), server.marker)
    record.write(server.pid_path)
    os.chown(server.pid_path, 65534, 65534)
    assert process.PidFile.read(server.pid_path) is None


def test_root_does_not_append_to_a_symlinked_console_log(server, tmp_path):
    victim = tmp_path / "authorized_keys"
    victim.write_text("ssh-ed25519 AAAA root@host\n")
    for link in {server.console_log, server.home / "logs" / "console.log"}:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim)
    launch = server.prepare(lambda _: None)
    started = None
    try:
        started = process.start(
            launch.cmd, pid_path=server.pid_path, log_path=server.console_log,
            marker=server.marker, env=launch.env, cwd=launch.cwd,
        )  # fmt: skip
    except (OSError, RuntimeError):
        pass
    finally:
        if started is not None:
            os.killpg(started.pgid, signal.SIGKILL)
    time.sleep(0.5)
    assert victim.read_text() == "ssh-ed25519 AAAA root@host\n"


def test_the_pid_file_and_console_log_are_outside_the_servers_home(server):
    assert server.home not in server.pid_path.parents
    assert server.home not in server.console_log.parents


@pytest.fixture
def es_server(tmp_path, monkeypatch) -> ElasticsearchServer:
    distribution = tmp_path / "dist"
    (distribution / "config").mkdir(parents=True)
    (distribution / "config" / "jvm.options").write_text("-Xss1m\n")
    (distribution / "config" / "log4j2.properties").write_text("status = error\n")
    (distribution / "config" / "elasticsearch.yml").write_text("# distribution default\n")
    monkeypatch.setattr(fetch, "es_home_dir", lambda cache, version: distribution)
    monkeypatch.setattr(java, "elasticsearch_jdk", lambda explicit: Jdk(tmp_path, 21, "test"))
    monkeypatch.setattr(java, "jdk_modules", lambda home: None)
    monkeypatch.setattr(unprivileged, "running_as_root", lambda: False)
    stack = StackSettings(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache")
    assert es_module.fetch is fetch
    return ElasticsearchServer(stack, ElasticsearchSettings())


def test_prepare_never_writes_through_symlinks_in_the_servers_home(es_server, tmp_path):
    es_server.prepare(lambda _: None)  # a first start: the home exists, owned by the server
    victims = {}
    for name in ("elasticsearch.yml", "jvm.options", "log4j2.properties", ".version"):
        victim = tmp_path / f"victim-{name}"
        victim.write_text("root's file\n")
        target = es_server.config_dir / name
        target.unlink()
        target.symlink_to(victim)
        victims[name] = victim
    options_dir = es_server.config_dir / "jvm.options.d"
    victim_dir = tmp_path / "victim-dir"
    victim_dir.mkdir()
    (victim_dir / "wirestream.options").write_text("root's file\n")
    for child in options_dir.iterdir():
        child.unlink()
    options_dir.rmdir()
    options_dir.symlink_to(victim_dir, target_is_directory=True)

    with contextlib.suppress(OSError, RuntimeError):
        es_server.prepare(lambda _: None)  # refusing is fine; writing through a link is not
    for victim in [*victims.values(), victim_dir / "wirestream.options"]:
        assert victim.read_text() == "root's file\n", victim
