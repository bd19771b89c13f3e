"""Running Elasticsearch when we are root.

Elasticsearch refuses to start as root ("can not run elasticsearch as root"; ES 9 has no
switch to allow it), and on these machines everything runs as root. So when root, the stack
runs Elasticsearch as an unprivileged system user (created once with `useradd`) that owns the
Elasticsearch state directory and can read the distribution and the JDK.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_user(name: str) -> pwd.struct_passwd:
    """The system user `name`, created (no login, no home) if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    result = subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home",
         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"Elasticsearch cannot run as root, and creating the user {name!r} failed: "
            f"{result.stderr.strip()}. Create it yourself (useradd --system {name}) or run "
            "`wirestream stack up` as an ordinary user."
        )
    return pwd.getpwnam(name)


def chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    """Gives `user` the tree at `path` (config, data, logs, tmp of Elasticsearch)."""
    # Never follow a link: the tree may already hold ones its owner planted.
    for root, dirs, files in os.walk(path, followlinks=False):
        os.chown(root, user.pw_uid, user.pw_gid, follow_symlinks=False)
        for name in dirs + files:
            os.lchown(os.path.join(root, name), user.pw_uid, user.pw_gid)


def others_can_reach(path: Path) -> Path | None:
    """The first directory on the way to `path` that other users cannot enter, or None."""
    for directory in [*reversed(path.resolve().parents), path.resolve()]:
        if not directory.is_dir():
            continue
        if not directory.stat().st_mode & stat.S_IXOTH:
            return directory
    return None


def check_reachable(paths: list[Path], user: str) -> None:
    """Fails with advice when `user` could not enter one of `paths` (e.g. under /root)."""
    for path in paths:
        blocked = others_can_reach(path)
        if blocked is not None:
            raise RuntimeError(
                f"Elasticsearch runs as user {user!r} (it refuses root), but {blocked} is closed "
                f"to other users, so it cannot reach {path}. Point WIRESTREAM_STACK_CACHE_DIR "
                "and WIRESTREAM_STACK_STATE_DIR (or WIRESTREAM_STACK_ES_JAVA_HOME) at "
                "directories outside it; as root the defaults are /var/cache/wirestream "
                "and /var/lib/wirestream."
            )
