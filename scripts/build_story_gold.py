"""Build the FNC-1 story gold for `wirestream eval stories` (the text stays out of the repo).

FNC-1's bodies come from Emergent, where many outlets' articles report one claim. A body
related (agree, disagree or discuss) to a headline is about that headline's claim, so the
connected components of the related headline-body graph are stories. The train files give
191 stories over 1,683 bodies. Bodies come out in Body ID order, the stream order we replay.

Each line: {"id", "text", "story"} and `half` ("tune" or "test"), split by story (a stable
hash of the story's smallest Body ID), so a threshold chosen on one half is reported on the
other without any story in both.

    python scripts/build_story_gold.py --fnc1 DIR --out stories.jsonl
    python scripts/build_story_gold.py --fnc1 DIR --out tune.jsonl --half tune
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

RELATED = {"agree", "disagree", "discuss"}


class _Components:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def story_of_bodies(stances: list[dict[str, str]]) -> dict[int, int]:
    """Body ID -> story number (the smallest Body ID of the story), for related bodies."""
    graph = _Components()
    for row in stances:
        if row["Stance"] in RELATED:
            graph.union(f"b:{row['Body ID']}", f"h:{row['Headline'].strip()}")
    members: dict[str, list[int]] = {}
    for node in list(graph.parent):
        if node.startswith("b:"):
            members.setdefault(graph.find(node), []).append(int(node[2:]))
    return {body: min(bodies) for bodies in members.values() for body in bodies}


def half_of(story: int) -> str:
    return "tune" if hashlib.sha256(f"story:{story}".encode()).digest()[0] % 2 == 0 else "test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fnc1", type=Path, required=True, help="directory with train_*.csv")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--half", choices=["all", "tune", "test"], default="all")
    parser.add_argument("--bodies", default="train_bodies.csv")
    parser.add_argument("--stances", default="train_stances.csv")
    args = parser.parse_args()
    with (args.fnc1 / args.bodies).open(encoding="utf-8", newline="") as fh:
        bodies = {int(r["Body ID"]): r["articleBody"] for r in csv.DictReader(fh)}
    with (args.fnc1 / args.stances).open(encoding="utf-8", newline="") as fh:
        story = story_of_bodies(list(csv.DictReader(fh)))
    written, stories = 0, set()
    with args.out.open("w", encoding="utf-8") as out:
        for body_id in sorted(bodies):
            if body_id not in story:
                continue  # a body only ever unrelated has no story in the gold
            half = half_of(story[body_id])
            if args.half != "all" and half != args.half:
                continue
            row = {"id": str(body_id), "text": bodies[body_id], "story": str(story[body_id])}
            row["half"] = half
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
            stories.add(story[body_id])
    print(f"{written} bodies, {len(stories)} stories -> {args.out}")


if __name__ == "__main__":
    main()
