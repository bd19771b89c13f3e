"""CPU per article of the default chain with and without the topic classifier, in one run.

    PYTHONPATH=. .venv/bin/python bench/topic_cost.py [--n 192] [--rounds 2] [--write]

`topic.minilm.v3` reads each article with its own fine-tuned MiniLM (int8 ONNX), where v2
was a 384 x 17 product over the shared embedding (no measurable cost). This measures what
v3 adds: the same real articles (Wikinews, then BBC News) through the default chain and
through the default chain without the topic enricher, in worker-sized batches, process CPU
seconds (all threads), rounds alternating the order, the best round per side kept
(bench/entity_sentiment_cost.py's method). Prints JSON; --write saves bench/results/topic.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common
from bench.entity_sentiment_cost import compare_chains, report

TOPIC = "topic.minilm.v3"


def main(argv: list[str] | None = None) -> int:
    from pipeline.enrich.registry import DEFAULT_CHAIN
    from pipeline.settings import WorkerSettings

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=192)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pool = common.real_articles(args.n + 32)
    warm, articles = pool[:32], pool[32:]
    batch = WorkerSettings().batch_size
    full = tuple(DEFAULT_CHAIN)
    base = tuple(n for n in full if n != TOPIC)
    best, sides = compare_chains(base, full, warm, articles, batch, args.rounds)
    out = {
        "articles": len(articles),
        "batch": batch,
        "chain": list(full),
        "without": best["without"],
        "with": best["with"],
        "topic_cpu_ms_per_article": round(
            best["with"]["cpu_ms_per_article"] - best["without"]["cpu_ms_per_article"], 2
        ),
        "cpu_overhead": round(
            best["with"]["cpu_ms_per_article"] / best["without"]["cpu_ms_per_article"] - 1, 3
        ),
        "rounds": sides,
        "machine": common.machine(),
    }
    report(out, "topic.json" if args.write else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
