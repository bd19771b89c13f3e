"""Time of each spaCy component: spaCy's own pipeline, ours on blis, ours, in one run.

.venv/bin/python bench/spacy_parse.py [--n 200] [--rounds 2]

The pipelines parse the same real bodies (`common.real_articles`) in batches of 32,
batch by batch in turn, so all see the same load on a shared machine: spaCy's own
components on thinc's default gemm (blis), ours (spacy_attributes/spacy_lemmas) on blis
(the parse before issue 15), and ours on numpy's BLAS (the default since issue 15). Round 1 starts
with empty caches (a fresh worker), later rounds are a warm worker's. Also checks that
ours gives spaCy's entities (text, label, start, end) and annotation.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common

BATCH = 32


def _timed_pipe(nlp, texts: list[str], seconds: dict[str, float]) -> list:
    """nlp.pipe, one component at a time, adding each component's CPU seconds."""
    start = time.process_time()
    docs = [nlp.make_doc(text) for text in texts]
    seconds["tokenizer"] += time.process_time() - start
    for name, proc in nlp.pipeline:
        start = time.process_time()
        docs = (
            list(proc.pipe(docs, batch_size=BATCH))
            if hasattr(proc, "pipe")
            else [proc(doc) for doc in docs]
        )
        seconds[name] += time.process_time() - start
    return docs


def _entity_set(doc) -> set[tuple[str, str, int, int]]:
    from pipeline.enrich.entities import extract_entities

    return {(e["text"], e["label"], e["start"], e["end"]) for e in extract_entities(doc)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG

    from pipeline.enrich.nlp import load_spacy, parse_prefix

    texts = [parse_prefix(a["body"]) for a in common.real_articles(args.n)]
    words = sum(len(t.split()) for t in texts)
    print(common.header(f"bench/spacy_parse.py --n {args.n} --rounds {args.rounds}"))
    print(f"- {len(texts)} bodies, {words} words, {sum(map(len, texts))} characters\n")
    pipelines = {
        "spacy": load_spacy(fast_components=False, gemm="blis"),
        "ours-blis": load_spacy(gemm="blis"),
        "ours": load_spacy(),
    }
    attrs = [POS, TAG, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]
    for round_no in range(1, args.rounds + 1):
        seconds = {name: defaultdict(float) for name in pipelines}
        same_annotation, old_ents, new_ents, shared_ents = 0, 0, 0, 0
        for i in range(0, len(texts), BATCH):
            batch = texts[i : i + BATCH]
            old = _timed_pipe(pipelines["spacy"], batch, seconds["spacy"])
            _timed_pipe(pipelines["ours-blis"], batch, seconds["ours-blis"])
            new = _timed_pipe(pipelines["ours"], batch, seconds["ours"])
            for a, b in zip(old, new, strict=True):
                same_annotation += numpy.array_equal(a.to_array(attrs), b.to_array(attrs))
                ea, eb = _entity_set(a), _entity_set(b)
                old_ents, new_ents, shared_ents = (
                    old_ents + len(ea),
                    new_ents + len(eb),
                    shared_ents + len(ea & eb),
                )
        total = {name: sum(s.values()) for name, s in seconds.items()}
        print(f"### Round {round_no} ({'cold caches' if round_no == 1 else 'warm'}), CPU seconds")
        print(f"load average after: {common.load_average()}\n")
        print("| component | spaCy's pipeline | share | ours on blis | share | ours | share |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        names = list(seconds["spacy"]) + [n for n in seconds["ours"] if n not in seconds["spacy"]]
        for name in names:
            row = [f"| {name} "]
            for pipe in pipelines:
                s = seconds[pipe].get(name)
                row.append(
                    "| – | – " if s is None else f"| {s:.2f} | {100 * s / total[pipe]:.1f} % "
                )
            print("".join(row) + "|")
        ratio = total["ours"] / total["spacy"]
        print(
            f"| **total** | **{total['spacy']:.2f}** | | **{total['ours-blis']:.2f}** | "
            f"| **{total['ours']:.2f}** | |\n\n"
            f"- ours / ours on blis (before issue 15): "
            f"**{total['ours'] / total['ours-blis']:.3f}** "
            f"({1000 * total['ours-blis'] / len(texts):.1f} ms per article on blis)\n"
            f"- ours / spaCy's: **{ratio:.3f}**; "
            f"{len(texts) / total['spacy']:.1f} vs {len(texts) / total['ours']:.1f} articles per "
            f"CPU second ({1000 * total['spacy'] / len(texts):.1f} vs "
            f"{1000 * total['ours'] / len(texts):.1f} ms per article)\n"
            f"- identical annotation (POS, TAG, MORPH, LEMMA, DEP, HEAD, entities): "
            f"{same_annotation}/{len(texts)} docs; entities: precision "
            f"{shared_ents / max(new_ents, 1):.4f}, recall {shared_ents / max(old_ents, 1):.4f} "
            f"against spaCy's pipeline ({old_ents} entities)\n"
        )


if __name__ == "__main__":
    main()
