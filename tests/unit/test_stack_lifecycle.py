"""`stack up/down/status` decisions, on stand-in servers that are plain shell processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.settings import StackSettings
from pipeline.stack import lifecycle, process
from pipeline.stack.component import Component, Launch, tail
from pipeline.stack.health import Health


class FakeServer(Component):
    """Healthy once its process said "ready" and while it runs (or as told)."""

    def __init__(self, root: Path, name: str, script: str = "echo ready; sleep 60; exit 0") -> None:
        self.name = name
        super().__init__(root, root / "cache", "1.0", f"127.0.0.1:{1 + len(name)}")
        self.script = script
        self.external = False
        self.healthy_override: bool | None = None
        self.fetched = 0

    @property
    def main_log(self) -> Path:
        return self.home / "logs" / "main.log"

    def is_external(self) -> bool:
        return self.external

    def fetch(self, progress) -> None:
        self.fetched += 1

    def prepare(self, progress) -> Launch:
        return Launch(["bash", "-c", self.script, str(self.home)], dict(os.environ), self.state_dir)

    def health(self, timeout_s: float = 5.0) -> Health:
        if self.healthy_override is not None:
            return Health(self.healthy_override, "as told", "1.0")
        record = process.PidFile.read(self.pid_path)
        running = record is not None and process.is_alive(record)
        ready = running and "ready" in "".join(tail(self.console_log, 5))
        return Health(ready, "ready" if ready else "down", "1.0")


@pytest.fixture
def servers(tmp_path, monkeypatch):
    fakes = [FakeServer(tmp_path, "alpha"), FakeServer(tmp_path, "beta")]
    monkeypatch.setattr(lifecycle, "components", lambda stack=None: fakes)
    yield fakes
    lifecycle.down(StackSettings(state_dir=tmp_path, cache_dir=tmp_path), progress=lambda _: None)


@pytest.fixture
def settings(tmp_path):
    return StackSettings(
        state_dir=tmp_path, cache_dir=tmp_path, start_timeout_s=10, stop_timeout_s=5
    )


def pids(servers):
    return {s.name: process.PidFile.read(s.pid_path).pid for s in servers}


def test_up_starts_every_server_and_reports_them_healthy(servers, settings):
    statuses = lifecycle.up(settings, progress=lambda _: None)

    assert [(s.name, s.healthy) for s in statuses] == [("alpha", True), ("beta", True)]
    assert all(s.pid for s in statuses)


def test_second_up_leaves_healthy_servers_alone(servers, settings):
    lifecycle.up(settings, progress=lambda _: None)
    before = pids(servers)
    lines: list[str] = []

    lifecycle.up(settings, progress=lines.append)

    assert pids(servers) == before
    assert sum("already running" in line for line in lines) == 2


def test_up_cleans_a_dead_pid_file_and_restarts_that_server(servers, settings):
    lifecycle.up(settings, progress=lambda _: None)
    before = pids(servers)
    process.stop(process.PidFile.read(servers[0].pid_path), timeout_s=5)
    lines: list[str] = []

    lifecycle.up(settings, progress=lines.append)

    after = pids(servers)
    assert after["alpha"] != before["alpha"] and after["beta"] == before["beta"]
    assert any("is gone" in line for line in lines)


def test_down_stops_everything_and_removes_pid_files(servers, settings):
    lifecycle.up(settings, progress=lambda _: None)
    records = [process.PidFile.read(s.pid_path) for s in servers]

    lifecycle.down(settings, progress=lambda _: None)

    assert all(not process.group_members(r.pgid) for r in records)
    assert not any(s.pid_path.exists() for s in servers)


def test_down_can_stop_only_the_named_servers(servers, settings):
    lifecycle.up(settings, progress=lambda _: None)

    lifecycle.down(settings, progress=lambda _: None, only={"beta"})

    assert [s.healthy for s in lifecycle.status(settings)] == [True, False]


def test_a_server_that_exits_while_starting_fails_up_with_its_log(servers, settings):
    servers[1].script = "sleep 0.5; echo 'boom: bad config' >&2; exit 3"

    with pytest.raises(lifecycle.StackError) as error:
        lifecycle.up(settings, progress=lambda _: None)

    assert "beta" in str(error.value) and "boom: bad config" in str(error.value)


def test_an_unhealthy_external_server_fails_up_without_starting_anything(servers, settings):
    servers[0].external = True
    servers[0].healthy_override = False

    with pytest.raises(lifecycle.StackError, match="external"):
        lifecycle.up(settings, progress=lambda _: None)

    assert servers[0].fetched == 0 and not servers[0].pid_path.exists()


def test_a_healthy_external_server_is_only_checked(servers, settings):
    servers[0].external = True
    servers[0].healthy_override = True

    statuses = lifecycle.up(settings, progress=lambda _: None)

    assert statuses[0].external and statuses[0].healthy and statuses[0].pid is None
    assert servers[0].fetched == 0


def test_tail_returns_the_last_lines(tmp_path):
    path = tmp_path / "log"
    path.write_text("".join(f"line {n}\n" for n in range(1000)))

    assert tail(path, 3) == ["line 997", "line 998", "line 999"]
    assert tail(tmp_path / "missing", 3) == []


def test_a_long_running_server_that_stays_unhealthy_is_restarted(servers, settings, monkeypatch):
    monkeypatch.setattr(lifecycle, "UNHEALTHY_GRACE_S", 0.1)
    lifecycle.up(settings, progress=lambda _: None)
    old = process.PidFile.read(servers[0].pid_path)
    process.PidFile(old.pid, old.pgid, old.started_at - 3600, old.marker).write(servers[0].pid_path)
    servers[0].script = "echo ready; sleep 60; exit 0"
    hung = {"yes": True}
    original = FakeServer.health

    def health(self, timeout_s=5.0):
        if (
            self is servers[0]
            and hung["yes"]
            and process.PidFile.read(self.pid_path).pid == old.pid
        ):
            return Health(False, "hung", "1.0")
        return original(self, timeout_s)

    monkeypatch.setattr(FakeServer, "health", health)

    lifecycle.up(settings, progress=lambda _: None)

    assert process.PidFile.read(servers[0].pid_path).pid != old.pid
    assert not process.group_members(old.pgid)
