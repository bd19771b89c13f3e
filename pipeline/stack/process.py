"""Background server processes: start in their own session, pid files, liveness, stop.

A server runs in a new session (and so its own process group) so that it outlives the CLI that
started it, and so that `stop` can end it together with any child it spawned.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.stack import safe_files


@dataclass(frozen=True)
class PidFile:
    """What `start` records: enough to find the process group again and to not mistake a
    recycled pid for our server (the marker must appear in its command line)."""

    pid: int
    pgid: int
    started_at: float
    marker: str

    def write(self, path: Path) -> None:
        safe_files.private_dir(path.parent)
        safe_files.write_file(path.parent, path.name, json.dumps(asdict(self)).encode())

    @classmethod
    def read(cls, path: Path) -> PidFile | None:
        """The record, if the file is ours (not a link, not someone else's, not writable by
        others) and well-formed; else None."""
        data = safe_files.read_owned(path)
        if data is None:
            return None
        try:
            record = cls(**json.loads(data))
        except (ValueError, TypeError):
            return None
        types_ok = all(isinstance(v, int) for v in (record.pid, record.pgid))
        return record if types_ok and isinstance(record.marker, str) else None


def plausible(record: PidFile) -> bool:
    """What `start` can have recorded: a session leader (pgid == pid) that is neither init nor
    our own group. Anything else is forged or corrupt and is never signalled."""
    return (
        record.pid > 1
        and record.pgid == record.pid
        and record.pgid not in (os.getpgrp(), os.getsid(0))
        and bool(record.marker)
    )


def _reap(pid: int) -> None:
    # A server started by this very process (e.g. a pytest session) stays a zombie after it
    # dies until it is waited for, and a zombie still "exists" for kill(pid, 0).
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[0]


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if os.getpgid(pid) == pgid:
                _reap(pid)
                if _proc_state(pid) not in (None, "Z", "X"):
                    members.append(pid)
        except (ProcessLookupError, PermissionError):
            continue
    return members


def is_alive(record: PidFile, marker: str | None = None) -> bool:
    """True while any process of the group is running and the leader was really ours.

    `marker` is what the caller expects (the component's own); the record's is not trusted alone.
    """
    if not plausible(record) or (marker is not None and record.marker != marker):
        return False
    _reap(record.pid)
    if _proc_state(record.pid) not in (None, "Z", "X"):
        cmdline = _cmdline(record.pid)
        for _ in range(20):
            # The command line reads empty for a moment while the process is exec'ing.
            if cmdline:
                break
            time.sleep(0.05)
            cmdline = _cmdline(record.pid)
        return record.marker in cmdline
    # The leader is gone (e.g. killed); children it left in the group still count as ours.
    return bool(group_members(record.pgid))


def start(
    cmd: list[str],
    *,
    pid_path: Path,
    log_path: Path,
    marker: str,
    env: dict[str, str],
    cwd: Path,
    user: str | None = None,
) -> PidFile:
    """Starts `cmd` detached (new session), output appended to `log_path`, and records it."""
    log_fd = safe_files.open_log(log_path)
    with os.fdopen(log_fd, "ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
    record = PidFile(pid=proc.pid, pgid=proc.pid, started_at=time.time(), marker=marker)
    record.write(pid_path)
    return record


def stop(record: PidFile, timeout_s: float) -> bool:
    """SIGTERM to the whole group, SIGKILL after `timeout_s`. True if it had to SIGKILL.

    ValueError for a record `start` cannot have written (pid 1, our own group, pgid != pid).
    """
    if not plausible(record):
        raise ValueError(f"refusing to signal process group {record.pgid}: not a started server")
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(record.pgid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not group_members(record.pgid):
                return sig == signal.SIGKILL
            time.sleep(0.2)
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialises `stack up`/`down` between concurrent callers (two terminals, two test runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
