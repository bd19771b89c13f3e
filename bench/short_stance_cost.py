"""CPU per article of short-target stance: the default chain with and without short targets.

    PYTHONPATH=. .venv/bin/python bench/short_stance_cost.py [--n 64] [--rounds 2] [--write]

Issue 19 asks for a bounded, measured cost. Both sides run the default chain on the same
real articles (Wikinews, then BBC News) with the same 2 claim targets; the "with" side adds
`--shorts` short targets (names and topics). Each round builds each side afresh, warms it
on other articles and times `runner.run` in process CPU seconds (all threads). Rounds
alternate the order; the best round per side is kept. The short head adds, per (short
target, article), the target's cosines (the sentence vectors are the claim path's) and at
most `READINGS` reads of the entity-sentiment model, which the chain has loaded anyway.
Prints JSON; --write saves bench/results/short_stance.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common

CLAIMS = ["Russia will disrupt US plans in Syria", "The government will raise taxes"]
SHORTS = ["short:Donald Trump", "short:Climate change", "short:Brexit", "short:NATO"]


def measure(targets: list[str], warm: list, articles: list, batch: int) -> dict:
    from pipeline.enrich.registry import DEFAULT_CHAIN
    from pipeline.enrich.resources import Resources
    from pipeline.enrich.runner import EnrichmentRunner
    from pipeline.settings import EnrichSettings

    resources = Resources(settings=EnrichSettings(targets=targets))
    runner = EnrichmentRunner.from_names(DEFAULT_CHAIN, resources)
    runner.run(warm)
    cpu, wall = time.process_time(), time.perf_counter()
    kinds: dict[str, int] = {}
    for lo in range(0, len(articles), batch):
        records, _ = runner.run(articles[lo : lo + batch])
        for record in records:
            for entry in record["stance"]:
                kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    del runner, resources
    gc.collect()
    return {
        "cpu_ms_per_article": round(1000 * cpu / len(articles), 2),
        "wall_ms_per_article": round(1000 * wall / len(articles), 2),
        "stances": kinds,
    }


def main(argv: list[str] | None = None) -> int:
    from pipeline.enrich.short_stance_features import READINGS
    from pipeline.settings import WorkerSettings

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shorts", type=int, default=2, choices=range(1, len(SHORTS) + 1))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pool = common.real_articles(args.n + 32)
    warm, articles = pool[:32], pool[32:]
    batch = WorkerSettings().batch_size
    sides = {"without": CLAIMS, "with": CLAIMS + SHORTS[: args.shorts]}
    rounds: dict[str, list[dict]] = {"without": [], "with": []}
    for r in range(args.rounds):
        order = list(sides.items())
        for name, targets in order if r % 2 == 0 else order[::-1]:
            rounds[name].append(measure(targets, warm, articles, batch))
    best = {k: min(v, key=lambda m: m["cpu_ms_per_article"]) for k, v in rounds.items()}
    extra = best["with"]["cpu_ms_per_article"] - best["without"]["cpu_ms_per_article"]
    out = {
        "articles": len(articles),
        "batch": batch,
        "claim_targets": len(CLAIMS),
        "short_targets": args.shorts,
        "readings_per_short_target": READINGS,
        "without": best["without"],
        "with": best["with"],
        "cpu_ms_per_short_target_and_article": round(extra / args.shorts, 2),
        "cpu_overhead": round(extra / best["without"]["cpu_ms_per_article"], 3),
        "rounds": rounds,
        "machine": common.machine(),
    }
    print(json.dumps(out, indent=2))
    if args.write:
        path = Path(__file__).resolve().parent / "results" / "short_stance.json"
        path.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
