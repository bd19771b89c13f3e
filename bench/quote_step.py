"""CPU of the quote step per article: this tree against a baseline commit, in one run.

    .venv/bin/python bench/quote_step.py [--baseline main] [--n 300] [--rounds 3] [--fresh]

Both sides get the same articles (real_articles: Wikinews, then BBC News) parsed once by
the serving spaCy pipeline in their own child process; only `extract_quotes` is timed,
with `time.process_time` (CPU, not wall clock, so other jobs on the machine matter less).
The sides alternate `--rounds` times and each side's best round is reported. The baseline
is checked out with `git worktree add --detach` into a temporary directory and removed.
Each parse is reused across rounds, so what the quote step caches on a parse (token
arrays, noun chunks) is paid once; `--fresh` empties those caches before every round,
as serving sees each parse once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common

CHILD = r"""
import inspect, json, sys, time
sys.path.insert(0, sys.argv[1])
from bench import common
from pipeline.enrich.entities import extract_entities
from pipeline.enrich.nlp import load_spacy, parse_prefix
from pipeline.enrich.quotes import extract_quotes

n, rounds, fresh = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "fresh"
bodies = [a["body"] for a in common.real_articles(n)]
nlp = load_spacy()
docs = list(nlp.pipe([parse_prefix(b) for b in bodies], batch_size=32))
takes_entities = "entities" in inspect.signature(extract_quotes).parameters
entities = [extract_entities(d) for d in docs]
best, quotes = None, 0
for _ in range(rounds):
    if fresh:
        for doc in docs:
            doc.user_data.clear()
    started = time.process_time()
    for body, doc, ents in zip(bodies, docs, entities):
        found = extract_quotes(body, doc, ents) if takes_entities else extract_quotes(body, doc)
        quotes += len(found)
    took = time.process_time() - started
    best = took if best is None else min(best, took)
print(json.dumps({"articles": len(bodies), "cpu_ms_per_article": 1000 * best / len(bodies),
                  "quotes_per_round": quotes // rounds}))
"""


def _side(tree: Path, n: int, rounds: int, fresh: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(n), str(rounds), "fresh" if fresh else "-"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="no parse caches across rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base), args.baseline],
            check=True,
            cwd=common.REPO,
            capture_output=True,
        )
        try:
            results = {"baseline": [], "this tree": []}
            for _ in range(2):
                results["baseline"].append(_side(base, args.n, args.rounds, args.fresh))
                results["this tree"].append(_side(common.REPO, args.n, args.rounds, args.fresh))
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)],
                cwd=common.REPO,
                capture_output=True,
            )
    for side, runs in results.items():
        cpu = min(r["cpu_ms_per_article"] for r in runs)
        print(f"{side}: {cpu:.2f} ms CPU per article, {runs[0]['quotes_per_round']} quotes")


if __name__ == "__main__":
    main()
