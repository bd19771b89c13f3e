"""Scaling: one worker against two worker processes on a 4-partition article topic.

    .venv/bin/python bench/scaling.py [--n 2000]

Each configuration gets fresh topics and index; the workers share one consumer group, so
Kafka splits the 4 partitions between them. Sustained articles/s = n / (last enriched
record - first produce). Writes the `scaling` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common, stack_harness


def measure(workers: int, n: int, base: list) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        stack_harness.deployment(Path(tmp), partitions=4) as dep,
    ):
        procs = [
            stack_harness.start_worker(
                dep, f"worker{i}", WIRESTREAM_WORKER_DATA_DIR=str(Path(tmp) / f"data{i}")
            )
            for i in range(workers)
        ]
        try:
            for proc in procs:
                proc.wait_ready()
            # Warm every worker's models (and let the group settle) before timing.
            stack_harness.sustained(dep, procs, stack_harness.variants(base, 64, "warm"), 300)
            load = common.load_average()
            result = stack_harness.sustained(
                dep, procs, stack_harness.variants(base, n, f"scale{workers}"), 900
            )
        finally:
            for proc in procs:
                proc.stop()
    result["load_average"] = load
    result["peak_rss"] = max(p.peak_rss for p in procs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    head = common.header(f".venv/bin/python bench/scaling.py --n {args.n}")
    base = common.real_articles(1000)
    one = measure(1, args.n, base)
    two = measure(2, args.n, base)
    lines = [
        "## Scaling (4-partition article topic)",
        "",
        head,
        "| workers | articles | seconds | articles/s | ratio | peak RSS per worker | load avg |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for count, r in ((1, one), (2, two)):
        lines.append(
            f"| {count} | {r['enriched']}/{r['n']} | {r['seconds']:.1f} | {r['rate']:.1f} "
            f"| {r['rate'] / one['rate']:.2f}× | {common.mb(r['peak_rss'])} "
            f"| {r['load_average']} |"
        )
    body = "\n".join(lines) + "\n"
    common.write_section("scaling", body)
    print(body)


if __name__ == "__main__":
    main()
