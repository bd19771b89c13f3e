"""Train the topic and stance heads and write them to pipeline/enrich/artefacts/.

    .venv/bin/python scripts/train_heads.py [--only topic|stance] [--seed 2026] [--out DIR]

Reads the shared data from WIRESTREAM_SHARED_DATA (default: ../shared/data next to the
repository) and, for the topic head, the silver labels in pipeline/training/topic_labels.jsonl;
caches embeddings in the user cache directory, prints the metrics. The topic head is
trained on the serving encoder's (ONNX int8) vectors, the stance head on PyTorch fp32 ones.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from pipeline.enrich.artefacts import SHIPPED, save_head
from pipeline.training.cache import CachedEncoder

SEED = 2026


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["topic", "stance"])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args()
    encoder = CachedEncoder()
    if args.only in (None, "topic"):
        from pipeline.enrich.topics import NAME
        from pipeline.training.topic_head import BACKEND, train_topic_head

        topic_encoder = CachedEncoder(backend=BACKEND)
        _run(NAME, lambda: train_topic_head(topic_encoder, args.seed), args.out)
    if args.only in (None, "stance"):
        from pipeline.training.stance_head import train_stance_head

        _run("stance.minilm.v1", lambda: train_stance_head(encoder, args.seed), args.out)


def _run(name: str, train, out: Path) -> None:
    print(f"training {name}")
    started = time.perf_counter()
    arrays, meta = train()
    meta["training_seconds"] = round(time.perf_counter() - started, 1)
    save_head(name, arrays, meta, out)
    print(json.dumps(meta["metrics"], indent=2))
    print(f"wrote {out / name}.npz/.json in {meta['training_seconds']}s")


if __name__ == "__main__":
    main()
