"""What `stack up/down/status/logs` needs to know about one server of the local stack."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.stack.health import Health

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Launch:
    """How to run a prepared server."""

    cmd: list[str]
    env: dict[str, str]
    cwd: Path
    user: str | None = None


class Component(ABC):
    """One server: where its files are, how to fetch, prepare and check it."""

    name: str

    def __init__(self, state_dir: Path, cache_dir: Path, version: str, address: str) -> None:
        self.state_dir = state_dir
        self.cache_dir = cache_dir
        self.version = version
        self.address = address

    @property
    def home(self) -> Path:
        """This component's directory under the state dir (config, data, logs, pid)."""
        return self.state_dir / self.name

    @property
    def run_dir(self) -> Path:
        """Root's own files (pid records, console logs): never inside a home that may be handed
        to an unprivileged server account (see `pipeline.stack.safe_files`)."""
        return self.state_dir / "run"

    @property
    def pid_path(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def legacy_pid_path(self) -> Path:
        """Where earlier versions kept the pid record (read only if we own it, then removed)."""
        return self.home / f"{self.name}.pid"

    @property
    def console_log(self) -> Path:
        """stdout and stderr of the process (JVM crashes, start-up errors)."""
        return self.run_dir / f"{self.name}.console.log"

    @property
    def marker(self) -> str:
        """A string in the server's command line that proves a pid is ours."""
        return str(self.home)

    @property
    @abstractmethod
    def main_log(self) -> Path:
        """The server's own log file."""

    @abstractmethod
    def is_external(self) -> bool:
        """True when settings point at a server this stack must not start."""

    @abstractmethod
    def fetch(self, progress: Progress) -> None:
        """Downloads into the cache unless already there."""

    @abstractmethod
    def prepare(self, progress: Progress) -> Launch:
        """Writes config, formats storage once, and says how to launch."""

    @abstractmethod
    def health(self, timeout_s: float = 5.0) -> Health:
        """Whether the server answers as it should."""


def tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of a text file (empty if it does not exist)."""
    if lines <= 0 or not path.is_file():
        return []
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        block = min(size, max(4096, lines * 400))
        while True:
            handle.seek(size - block)
            data = handle.read()
            if data.count(b"\n") > lines or block == size:
                break
            block = min(size, block * 2)
    return data.decode(errors="replace").splitlines()[-lines:]
