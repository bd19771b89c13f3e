"""End to end with the local stack: sustained rate for N articles, latency at fixed loads.

    .venv/bin/python bench/end_to_end.py [--n 5000] [--loads 10,50] [--seconds 60]

One real `wirestream worker` on topics/index of its own. Latency = time the article was
produced -> time its enriched record arrived on the enriched topic (published only after
Elasticsearch acknowledged the document). Writes the `e2e` section of docs/benchmarks.md
and the raw numbers to bench/results/e2e.json (read by bench/plot_latency.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common, stack_harness

RESULTS = Path(__file__).resolve().parent / "results"


def fixed_load(dep, worker, base, rate: float, seconds: float) -> dict:
    arrivals = stack_harness.Arrivals(dep.topics["enriched"])
    arrivals.start()
    articles = stack_harness.variants(base, int(rate * seconds), f"load-{rate}-{time.time()}")
    prod = stack_harness.producer()
    load = common.load_average()
    try:
        sent = stack_harness.produce_paced(prod, dep.topics["article"], articles, rate)
        # Above the worker's capacity a queue builds; wait for it to drain (>= 2/s).
        stack_harness.wait_all(arrivals, list(sent), 120 + len(sent) / 2, [worker])
    finally:
        prod.close()
        arrivals.stop()
    latencies = [arrivals.seen[i] - t for i, t in sent.items() if i in arrivals.seen]
    return {
        "offered": rate,
        "n": len(sent),
        "arrived": len(latencies),
        "load_average": load,
        **common.percentiles(latencies),
        "max": max(latencies, default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--loads", default="10,50")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    command = (
        f".venv/bin/python bench/end_to_end.py --n {args.n} --loads {args.loads} "
        f"--seconds {args.seconds:g}"
    )
    head = common.header(command)
    base = common.real_articles(1000)
    with tempfile.TemporaryDirectory() as tmp, stack_harness.deployment(Path(tmp)) as dep:
        worker = stack_harness.start_worker(dep, "worker")
        try:
            worker.wait_ready()
            warm = stack_harness.variants(base, 64, "warm")
            stack_harness.sustained(dep, [worker], warm, 300)
            loads = [
                fixed_load(dep, worker, base, float(r), args.seconds) for r in args.loads.split(",")
            ]
            sustained_load = common.load_average()
            burst = stack_harness.sustained(
                dep, [worker], stack_harness.variants(base, args.n, "burst"), 120 + args.n / 2
            )
            burst["load_average"] = sustained_load
        finally:
            worker.stop()
        from pipeline.settings import EnrichSettings

        backend = EnrichSettings().backend
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "e2e.json").write_text(
        json.dumps({"loads": loads, "sustained": burst, "peak_rss": worker.peak_rss}, indent=2)
    )
    lines = [
        "## End to end (Kafka → worker → Elasticsearch, one worker)",
        "",
        head,
        f"- Encoder backend: {backend}; worker peak RSS (VmHWM): **{common.mb(worker.peak_rss)}**",
        "",
        f"**Sustained**: {burst['n']} articles produced at once (distinct ids, content cycled "
        f"over 1,000 real articles): all {burst['enriched']} enriched in "
        f"{burst['seconds']:.1f} s = **{burst['rate']:.1f} articles/s** "
        f"(produce took {burst['produce_s']:.1f} s; {burst['searchable']} documents in the "
        f"index after refresh, all phases together; load average before: {burst['load_average']}).",
        "",
        "**Latency at fixed offered load** (produce → enriched record on the topic, i.e. "
        "indexed; searchable adds at most the index refresh interval):",
        "",
        "| offered articles/s | articles | arrived | p50 s | p95 s | p99 s | max s | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in loads:
        lines.append(
            f"| {r['offered']:g} | {r['n']} | {r['arrived']} | {r['p50']:.2f} | {r['p95']:.2f} "
            f"| {r['p99']:.2f} | {r['max']:.2f} | {r['load_average']} |"
        )
    lines += ["", "![latency percentiles against offered load](latency.png)"]
    body = "\n".join(lines) + "\n"
    common.write_section("e2e", body)
    print(body)


if __name__ == "__main__":
    main()
