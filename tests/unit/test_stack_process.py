"""Background processes: pid files, liveness that survives pid reuse, stopping whole groups."""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import threading
import time

import pytest

from pipeline.stack import process


def start_sleeper(tmp_path, script: str) -> process.PidFile:
    marker = str(tmp_path)
    return process.start(
        ["bash", "-c", script, marker],
        pid_path=tmp_path / "x.pid",
        log_path=tmp_path / "logs" / "console.log",
        marker=marker,
        env=dict(os.environ),
        cwd=tmp_path,
    )


def wait_for(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_pid_file_round_trips(tmp_path):
    record = process.PidFile(pid=12, pgid=12, started_at=1.5, marker="/state/kafka")
    record.write(tmp_path / "k.pid")

    assert process.PidFile.read(tmp_path / "k.pid") == record


def test_unreadable_pid_file_reads_as_none(tmp_path):
    (tmp_path / "k.pid").write_text("not json")

    assert process.PidFile.read(tmp_path / "k.pid") is None
    assert process.PidFile.read(tmp_path / "missing.pid") is None


def test_a_recycled_pid_is_not_taken_for_our_server():
    # This very process is alive, but its command line does not carry the marker.
    record = process.PidFile(os.getpid(), os.getpgid(0), time.time(), "/no/such/state/dir")

    assert not process.is_alive(record)


def test_started_process_runs_in_its_own_session_and_is_recorded(tmp_path):
    record = start_sleeper(tmp_path, "sleep 60; exit 0")
    try:
        assert process.is_alive(record)
        assert os.getsid(record.pid) == record.pid != os.getsid(0)
        assert process.PidFile.read(tmp_path / "x.pid") == record
    finally:
        process.stop(record, timeout_s=5)


def test_stop_ends_the_whole_group_including_children(tmp_path):
    record = start_sleeper(tmp_path, "sleep 60 & sleep 60 & wait")
    wait_for(lambda: len(process.group_members(record.pgid)) == 3)

    killed = process.stop(record, timeout_s=5)

    assert not killed
    assert process.group_members(record.pgid) == []
    assert not process.is_alive(record)


def test_a_process_ignoring_sigterm_is_killed_after_the_timeout(tmp_path):
    record = start_sleeper(
        tmp_path, "trap '' TERM; touch \"$0/trapped\"; while true; do sleep 0.1; done"
    )
    wait_for(lambda: (tmp_path / "trapped").exists())

    killed = process.stop(record, timeout_s=1)

    assert killed  # True only when the group outlived SIGTERM and needed SIGKILL
    assert process.group_members(record.pgid) == []


class FakeClock:
    """`time` for `process`: sleeping advances a clock that nothing else moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_sigkill_is_sent_only_once_the_sigterm_timeout_has_passed(monkeypatch):
    clock = FakeClock()
    sent: list[tuple[signal.Signals, float]] = []
    monkeypatch.setattr(process, "time", clock)
    monkeypatch.setattr(process.os, "killpg", lambda pgid, sig: sent.append((sig, clock.now)))
    # The group ignores SIGTERM and is gone as soon as SIGKILL was sent.
    monkeypatch.setattr(
        process,
        "group_members",
        lambda pgid: [] if any(sig == signal.SIGKILL for sig, _ in sent) else [pgid],
    )

    killed = process.stop(process.PidFile(4242, 4242, 0.0, "/m"), timeout_s=3)

    assert killed
    [(first, at_first), (second, at_second)] = sent
    assert (first, at_first) == (signal.SIGTERM, 0.0)
    assert second == signal.SIGKILL and at_second >= 3.0


def test_a_dead_child_is_not_alive_even_before_it_is_reaped(tmp_path):
    record = start_sleeper(tmp_path, "exit 0")
    # It becomes a zombie of this process, which still "exists" for kill(pid, 0).
    wait_for(lambda: process._proc_state(record.pid) in ("Z", None))

    assert not process.is_alive(record)


def lock_is_free(path) -> bool:
    """Whether another open file could take the lock now (non-blocking probe: never hangs)."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_lock_excludes_a_second_holder_until_it_is_released(tmp_path):
    path = tmp_path / "stack.lock"
    order: list[str] = []

    def second_holder() -> None:
        with process.locked(path):
            order.append("second")

    with process.locked(path):
        assert not lock_is_free(path)
        waiter = threading.Thread(target=second_holder, daemon=True)
        waiter.start()
        order.append("first done")
    waiter.join(timeout=10)  # only guards against a hang

    assert not waiter.is_alive(), "the second holder never got the lock"
    assert order == ["first done", "second"]


def test_lock_is_released_after_the_block_even_when_it_raises(tmp_path):
    path = tmp_path / "stack.lock"
    with process.locked(path):
        pass
    assert lock_is_free(path)
    with pytest.raises(RuntimeError), process.locked(path):
        raise RuntimeError("boom")
    assert lock_is_free(path)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_group_of_a_nonexistent_process_is_empty():
    assert process.group_members(2**22 + 12345) == []
