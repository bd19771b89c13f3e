"""Readers for the training data in the shared data folder (never copied into the repo)."""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def shared_data() -> Path:
    """`WIRESTREAM_SHARED_DATA`, else `../shared/data` next to the repository."""
    return Path(os.environ.get("WIRESTREAM_SHARED_DATA") or REPO.parent / "shared" / "data")


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True)
class Descriptor:
    """One IPTC Media Topic (any level) as text, labelled with its level-1 ancestor."""

    code: str
    level1: str
    text: str


def iptc_descriptors(path: Path | None = None) -> list[Descriptor]:
    """Every non-retired Media Topic as 'parent > name: definition', under its level-1 code."""
    path = path or shared_data() / "iptc_mediatopics" / "iptc_mapping.json"
    vocab = json.loads(path.read_text(encoding="utf-8"))  # the file writes missing values as NaN

    def present(value: object) -> bool:
        return (
            isinstance(value, str)
            and bool(value)
            and not (isinstance(value, float) and math.isnan(value))
        )

    out = []
    for code, entry in vocab.items():
        if present(entry.get("RetiredDate")):
            continue
        chain = [entry.get(f"Level{i}/NewsCode") for i in range(1, 7)]
        chain = [c for c in chain if present(c)]
        parent = vocab.get(chain[-2], {}).get("Name (en-GB)") if len(chain) > 1 else None
        name = entry["Name (en-GB)"]
        definition = entry.get("Definition (en-GB)")
        definition = definition if present(definition) else ""
        head = f"{parent} > {name}" if parent and parent != name else name
        out.append(Descriptor(code, chain[0], f"{head}: {definition}".strip(": ")))
    return out


def fnc1_bodies(folder: Path) -> dict[int, str]:
    with (folder / "train_bodies.csv").open(encoding="utf-8", newline="") as fh:
        return {int(row["Body ID"]): row["articleBody"] for row in csv.DictReader(fh)}


def fnc1_stances(folder: Path) -> list[tuple[str, int, str]]:
    with (folder / "train_stances.csv").open(encoding="utf-8", newline="") as fh:
        return [(r["Headline"], int(r["Body ID"]), r["Stance"]) for r in csv.DictReader(fh)]
