"""Train the topic model and the stance head and write them to pipeline/enrich/artefacts/.

    .venv/bin/python scripts/train_heads.py [--only topic|stance|stance-short|topic-baseline]
        [--seed 2026]
        [--out DIR] [--work DIR]

topic: fine-tunes MiniLM on the silver labels + BBC (pipeline/training/topic_finetune.py,
3 epochs, about 15 minutes on 2 quiet AVX-512 cores), then exports the last epoch to int8
ONNX and calibrates it on validation fold 0. topic-baseline: v2's logistic-regression head on the
frozen embedding, written to --work for comparison only. stance-short: the short-target
stance head (SemEval-2016 + NewsMTSC + FNC-1, pipeline/training/short_stance.py, ~2 minutes)
with its cross-validation by target.

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
    parser.add_argument("--only", choices=["topic", "stance", "stance-short", "topic-baseline"])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument(
        "--work", type=Path, default=Path("topic-training"), help="fine-tune checkpoints"
    )
    args = parser.parse_args()
    encoder = CachedEncoder()
    if args.only in (None, "topic"):
        from pipeline.training import topic_finetune

        seed = ["--seed", str(args.seed)]
        topic_finetune.main(["--out", str(args.work), *seed])
        state = args.work / f"topic_finetune.epoch{topic_finetune.EPOCHS}.safetensors"
        topic_finetune.calibrate_main([str(state), "--out", str(args.out), *seed])
    if args.only == "topic-baseline":
        from pipeline.training.topic_head import BACKEND, BASELINE_NAME, train_topic_head

        topic_encoder = CachedEncoder(backend=BACKEND)
        _run(BASELINE_NAME, lambda: train_topic_head(topic_encoder, args.seed), args.work)
    if args.only in (None, "stance"):
        from pipeline.training.stance_head import train_stance_head

        _run("stance.minilm.v1", lambda: train_stance_head(encoder, args.seed), args.out)
    if args.only in (None, "stance-short"):
        from pipeline.enrich.short_stance import NAME as SHORT
        from pipeline.training.short_stance import BACKEND, train_short_stance_head

        # One thread each (encoder, sentiment model): about 2 minutes, and the same int8
        # arithmetic on every machine.
        short_encoder = CachedEncoder(backend=BACKEND, threads=1)
        _run(SHORT, lambda: train_short_stance_head(short_encoder, args.seed), args.out)


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
