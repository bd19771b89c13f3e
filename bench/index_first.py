"""Index first, enrich after: ingest -> searchable and ingest -> enriched, at fixed loads and in a burst.

    .venv/bin/python bench/index_first.py [--loads 5,10,25,50] [--seconds 60] [--burst 1000]

One real `wirestream worker` (both roles: the raw indexer child and the enrichment worker)
on topics/index of its own. For each offered load, articles are produced paced for
`--seconds`; the time each became searchable (any status) and enriched (status done) is
taken by polling Elasticsearch every 0.1 s (bench/searchable.py). Then a burst of
`--burst` articles goes through `wirestream ingest FILE` (JSON lines), and the time from
the command's return until every one is searchable, and until every one is enriched, is
measured. Writes the `index-first` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common, stack_harness
from bench.searchable import Searchable


def fixed_load(dep, worker, watcher: Searchable, base, rate: float, seconds: float) -> dict:
    articles = stack_harness.variants(base, int(rate * seconds), f"if-{rate}-{time.time()}")
    watcher.watch(a["id"] for a in articles)
    prod = stack_harness.producer()
    load = common.load_average()
    try:
        sent = stack_harness.produce_paced(prod, dep.topics["article"], articles, rate)
    finally:
        prod.close()
    ids = list(sent)
    watcher.wait(ids, 60)
    watcher.wait(ids, 120 + len(ids) / 2, enriched=True)
    worker.sample()
    searchable = [watcher.seen[i] - t for i, t in sent.items() if i in watcher.seen]
    enriched = [watcher.done[i] - t for i, t in sent.items() if i in watcher.done]
    return {
        "offered": rate,
        "n": len(sent),
        "searchable": len(searchable),
        "enriched": len(enriched),
        "load_average": load,
        "searchable_p": common.percentiles(searchable),
        "enriched_p": common.percentiles(enriched),
    }


def burst(dep, worker, watcher: Searchable, base, n: int) -> dict:
    articles = stack_harness.variants(base, n, f"burst-{time.time()}")
    for article in articles:
        article["schema"] = "wire.article.v1"
    path = dep.state / "burst.jsonl"
    path.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in articles))
    watcher.watch(a["id"] for a in articles)
    started = time.time()
    result = subprocess.run(
        [stack_harness.WIRESTREAM, "ingest", str(path)],
        env=dep.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    returned = time.time()
    if result.returncode != 0:
        raise RuntimeError(f"ingest failed: {result.stderr[-2000:]}")
    ids = [a["id"] for a in articles]
    watcher.wait(ids, 120)
    watcher.wait(ids, 120 + n, enriched=True)
    worker.sample()
    seen = [watcher.seen[i] for i in ids if i in watcher.seen]
    done = [watcher.done[i] for i in ids if i in watcher.done]
    return {
        "n": n,
        "ingest_s": returned - started,
        "searchable": len(seen),
        "enriched": len(done),
        "all_searchable_after_return_s": (max(seen) - returned) if len(seen) == n else None,
        "all_enriched_after_return_s": (max(done) - returned) if len(done) == n else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", default="5,10,25,50")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    command = (
        f".venv/bin/python bench/index_first.py --loads {args.loads} "
        f"--seconds {args.seconds:g} --burst {args.burst}"
    )
    head = common.header(command)
    base = common.real_articles(1000)
    with tempfile.TemporaryDirectory() as tmp, stack_harness.deployment(Path(tmp)) as dep:
        worker = stack_harness.start_worker(dep, "worker")
        watcher = Searchable(stack_harness.ES_URL, dep.alias)
        watcher.start()
        try:
            worker.wait_ready()
            warm = stack_harness.variants(base, 32, "warm")
            stack_harness.sustained(dep, [worker], warm, 300)
            loads = [
                fixed_load(dep, worker, watcher, base, float(r), args.seconds)
                for r in args.loads.split(",")
            ]
            burst_result = burst(dep, worker, watcher, base, args.burst)
        finally:
            watcher.stop()
            worker.stop()
    lines = [
        "## Index first, enrich after (raw indexer + enrichment worker, one `wirestream worker`)",
        "",
        head,
        f"- Worker peak RSS (VmHWM, enrichment process): **{common.mb(worker.peak_rss)}**",
        "- Searchable = the id is returned by a search (any enrichment status); enriched = "
        "`enrichment.status: done`. Elasticsearch polled every 0.1 s (times up to 0.1 s late).",
        "",
        "| offered/s | articles | searchable | p50 s | p95 s | p99 s | enriched | p50 s | p95 s "
        "| p99 s | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in loads:
        s, e = r["searchable_p"], r["enriched_p"]
        lines.append(
            f"| {r['offered']:g} | {r['n']} | {r['searchable']} | {s['p50']:.2f} | {s['p95']:.2f} "
            f"| **{s['p99']:.2f}** | {r['enriched']} | {e['p50']:.2f} | {e['p95']:.2f} "
            f"| {e['p99']:.2f} | {r['load_average']} |"
        )
    b = burst_result

    def fmt(value: float | None) -> str:
        return "never" if value is None else f"{value:.1f} s"

    lines += [
        "",
        f"**Burst**: {b['n']} articles through `wirestream ingest` (the command took "
        f"{b['ingest_s']:.1f} s): all searchable **{fmt(b['all_searchable_after_return_s'])}** "
        f"after it returned ({b['searchable']}/{b['n']}); all enriched "
        f"{fmt(b['all_enriched_after_return_s'])} after ({b['enriched']}/{b['n']}).",
    ]
    body = "\n".join(lines) + "\n"
    common.write_section("index-first", body)
    print(body)


if __name__ == "__main__":
    main()
