"""Download Kafka and Elasticsearch from Maven Central (with the machine's `mvn`) into the cache.

Each download lands in a temporary directory that is renamed into place when complete, so an
interrupted download is simply redone and never half-used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from pipeline.stack.templates import pom_path

Progress = Callable[[str], None]

ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
_DOWNLOADED = re.compile(r"Downloaded from [^:]+: \S*/([^/\s]+) \(([^)]*)\)")


class MavenMissing(RuntimeError):
    """`mvn` is not installed: the message says what to install."""


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise MavenMissing(
            "Fetching Kafka and Elasticsearch needs Apache Maven (`mvn`) and a JDK 17+: "
            "install them, e.g. `apt-get install maven openjdk-17-jdk-headless`, then retry."
        )
    return mvn


def _run_mvn(args: list[str], label: str, progress: Progress, java_home: Path | None) -> None:
    """Runs mvn, echoing each finished artifact download as a progress line."""
    env = dict(os.environ)
    if java_home:
        env["JAVA_HOME"] = str(java_home)
    cmd = [_mvn(), "-B", "-Dstyle.color=never", *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip
    tail: list[str] = []
    count, last_note = 0, 0.0
    assert proc.stdout is not None
    for line in proc.stdout:
        tail = [*tail[-40:], line.rstrip()]
        match = _DOWNLOADED.search(line)
        if match and not match.group(1).endswith((".pom", ".sha1", ".xml")):
            count += 1
            # One line every couple of seconds: a first fetch downloads ~90 small jars.
            if time.monotonic() - last_note > 2 or "MB" in match.group(2).split(" at ")[0]:
                progress(f"{label}: {count} files downloaded, latest {match.group(1)} "
                         f"({match.group(2)})")  # fmt: skip
                last_note = time.monotonic()
    if proc.wait() != 0:
        raise RuntimeError(f"{label}: mvn failed ({' '.join(cmd)}):\n" + "\n".join(tail))


def kafka_lib_dir(cache_dir: Path, version: str) -> Path:
    return cache_dir / "kafka" / version / "lib"


def fetch_kafka(
    cache_dir: Path, version: str, progress: Progress, java_home: Path | None = None
) -> Path:
    """The directory holding the Kafka broker jar and its runtime dependencies."""
    lib = kafka_lib_dir(cache_dir, version)
    if (lib / f"kafka_2.13-{version}.jar").is_file():
        return lib
    progress(f"kafka: fetching org.apache.kafka:kafka_2.13:{version} and its dependencies")
    partial = lib.with_name("lib.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.monotonic()
    _run_mvn(
        ["-f", str(pom_path()), f"-Dkafka.version={version}",
         f"-DoutputDirectory={partial}", "dependency:copy-dependencies"],
        "kafka", progress, java_home,
    )  # fmt: skip
    if not (partial / f"kafka_2.13-{version}.jar").is_file():
        raise RuntimeError(f"kafka: mvn finished but kafka_2.13-{version}.jar is not in {partial}")
    partial.rename(lib)
    progress(f"kafka: {len(list(lib.iterdir()))} jars in {time.monotonic() - started:.0f} s")
    return lib


def es_home_dir(cache_dir: Path, version: str) -> Path:
    return cache_dir / "elasticsearch" / version / f"elasticsearch-{version}"


def _watch_size(directory: Path, label: str, progress: Progress, done: threading.Event) -> None:
    """Reports the growing size of the files being downloaded into `directory`."""
    last = -1
    while not done.wait(3.0):
        if not directory.is_dir():
            continue
        size = sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
        if size != last:
            progress(f"{label}: {size / 1e6:.0f} MB so far")
            last = size


def _unzip(archive: Path, target: Path) -> None:
    """Unpacks keeping the executable bits (zipfile alone drops them)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                path.chmod(mode)


def fetch_elasticsearch(
    cache_dir: Path, version: str, progress: Progress, java_home: Path | None = None
) -> Path:
    """ES_HOME of the unpacked Elasticsearch distribution."""
    home = es_home_dir(cache_dir, version)
    if (home / "bin" / "elasticsearch").is_file():
        return home
    root = home.parent
    downloads = root.with_name(f"{version}.download")
    shutil.rmtree(downloads, ignore_errors=True)
    downloads.mkdir(parents=True)
    progress(f"elasticsearch: fetching {ES_ARTIFACT.format(version=version)} (~100 MB)")
    started = time.monotonic()
    repo = Path.home() / ".m2" / "repository" / "org/elasticsearch/distribution/integ-test-zip"
    done = threading.Event()
    watcher = threading.Thread(
        target=_watch_size,
        args=(repo / "elasticsearch" / version, "elasticsearch", progress, done),
        daemon=True,
    )
    watcher.start()
    try:
        _run_mvn(
            ["-f", str(pom_path()), "dependency:copy",
             f"-Dartifact={ES_ARTIFACT.format(version=version)}",
             f"-DoutputDirectory={downloads}"],
            "elasticsearch", progress, java_home,
        )  # fmt: skip
    finally:
        done.set()
    archive = downloads / f"elasticsearch-{version}.zip"
    progress(f"elasticsearch: unpacking {archive.name}")
    partial = root.with_name(f"{version}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    _unzip(archive, partial)
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    shutil.rmtree(downloads, ignore_errors=True)
    progress(f"elasticsearch: ready in {time.monotonic() - started:.0f} s")
    return home
