"""Enrichment throughput: a naive per-article transformers baseline against wirestream's runner.

    .venv/bin/python bench/enrich_throughput.py [--n 1000]

Same run, same articles (Wikinews + BBC News from the shared data), each side in its own
child process so peak RSS is per side:
- naive: transformers PyTorch fp32, one article at a time, headline + full body up to 512
  tokens, mean-pooled embedding, then a second fp32 pass of the same architecture standing
  in for the fine-tuned topic classifier (`topic.minilm.v3` reads the article with its own
  MiniLM; its weights ship only as int8 ONNX), its logits through a linear layer;
- wirestream: the real `EnrichmentRunner` with the default chain (language, topics, stance,
  quotes, entities, embedding), batches of the worker's size, the configured backend;
- `wirestream enrich` on the same articles as a JSON-lines file (what a user runs).
Writes the `enrich` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common

PREFETCH = "(prefetch: the spaCy parse)"


def _rss_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def naive(n: int) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    from pipeline.enrich.minilm import model_path

    articles = common.real_articles(n)
    path = str(model_path())
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    topic_model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    topic_head = torch.nn.Linear(384, 17)
    started = time.perf_counter()
    with torch.inference_mode():
        for article in articles:
            text = f"{article['headline']}\n\n{article['body']}"
            enc = tokenizer(text, truncation=True, max_length=512, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            vector = (hidden * mask).sum(1) / mask.sum(1)
            vector = torch.nn.functional.normalize(vector, dim=1).numpy().astype(np.float32)
            topic_hidden = topic_model(**enc).last_hidden_state
            torch.sigmoid(topic_head((topic_hidden * mask).sum(1) / mask.sum(1)))
    took = time.perf_counter() - started
    return {"articles": len(articles), "seconds": took, "peak_rss": _rss_self()}


def wirestream(n: int, batch: int, gemm: str = "numpy") -> dict:
    import functools

    from pipeline.enrich import nlp
    from pipeline.enrich.backends import torch_kept_out
    from pipeline.enrich.registry import DEFAULT_CHAIN
    from pipeline.enrich.runner import EnrichmentRunner

    # "blis": the spaCy parse on thinc's default gemm, as before issue 15.
    nlp.load_spacy = functools.partial(nlp.load_spacy, gemm=gemm)
    articles = common.real_articles(n)
    with torch_kept_out(_backend_name()):  # as the worker loads its models
        runner = EnrichmentRunner.from_names(DEFAULT_CHAIN)
    split: dict[str, float] = {}

    def timed(inner, name):
        def call(records):
            t = time.perf_counter()
            inner(records)
            split[name] = split.get(name, 0.0) + time.perf_counter() - t

        return call

    for enricher in runner.enrichers:
        enricher.enrich = timed(enricher.enrich, enricher.name)
        if hasattr(enricher, "prefetch"):
            enricher.prefetch = timed(enricher.prefetch, f"{enricher.name} {PREFETCH}")
    runner.run(articles[:8])  # models built and warmed, as in a running worker
    split.clear()
    started = time.perf_counter()
    ok = 0
    for i in range(0, len(articles), batch):
        oks, _ = runner.run(articles[i : i + batch])
        ok += len(oks)
    took = time.perf_counter() - started
    return {
        "articles": ok,
        "seconds": took,
        "peak_rss": _rss_self(),
        "split": split,
        "backend": runner.enrichers and _backend_name(),
    }


def _backend_name() -> str:
    from pipeline.settings import EnrichSettings

    return EnrichSettings().backend


def _child(mode: str, n: int, batch: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--n", str(n), "--batch", str(batch)],
        capture_output=True,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def cli(n: int) -> dict:
    wirestream_bin = str(Path(sys.executable).with_name("wirestream"))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in common.real_articles(n)))
        rc, took, peak = common.run_measured(
            [wirestream_bin, "enrich", "--format", "jsonl", str(src)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return {"rc": rc, "articles": n, "seconds": took, "peak_rss": peak}


def report(n: int, batch: int) -> str:
    command = f".venv/bin/python bench/enrich_throughput.py --n {n}"
    head = common.header(command)  # before the runs: the load average at start
    base = _child("naive", n, batch)
    before = _child("wirestream-blis", n, batch)
    ours = _child("wirestream", n, batch)
    user = cli(n)
    base_rate = base["articles"] / base["seconds"]
    ours_rate = ours["articles"] / ours["seconds"]
    before_rate = before["articles"] / before["seconds"]
    user_rate = user["articles"] / user["seconds"]
    lines = [
        "## Enrichment throughput",
        "",
        head,
        f"- Backend (WIRESTREAM_ENRICH_BACKEND): `{ours['backend']}`; batch {batch}; "
        f"load average at end: {common.load_average()}",
        "",
        "| path | articles | seconds | articles/s | ratio to naive | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
        f"| naive: transformers fp32, 1 article at a time, 512 tokens, embedding + topic classifier passes "
        f"| {base['articles']} | {base['seconds']:.1f} | {base_rate:.1f} | 1.0× "
        f"| {common.mb(base['peak_rss'])} |",
        f"| before issue 15: the same runner, spaCy parse on thinc's blis gemm "
        f"| {before['articles']} | {before['seconds']:.1f} | {before_rate:.1f} "
        f"| {before_rate / base_rate:.1f}× | {common.mb(before['peak_rss'])} |",
        f"| wirestream `EnrichmentRunner`, full default chain, batched "
        f"| {ours['articles']} | {ours['seconds']:.1f} | {ours_rate:.1f} "
        f"| **{ours_rate / base_rate:.1f}×** | {common.mb(ours['peak_rss'])} |",
        f"| `wirestream enrich --format jsonl` (process start and model load included) "
        f"| {user['articles']} | {user['seconds']:.1f} | {user_rate:.1f} "
        f"| {user_rate / base_rate:.1f}× | {common.mb(user['peak_rss'])} |",
        "",
        f"Ours against before issue 15 in this run: **{ours_rate / before_rate:.2f}×**.",
        "",
        "Per-enricher time in the wirestream run (wall seconds; share of the run's wall time;",
        f"rows marked {PREFETCH} ran in the background thread, beside the encoder enrichers,",
        "and an enricher's own row then counts only its wait for it and its rules):",
        "",
        "| enricher | seconds | share |",
        "|---|---:|---:|",
    ]
    for name, secs in sorted(ours["split"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {secs:.1f} | {secs / ours['seconds']:.0%} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--child", choices=["naive", "wirestream", "wirestream-blis"])
    args = parser.parse_args()
    if args.child:
        if args.child == "naive":
            result = naive(args.n)
        else:
            gemm = "blis" if args.child == "wirestream-blis" else "numpy"
            result = wirestream(args.n, args.batch, gemm)
        print(json.dumps(result))
        return
    body = report(args.n, args.batch)
    common.write_section("enrich", body)
    print(body)


if __name__ == "__main__":
    main()
