"""Rebuild the reported-speech artefacts from PolNeAR train: the cue table
(quotes.cues.v1.json) and the candidate scorer trained on it (quotes.scorer.v1.json).

    .venv/bin/python scripts/train_quote_cues.py [--threshold 0.6] [--scorer-threshold T]
        [--out DIR] [--parses DIR]

Reads PolNeAR from WIRESTREAM_SHARED_DATA (default: ../shared/data next to the
repository); parses are cached in the user cache directory (or `--parses`). Both
thresholds are chosen on dev with `wirestream eval quotes` (docs/quality.md); test is
never read. Deterministic: the folds are fixed by article order and lbfgs has no random
start, so the shipped files are rebuilt byte for byte.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipeline.enrich.artefacts import SHIPPED
from pipeline.eval.polnear import load_articles
from pipeline.settings import StackSettings
from pipeline.training import quote_cues, quote_scorer

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.6, help="the table alone")
    parser.add_argument("--scorer-threshold", type=float, default=quote_scorer.THRESHOLD)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--parses", type=Path, default=None)
    args = parser.parse_args()
    shared = Path(os.environ.get("WIRESTREAM_SHARED_DATA", REPO.parent / "shared" / "data"))
    articles = list(load_articles(shared / "polnear" / "train"))
    parses = args.parses or StackSettings().cache_dir / "polnear-parses"
    docs = quote_cues.parsed(articles, parses)
    positives, totals = quote_cues.count(articles, docs)
    meta = quote_cues.table(positives, totals, args.threshold)
    quote_cues.write(meta, args.out / f"{meta['name']}.json")
    print(f"{len(meta['scores'])} keys, threshold {args.threshold}")
    x, y = quote_scorer.cross_fitted_rows(articles, docs)
    weights, bias = quote_scorer.fit(x, y)
    scorer = quote_scorer.scorer_meta(weights, bias, args.scorer_threshold, len(y), int(y.sum()))
    quote_scorer.write(scorer, args.out / f"{scorer['name']}.json")
    print(
        f"scorer: {len(y)} candidates, {int(y.sum())} attributions, "
        f"threshold {args.scorer_threshold}"
    )


if __name__ == "__main__":
    main()
