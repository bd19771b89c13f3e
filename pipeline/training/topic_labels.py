"""The silver IPTC labels of 5,854 non-BBC articles, and their texts from the shared data.

The repository keeps only ids and labels (`topic_labels.jsonl`); the texts of FNC-1,
PolNeAR and HuffPost may not enter it, so they are read from `../shared/data` by id:

* `fnc1:<Body ID>`: `fnc1/train_bodies.csv`;
* `wikinews:<id>`: `wikinews/articles.jsonl` (title + text);
* `polnear:train/<name>`: `polnear/train/text/<name>.txt`;
* `huffpost:<line>`: the 0-based line of `huffpost_news_category/news_category.jsonl.gz`
  (headline + short description).

Each line: `{"id", "primary", "also", "flag", "batch", "blind"?}`; `blind` holds the labels
that other labellers gave the same item without seeing the first (docs/quality.md).
"""

from __future__ import annotations

import collections
import csv
import gzip
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.enrich.embedding import article_text
from pipeline.enrich.iptc import CODES
from pipeline.enrich.wirecopy import WireCopyEnricher
from pipeline.training.data import fnc1_bodies, read_jsonl

LABELS_FILE = Path(__file__).with_name("topic_labels.jsonl")


@dataclass(frozen=True)
class Labelled:
    id: str
    primary: str
    also: tuple[str, ...]
    flag: str | None
    blind: tuple[dict, ...] = ()

    @property
    def source(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.primary, *self.also)


def load_labels(path: Path = LABELS_FILE) -> list[Labelled]:
    out = []
    for row in read_jsonl(path):
        out.append(
            Labelled(
                id=row["id"],
                primary=row["primary"],
                also=tuple(row.get("also") or ()),
                flag=row.get("flag"),
                blind=tuple(row.get("blind") or ()),
            )
        )
    return out


def news(labels: Iterable[Labelled]) -> list[Labelled]:
    """The items that are news: `not_news` (adverts, lists, recipes ...) left out."""
    return [x for x in labels if x.flag != "not_news"]


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    ca = collections.Counter(a for a, _ in pairs)
    cb = collections.Counter(b for _, b in pairs)
    expected = sum(ca[c] * cb[c] for c in ca) / (n * n)
    return (observed - expected) / (1 - expected)


def blind_pairs(labels: Iterable[Labelled]) -> list[tuple[str, str]]:
    """(primary, primary) of each blind double label, in labelling order (batch a, batch b)."""
    pairs = []
    for x in labels:
        chain = [x.primary, *(b["primary"] for b in x.blind)]
        pairs += list(itertools.pairwise(chain))
    return pairs


def articles(data: Path, ids: Iterable[str]) -> dict[str, dict]:
    """{id: {"headline", "body"}} for labelled ids, read from the shared data."""
    wanted = set(ids)
    out: dict[str, dict] = {}
    if any(i.startswith("fnc1:") for i in wanted):
        for body_id, body in fnc1_bodies(data / "fnc1").items():
            if f"fnc1:{body_id}" in wanted:
                out[f"fnc1:{body_id}"] = {"headline": None, "body": body}
    if any(i.startswith("wikinews:") for i in wanted):
        for row in read_jsonl(data / "wikinews" / "articles.jsonl"):
            key = f"wikinews:{row['id']}"
            if key in wanted:
                out[key] = {"headline": row["title"], "body": row["text"]}
    for key in wanted:
        if key.startswith("polnear:"):
            split, name = key.split(":", 1)[1].split("/", 1)
            path = data / "polnear" / split / "text" / f"{name}.txt"
            out[key] = {"headline": None, "body": path.read_text(encoding="utf-8")}
    if any(i.startswith("huffpost:") for i in wanted):
        path = data / "huffpost_news_category" / "news_category.jsonl.gz"
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line_no, line in enumerate(fh):
                key = f"huffpost:{line_no}"
                if key in wanted:
                    row = json.loads(line)
                    out[key] = {"headline": row["headline"], "body": row["short_description"]}
    missing = wanted - set(out)
    if missing:
        raise KeyError(f"{len(missing)} labelled ids not in the shared data, e.g. {min(missing)}")
    return out


def fnc1_stories(data: Path) -> dict[str, int]:
    """`fnc1:<Body ID>` -> story number: connected components of bodies that share a
    related (agree/disagree/discuss) headline in `train_stances.csv`. Unrelated pairs are
    random pairings, so they do not connect stories."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    with (data / "fnc1" / "train_stances.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            body = f"fnc1:{int(row['Body ID'])}"
            find(body)
            if row["Stance"] != "unrelated":
                parent[find(body)] = find("headline:" + row["Headline"])
    roots: dict[str, int] = {}
    return {
        key: roots.setdefault(find(key), len(roots)) for key in list(parent) if key[:5] == "fnc1:"
    }


def onehot(labels: Iterable[Labelled]) -> tuple[np.ndarray, np.ndarray]:
    """(primary index (n,), multi-label matrix (n, 17) of primary + also)."""
    labels = list(labels)
    primary = np.array([CODES.index(x.primary) for x in labels], dtype=np.int64)
    multi = np.zeros((len(labels), len(CODES)), dtype=np.int8)
    for i, x in enumerate(labels):
        for code in x.codes:
            multi[i, CODES.index(code)] = 1
    return primary, multi


def serving_texts(items: Iterable[dict]) -> list[str]:
    """The text the embedding enricher encodes for each {"headline", "body"}: after the
    wire-copy clean-up (pasted related headlines leave the body), headline + lede."""
    records = [{"headline": a.get("headline"), "body": a.get("body") or ""} for a in items]
    WireCopyEnricher().enrich(records)
    return [article_text(r) for r in records]
