"""CPU per article of the default chain with and without entity sentiment, in one run.

    PYTHONPATH=. .venv/bin/python bench/entity_sentiment_cost.py [--n 192] [--rounds 2]

Issue 19 bounds `entity_sentiment.minilm.v1` at +30 % CPU per article over the chain without
it. Both chains run the same real articles (Wikinews, then BBC News) in worker-sized batches;
each round builds each chain afresh (so the spaCy parse cache of one never serves the other),
warms it on other articles, then times `runner.run` in process CPU seconds (all threads:
ONNX Runtime's pool and the parse prefetch included). Rounds alternate the order; the best
round per side is kept. Prints JSON and, with --write, saves bench/results/entity_sentiment.json.
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

SENTIMENT = "entity_sentiment.minilm.v1"


def measure_chain(chain: tuple[str, ...], warm: list, articles: list, batch: int) -> dict:
    from pipeline.enrich.resources import Resources
    from pipeline.enrich.runner import EnrichmentRunner

    runner = EnrichmentRunner.from_names(chain, Resources())
    runner.run(warm)
    cpu, wall = time.process_time(), time.perf_counter()
    scored = 0
    for lo in range(0, len(articles), batch):
        records, _ = runner.run(articles[lo : lo + batch])
        scored += sum(1 for r in records for e in r.get("entities") or [] if "sentiment" in e)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    del runner
    gc.collect()
    return {
        "cpu_ms_per_article": round(1000 * cpu / len(articles), 2),
        "wall_ms_per_article": round(1000 * wall / len(articles), 2),
        "entity_mentions_with_sentiment": scored,
    }


def compare_chains(
    base: tuple[str, ...],
    full: tuple[str, ...],
    warm: list,
    articles: list,
    batch: int,
    rounds: int,
) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """("without" = base, "with" = full): the best round of each, and every round. Rounds
    alternate which chain goes first, so neither always runs on a warmer machine."""
    sides: dict[str, list[dict]] = {"without": [], "with": []}
    for r in range(rounds):
        order = [("without", base), ("with", full)]
        for name, chain in order if r % 2 == 0 else order[::-1]:
            sides[name].append(measure_chain(chain, warm, articles, batch))
    best = {k: min(v, key=lambda m: m["cpu_ms_per_article"]) for k, v in sides.items()}
    return best, sides


def report(out: dict, result_file: str | None) -> None:
    """Print the result; with a file name, also save it under bench/results/."""
    print(json.dumps(out, indent=2))
    if result_file:
        path = Path(__file__).resolve().parent / "results" / result_file
        path.write_text(json.dumps(out, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    from pipeline.enrich.registry import DEFAULT_CHAIN
    from pipeline.settings import EnrichSettings, WorkerSettings

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=192)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pool = common.real_articles(args.n + 32)
    warm, articles = pool[:32], pool[32:]
    batch = WorkerSettings().batch_size
    full = tuple(DEFAULT_CHAIN) if SENTIMENT in DEFAULT_CHAIN else (*DEFAULT_CHAIN, SENTIMENT)
    base = tuple(n for n in full if n != SENTIMENT)
    best, sides = compare_chains(base, full, warm, articles, batch, args.rounds)
    settings = EnrichSettings()
    out = {
        "articles": len(articles),
        "batch": batch,
        "sentiment_entities": settings.sentiment_entities,
        "sentiment_mentions": settings.sentiment_mentions,
        "without": best["without"],
        "with": best["with"],
        "cpu_overhead": round(
            best["with"]["cpu_ms_per_article"] / best["without"]["cpu_ms_per_article"] - 1, 3
        ),
        "rounds": sides,
        "machine": common.machine(),
    }
    report(out, "entity_sentiment.json" if args.write else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
