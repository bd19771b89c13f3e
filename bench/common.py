"""Helpers shared by the benchmarks: the articles, machine facts, percentiles, the report file.

Pure parts (`percentiles`, `replace_section`, `to_article`) are unit-tested; the rest reads
the machine or the shared data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from pipeline.enrich.cpu import cpu_summary

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "docs" / "benchmarks.md"


def shared_data() -> Path:
    return Path(os.environ.get("WIRESTREAM_SHARED_DATA", REPO.parent / "shared" / "data"))


def to_article(source: str, item_id: str, headline: str, body: str) -> dict[str, Any]:
    """A `wire.article.v1` record for one data set item (id derived like the connectors')."""
    return {
        "schema": "wire.article.v1",
        "id": hashlib.sha256(f"{source}\n{item_id}".encode()).hexdigest()[:32],
        "source": source,
        "headline": headline,
        "body": body,
        "language": "en",
        "received_at": dt.datetime.now(dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "format": "jsonl",
    }


def real_articles(n: int = 1000) -> list[dict[str, Any]]:
    """n real articles: every Wikinews article, then BBC News in file order (deterministic)."""
    out: list[dict[str, Any]] = []
    for name, source in (("wikinews/articles.jsonl", "wikinews"), ("bbc_news/train.jsonl", "bbc")):
        for line in (shared_data() / name).read_bytes().splitlines():
            item = orjson.loads(line)
            out.append(to_article(source, item["id"], item.get("title") or "", item["text"]))
            if len(out) >= n:
                return out
    return out


def percentiles(values: Sequence[float], qs: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (p50, p95, p99 ...) of values; empty input gives NaN."""
    ordered = sorted(values)
    out: dict[str, float] = {}
    for q in qs:
        if not ordered:
            out[f"p{q:g}"] = float("nan")
            continue
        rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
        out[f"p{q:g}"] = ordered[int(rank) - 1]
    return out


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1048576:.0f} GB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def header(command: str) -> str:
    return (
        f"- Date: {now()}\n- Machine: {machine()}\n- CPU: {cpu_summary()}\n"
        f"- Command: `{command}`\n"
        f"- Load average at start (1/5/15 min): {load_average()}\n"
    )


def replace_section(document: str, name: str, body: str) -> str:
    """The document with the text between the markers of section `name` replaced by body."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in document and end in document:
        before = document[: document.index(start)]
        after = document[document.index(end) + len(end) :]
        return before + block + after
    return document.rstrip() + "\n\n" + block + "\n"


def write_section(name: str, body: str) -> None:
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    REPORT.write_text(replace_section(text, name, body))


def peak_rss_of(pid: int) -> int:
    """VmHWM (peak resident set) of a live process, in bytes; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(cmd: Sequence[str], **kwargs: Any) -> tuple[int, float, int]:
    """Run cmd; (exit code, wall seconds, peak RSS bytes of the process, read before it exits)."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), **kwargs)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, peak_rss_of(proc.pid))
        time.sleep(0.05)
    return proc.returncode, time.perf_counter() - started, peak


def mb(n: float) -> str:
    return f"{n / 1048576:.0f} MB"
