"""Count the reported-speech cue table on PolNeAR train and write quotes.cues.v1.json.

    .venv/bin/python scripts/train_quote_cues.py [--threshold 0.6] [--out DIR]

Reads PolNeAR from WIRESTREAM_SHARED_DATA (default: ../shared/data next to the
repository); parses are cached in the user cache directory. The threshold is chosen on
dev with `wirestream eval quotes` (docs/quality.md); test is never read.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipeline.enrich.artefacts import SHIPPED
from pipeline.eval.polnear import load_articles
from pipeline.settings import StackSettings
from pipeline.training import quote_cues

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args()
    shared = Path(os.environ.get("WIRESTREAM_SHARED_DATA", REPO.parent / "shared" / "data"))
    articles = list(load_articles(shared / "polnear" / "train"))
    docs = quote_cues.parsed(articles, StackSettings().cache_dir / "polnear-parses")
    positives, totals = quote_cues.count(articles, docs)
    meta = quote_cues.table(positives, totals, args.threshold)
    quote_cues.write(meta, args.out / f"{meta['name']}.json")
    print(f"{len(meta['scores'])} keys, threshold {args.threshold}")


if __name__ == "__main__":
    main()
