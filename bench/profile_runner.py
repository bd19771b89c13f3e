"""Profile the enrichment runner (pyinstrument) on real articles; top entries to stdout.

.venv/bin/python bench/profile_runner.py [--n 128]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=128)
    parser.add_argument("--html", type=Path, default=None)
    args = parser.parse_args()
    from pyinstrument import Profiler

    from pipeline.enrich.registry import DEFAULT_CHAIN
    from pipeline.enrich.runner import EnrichmentRunner

    articles = common.real_articles(args.n + 8)
    runner = EnrichmentRunner.from_names(DEFAULT_CHAIN)
    runner.run(articles[:8])  # models loaded outside the profile
    profiler = Profiler(interval=0.005)
    profiler.start()
    for i in range(8, len(articles), 32):
        runner.run(articles[i : i + 32])
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    if args.html:
        args.html.write_text(profiler.output_html())


if __name__ == "__main__":
    main()
