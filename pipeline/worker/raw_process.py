"""The raw indexer as a child process of `wirestream worker`, restarted if it dies.

`wirestream worker` runs both roles by default: the Faust enrichment worker in this process
and the raw indexer (`raw_indexer.py`) in a child, `wirestream worker --role raw`. A child
process rather than a thread: the raw path stays responsive while the parse and the encoder
hold the GIL, and either process can be killed and restarted alone without losing anything
(each has its own consumer group and commits only what Elasticsearch acknowledged).

The child watches its parent: when the worker dies, even by `kill -9`, the child notices
(its parent id changes) and stops cleanly, so a restarted worker never finds an orphan.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def raw_command(loglevel: str, parent_pid: int) -> list[str]:
    return [
        sys.executable, "-m", "pipeline.cli", "worker", "--role", "raw",
        "--loglevel", loglevel, "--parent-pid", str(parent_pid),
    ]  # fmt: skip


class RawIndexerProcess:
    """Starts the child, restarts it when it exits unexpectedly, stops it on request."""

    def __init__(
        self,
        command: list[str],
        *,
        restart_delay_s: float = 1.0,
        spawn: Callable[[list[str]], subprocess.Popen] = subprocess.Popen,
    ) -> None:
        self.command = command
        self.restart_delay_s = restart_delay_s
        self._spawn = spawn
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            self.process = self._spawn(self.command)
        log.info("raw indexer started", extra={"pid": self.process.pid})
        self._thread = threading.Thread(target=self._watch, name="raw-indexer-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            log.error(
                "raw indexer exited; restarting",
                extra={"pid": process.pid, "returncode": code, "delay_s": self.restart_delay_s},
            )
            if self._stopping.wait(self.restart_delay_s):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = self._spawn(self.command)
                self.restarts += 1

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM the child and wait; SIGKILL it if it does not finish in time."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            log.error("raw indexer did not stop in time; killing it", extra={"pid": process.pid})
            process.kill()
            process.wait()


def watch_parent(parent_pid: int, on_gone: Callable[[], None], every_s: float = 0.5) -> None:
    """Call `on_gone` once the process that started us is gone (re-parented)."""

    def loop() -> None:
        while os.getppid() == parent_pid:
            threading.Event().wait(every_s)
        log.warning("the worker that started the raw indexer is gone; stopping")
        on_gone()

    threading.Thread(target=loop, name="parent-watch", daemon=True).start()
