"""Write SemEval-2016 stance data (TSV: ID, Target, Tweet, Stance) as FNC-1 CSV files.

    .venv/bin/python scripts/semeval_to_fnc.py ../shared/data/semeval2016_stance/train.tsv /tmp/semeval
    .venv/bin/wirestream eval stance --bodies /tmp/semeval/bodies.csv \\
        --stances /tmp/semeval/stances.csv --target-kind short

Each tweet is a body (its ID the Body ID, the dataset's `#SemST` tag dropped, as in
training); the target is the headline; FAVOR -> agree, AGAINST -> disagree, NONE -> discuss
(the score counts only favor and against). The files hold the tweets: write them outside
the repository.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

AS_FNC = {"FAVOR": "agree", "AGAINST": "disagree", "NONE": "discuss"}
SEMST = re.compile(r"\s*#SemST\b")


def convert(tsv: Path, out: Path) -> int:
    with tsv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    out.mkdir(parents=True, exist_ok=True)
    with (out / "bodies.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Body ID", "articleBody"])
        for row in rows:
            writer.writerow([row["ID"], SEMST.sub("", row["Tweet"]).strip()])
    with (out / "stances.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Headline", "Body ID", "Stance"])
        for row in rows:
            writer.writerow([row["Target"], row["ID"], AS_FNC[row["Stance"]]])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(f"wrote {convert(args.tsv, args.out)} pairs to {args.out}/bodies.csv, stances.csv")


if __name__ == "__main__":
    main()
