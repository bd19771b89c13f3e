"""Story assignment cost with a full window: 100,000 live stories, then real articles assigned.

The window is filled through `StoryAssigner.restore` (what a restart does) with synthetic
articles: Zipf-distributed common words plus a few names of their own per story, a random
unit embedding, times spread over the 72-hour window. Then real articles (Wikinews, BBC
News: real lengths, real tokenisation cost) are assigned one by one, half of them first
seeded as stories so that the join path (member scores, duplicates) is exercised too.

Also measured, for the record: brute-force cosine of one embedding against every story
centroid, the lookup the inverted index replaces.

    PYTHONPATH=. python bench/story_assign.py [--stories 100000] [--articles 2000] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np

from bench.common import header, percentiles, real_articles, write_section
from pipeline.stories.assign import ArticleFeatures, StoryAssigner, StoryParams
from pipeline.stories.terms import story_text

VOCABULARY = 30_000
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def cpu_flags() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "amx_tile")
            return " ".join(f for f in wanted if f in flags)
    return "unknown"


def unit(rng: np.random.Generator) -> np.ndarray:
    vector = rng.standard_normal(384).astype(np.float32)
    return vector / np.linalg.norm(vector)


def fill(assigner: StoryAssigner, stories: int, rng: np.random.Generator) -> float:
    words = [f"w{i}x" for i in range(VOCABULARY)]
    ranks = np.minimum(rng.zipf(1.2, size=(stories, 120)), VOCABULARY) - 1
    started = time.perf_counter()
    window = assigner.params.window.total_seconds()
    for i in range(stories):
        names = " ".join(f"Name{i}n{j}" for j in range(5))
        text = names + " " + " ".join(words[r] for r in ranks[i])
        moment = NOW - dt.timedelta(seconds=window * (1 - (i + 1) / (stories + 1)) * 0.99)
        article = ArticleFeatures(f"fill{i}", text, unit(rng), moment, f"source{i % 40}")
        assigner.restore(article, f"story{i}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    rng = np.random.default_rng(17)
    assigner = StoryAssigner(StoryParams())
    fill_s = fill(assigner, args.stories, rng)
    probes = real_articles(args.articles)
    features = [
        ArticleFeatures(p["id"], story_text(p), unit(rng), NOW, p["source"]) for p in probes
    ]
    # Half of the real articles are seeded first (as updates of themselves arriving later).
    for article in features[::2]:
        assigner.restore(
            ArticleFeatures(f"seed-{article.id}", article.text, article.embedding, NOW, "wire"),
            f"seed-{article.id}",
        )
    live = len(assigner.stories)
    took_ms, cpu_ms = [], []
    joined = 0
    for article in features:
        started, cpu = time.perf_counter(), time.thread_time()
        result = assigner.assign(article)
        cpu_ms.append((time.thread_time() - cpu) * 1000)
        took_ms.append((time.perf_counter() - started) * 1000)
        joined += result.score is not None
    centroids = rng.standard_normal((args.stories, 384)).astype(np.float32)
    brute_ms = []
    for article in features[:200]:
        started = time.thread_time()
        scores = centroids @ article.embedding
        np.argpartition(scores, -24)[-24:]
        brute_ms.append((time.thread_time() - started) * 1000)
    pct = percentiles(cpu_ms)
    wall = percentiles(took_ms)
    brute = percentiles(brute_ms)
    command = f"PYTHONPATH=. python bench/story_assign.py --stories {args.stories} --articles {args.articles}"
    body = (
        "## Story assignment (`bench/story_assign.py`)\n\n"
        + header(command)
        + f"- CPU flags: {cpu_flags()}; numpy {np.__version__}\n\n"
        + f"{live:,} live stories in the window (filled by `restore` in {fill_s:.0f} s), then "
        + f"{len(features):,} real articles (Wikinews + BBC News, {joined:,} joined a story):\n\n"
        + "CPU time of the assigning thread per article (`time.thread_time`: what the step "
        + "costs, whatever else the shared cores are doing), and wall time for the record:\n\n"
        + "| lookup | mean ms/article | p50 | p95 | p99 |\n|---|---|---|---|---|\n"
        + f"| inverted index over terms + scoring of {assigner.params.candidates} candidates "
        + f"(shipped), CPU | {np.mean(cpu_ms):.2f} | {pct['p50']:.2f} | {pct['p95']:.2f} | "
        + f"{pct['p99']:.2f} |\n"
        + f"| the same, wall | {np.mean(took_ms):.2f} | {wall['p50']:.2f} | {wall['p95']:.2f} | "
        + f"{wall['p99']:.2f} |\n"
        + f"| brute-force cosine over {args.stories:,} centroids (embedding only, no scoring), CPU "
        + f"| {np.mean(brute_ms):.2f} | {brute['p50']:.2f} | {brute['p95']:.2f} | "
        + f"{brute['p99']:.2f} |\n"
    )
    print(body)
    if args.write:
        write_section("stories", body)


if __name__ == "__main__":
    main()
