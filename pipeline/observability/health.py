"""Liveness and readiness of a long-running process, answered by `/healthz` and `/readyz`.

Liveness: the process still makes progress. A component that beats (`health.beat()`, e.g.
from a Faust timer) is dead once its beat is older than `stale_after_s`; with no beat
registered the process is alive as long as the server thread answers.
Readiness: every named check passes (Kafka and Elasticsearch reachable, partitions assigned).
Checks are cached for `cache_s` so that frequent probes do not hammer the dependencies.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

Check = Callable[[], bool]


class Health:
    def __init__(
        self,
        stale_after_s: float = 120.0,
        cache_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stale_after_s = stale_after_s
        self.cache_s = cache_s
        self._clock = clock  # injectable, so tests move time instead of sleeping
        self._lock = threading.Lock()
        self._beats: dict[str, float] = {}
        self._checks: dict[str, Check] = {}
        self._cached: dict[str, tuple[float, bool]] = {}

    def beat(self, name: str = "main") -> None:
        with self._lock:
            self._beats[name] = self._clock()

    def add_check(self, name: str, check: Check) -> None:
        with self._lock:
            self._checks[name] = check

    def set_ready(self, name: str, ready: bool) -> None:
        """A flag-style check, for facts the process learns by events (partitions assigned)."""
        self.add_check(name, lambda: ready)
        with self._lock:
            self._cached.pop(name, None)

    def liveness(self) -> tuple[bool, dict[str, bool]]:
        now = self._clock()
        with self._lock:
            beats = dict(self._beats)
        checks = {name: now - last <= self.stale_after_s for name, last in beats.items()}
        return all(checks.values()), checks

    def readiness(self) -> tuple[bool, dict[str, bool]]:
        with self._lock:
            checks = dict(self._checks)
        results = {name: self._run(name, check) for name, check in checks.items()}
        return all(results.values()), results

    def _run(self, name: str, check: Check) -> bool:
        now = self._clock()
        with self._lock:
            cached = self._cached.get(name)
        if cached and now - cached[0] < self.cache_s:
            return cached[1]
        try:
            ok = bool(check())
        except Exception:  # a failing check means "not ready", never a crashed probe
            ok = False
        with self._lock:
            self._cached[name] = (now, ok)
        return ok


def tcp_reachable(bootstrap: str, timeout_s: float = 2.0) -> Check:
    """Ready when any of the comma-separated host:port addresses accepts a connection."""
    addresses = [a.strip() for a in bootstrap.split(",") if a.strip()]

    def check() -> bool:
        for address in addresses:
            host, _, port = address.rpartition(":")
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
                    return True
            except OSError:
                continue
        return False

    return check
