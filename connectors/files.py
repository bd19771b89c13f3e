"""File drop: `FileSource` for `wirestream ingest PATH...` and `DirectoryWatcher` for `watch DIR`.

The watcher polls (portable, no inotify needed) and remembers what it has delivered in a JSON state
file (`<state_dir>/watch-<hash of DIR>.json` or `--state`): path -> [size, mtime_ns]. A file is
read once it has been unchanged for `settle_s` (so half-copied files are not read); a file that
changes later is read again (same article id, so the document is updated, not duplicated). The
watched directory is never modified: files stay where they are, which also suits read-only drops.
Hidden files and directories, `*.tmp`, `*.part` and `*~` are ignored; entries of deleted files
are dropped from the state. Symlinks inside the directory are skipped (logged once): a drop
directory writable by others must not let them point us at files outside it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.base import Source
from connectors.formats import EXTENSIONS, ParseResult, normalise_format, read_path
from connectors.settings import ConnectorSettings, WatchSettings

log = logging.getLogger(__name__)
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".swp", "~")


def is_candidate(path: Path, fmt: str | None) -> bool:
    """A file worth reading: not hidden or temporary; a known extension unless a format is forced."""
    name = path.name
    if name.startswith(".") or name.endswith(_IGNORED_SUFFIXES):
        return False
    return fmt is not None or path.suffix.lower() in EXTENSIONS


def expand(paths: list[Path], fmt: str | None, warned: set[str] | None = None) -> Iterator[Path]:
    """Files named directly, and the candidate files under directories (recursive, sorted).

    Inside a directory only regular files are taken: a symlink (to a file or a directory) is
    skipped with a warning (once per path in `warned`), since whoever can write into a drop
    directory could otherwise make us read any file we can read (`innocent.txt -> /etc/...`).
    A file named explicitly on the command line is read whatever it is.
    """
    for path in paths:
        if path.is_dir():
            yield from _regular_files(path, fmt, warned if warned is not None else set())
        else:
            yield path  # named explicitly: read it whatever its name (errors become results)


def _regular_files(directory: Path, fmt: str | None, warned: set[str]) -> Iterator[Path]:
    found: list[Path] = []
    for current, dirs, files in os.walk(directory, followlinks=False):
        here = Path(current)
        for name in list(dirs):
            if name.startswith("."):
                dirs.remove(name)
            elif (here / name).is_symlink():
                dirs.remove(name)
                _skip_link(here / name, warned)
        for name in files:
            child = here / name
            try:
                mode = child.lstat().st_mode
            except OSError:
                continue  # removed meanwhile
            if stat.S_ISLNK(mode):
                if is_candidate(child, fmt):
                    _skip_link(child, warned)
            elif stat.S_ISREG(mode) and is_candidate(child, fmt):
                found.append(child)
    yield from sorted(found)


def _skip_link(path: Path, warned: set[str]) -> None:
    if str(path) not in warned:
        warned.add(str(path))
        log.warning(
            "skipping the symlink %s: only regular files inside the directory are read",
            path,
            extra={"path": str(path)},
        )


class FileSource(Source):
    """Files and directories given on the command line; one batch per `batch` results."""

    name = "files"

    def __init__(
        self,
        paths: list[Path],
        fmt: str | None = None,
        source: str | None = None,
        settings: ConnectorSettings | None = None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.fmt = normalise_format(fmt)
        self.settings = settings or ConnectorSettings()
        self.source = source or self.settings.source

    def batches(self) -> Iterator[list[ParseResult]]:
        batch: list[ParseResult] = []
        named = {str(p) for p in self.paths}
        for path in expand(self.paths, self.fmt):
            for result in read_path(
                path,
                self.fmt,
                source=self.source,
                max_bytes=self.settings.max_article_bytes,
                follow_symlinks=str(path) in named,
            ):
                batch.append(result)
                if len(batch) >= self.settings.batch:
                    yield batch
                    batch = []
        if batch:
            yield batch


def watch_state_name(directory: Path) -> str:
    digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    return f"watch-{digest}.json"


class DirectoryWatcher(Source):
    """Polls a directory tree; each new or changed, settled file is one batch."""

    name = "watch"

    def __init__(
        self,
        directory: Path,
        fmt: str | None = None,
        source: str | None = None,
        settings: ConnectorSettings | None = None,
        watch: WatchSettings | None = None,
        once: bool = False,
    ) -> None:
        self.directory = Path(directory)
        self.fmt = normalise_format(fmt)
        self.settings = settings or ConnectorSettings()
        self.watch = watch or WatchSettings()
        self.source = source or self.settings.source
        self.once = once
        self.done: dict[str, list[int]] = {}
        self._stop = threading.Event()
        self._warned: set[str] = set()

    def snapshot(self) -> dict[str, Any]:
        return {"directory": str(self.directory.resolve()), "files": dict(self.done)}

    def resume(self, state: dict[str, Any]) -> None:
        files = state.get("files")
        self.done = {k: list(v) for k, v in files.items()} if isinstance(files, dict) else {}

    def stop(self) -> None:
        self._stop.set()

    def pending(self) -> list[tuple[Path, list[int]]]:
        """Settled files not delivered yet in their current version, oldest first."""
        now = time.time_ns()
        found = []
        seen: set[str] = set()
        for path in expand([self.directory], self.fmt, self._warned):
            seen.add(str(path))
            try:
                info = path.lstat()
            except OSError:
                continue  # removed between listing and stat
            signature = [info.st_size, info.st_mtime_ns]
            if self.done.get(str(path)) == signature:
                continue
            if now - info.st_mtime_ns < self.watch.settle_s * 1e9:
                continue  # still being written, probably
            found.append((info.st_mtime_ns, path, signature))
        self.done = {k: v for k, v in self.done.items() if k in seen}
        return [(path, signature) for _, path, signature in sorted(found)]

    def batches(self) -> Iterator[list[ParseResult]]:
        while not self._stop.is_set():
            for path, signature in self.pending():
                yield from self._file_batches(path, signature)
                if self._stop.is_set():
                    return
            if self.once:
                return
            self._stop.wait(self.watch.interval_s)

    def _file_batches(self, path: Path, signature: list[int]) -> Iterator[list[ParseResult]]:
        """A big JSON-lines file comes in several batches; it is marked done with the last one,
        so a crash in between re-reads the whole file (same ids: updates, not duplicates)."""
        results = read_path(
            path,
            self.fmt,
            source=self.source,
            max_bytes=self.settings.max_article_bytes,
            follow_symlinks=False,  # swapped for a link since it was listed: refused
        )
        batch: list[ParseResult] = []
        count = 0
        for result in results:
            if len(batch) >= self.settings.batch:
                yield batch
                batch = []
            batch.append(result)
            count += 1
        self.done[str(path)] = signature
        log.info("file read", extra={"path": str(path), "results": count})
        yield batch
