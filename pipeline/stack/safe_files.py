"""File operations for `stack up`/`down` when they run as root next to an unprivileged server.

Elasticsearch refuses root, so as root the stack hands Elasticsearch's home to the `wirestream`
user. Whatever that account can write, it can replace by a symlink (to `authorized_keys`, to
`/etc/...`) or fill with a forged pid record. So root:

- keeps its own files (pid records, console logs) in a directory only it can write
  (`private_dir`), reads them only if it owns them (`read_owned`) and appends to logs that are
  regular files it owns, never through a link (`open_log`);
- writes into the server's home only through directory descriptors opened with `O_NOFOLLOW`
  from a trusted base, to a fresh `O_EXCL` temporary file renamed over the target
  (`write_file`): a planted link is replaced, never followed.

As an ordinary user the same code runs; it then only protects against mistakes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path, PurePath

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(RuntimeError):
    """A path root was about to use is a symlink, not ours, or writable by others."""


def private_dir(path: Path) -> Path:
    """`path` created if missing (0755), and checked: a real directory we own that no one else
    can write (so nothing in it can be swapped behind our back)."""
    path.mkdir(mode=0o755, parents=True, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(f"{path} is not a directory (a symlink?); refusing to use it")
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise UnsafePath(
            f"{path} is owned by uid {info.st_uid} or writable by others; refusing to keep "
            "pid files and logs there"
        )
    return path


def read_owned(path: Path, max_bytes: int = 65536) -> bytes | None:
    """The content of `path` if it is a regular file we own that others cannot write; else None
    (missing, a symlink, someone else's: not trusted)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
            return None
        return handle.read(max_bytes)


def open_log(path: Path) -> int:
    """A descriptor appending to `path`, a regular file we own (created 0640); never a link."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o640)
    except OSError as exc:
        raise UnsafePath(f"cannot open the log {path} safely: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
        os.close(fd)
        raise UnsafePath(f"{path} is not a regular file of ours; refusing to write to it")
    os.set_blocking(fd, True)
    return fd


@contextlib.contextmanager
def directory(base: Path, relative: str | PurePath = "") -> Iterator[int]:
    """A descriptor of `base/relative`, each part below `base` opened with O_NOFOLLOW (created
    0755 if missing). A symlink on the way is refused."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in PurePath(relative).parts:
            if part in ("..", "/"):
                raise UnsafePath(f"{relative} leaves {base}")
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=fd)
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise UnsafePath(
                    f"{base / relative}: {part!r} is not a plain directory ({exc.strerror}); "
                    "refusing to follow it"
                ) from None
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def write_file(base: Path, relative: str | PurePath, data: bytes, mode: int = 0o644) -> None:
    """Writes `base/relative` without following any symlink below `base`: a fresh temporary
    file (O_EXCL) in the target's directory, renamed over the target (a link there is replaced)."""
    relative = PurePath(relative)
    with directory(base, relative.parent) as fd:
        tmp = f".{relative.name}.{secrets.token_hex(6)}.tmp"
        out = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode,
            dir_fd=fd,
        )  # fmt: skip
        try:
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
                os.fchmod(handle.fileno(), mode)
            os.replace(tmp, relative.name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=fd)
            raise


def read_file(base: Path, relative: str | PurePath, max_bytes: int = 1 << 20) -> bytes | None:
    """`base/relative` read without following symlinks below `base`; None if missing or a link."""
    relative = PurePath(relative)
    try:
        with directory(base, relative.parent) as fd:
            handle = os.open(relative.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
    except (OSError, UnsafePath):
        return None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        return stream.read(max_bytes)
