"""Write the topic head's check set (or all silver labels) as `wirestream eval topic` input.

    .venv/bin/python scripts/topic_check_set.py --out /tmp/topic-check.jsonl [--all]

One line per article, `{"id", "title", "text", "topics": [primary, *also]}`, with the text
read from the shared data (WIRESTREAM_SHARED_DATA, default ../shared/data): FNC-1, PolNeAR
and HuffPost texts may not enter the repository, so the file goes outside it. The check
ids are pinned in pipeline/training/topic_check_ids.txt (never trained on).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson

from pipeline.training.data import shared_data
from pipeline.training.topic_head import CHECK_IDS_FILE
from pipeline.training.topic_labels import articles, load_labels, news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--all", action="store_true", help="every labelled news item")
    args = parser.parse_args()
    items = news(load_labels())
    if not args.all:
        keep = set(CHECK_IDS_FILE.read_text(encoding="utf-8").split())
        items = [x for x in items if x.id in keep]
    texts = articles(shared_data(), [x.id for x in items])
    with args.out.open("wb") as fh:
        for x in items:
            row = {
                "id": x.id,
                "title": texts[x.id]["headline"],
                "text": texts[x.id]["body"],
                "topics": list(x.codes),
            }
            fh.write(orjson.dumps(row) + b"\n")
    print(f"wrote {len(items)} articles to {args.out}")


if __name__ == "__main__":
    main()
