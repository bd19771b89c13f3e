"""`wirestream eval topic|stance|quotes`: run the serving enrichers on a data set, print metrics.

`--split heldout` keeps only the held-out part that the shipped head was NOT trained on
(the ids the training script recorded in the artefact's metadata), so anyone can
reproduce the numbers in docs/quality.md from the shared data.
"""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from typing import ClassVar

import click
import orjson

SPLITS = click.Choice(["all", "heldout"])


class _EvalGroup(click.Group):
    """`quotes`, `stories` and `entity-sentiment` live in their own modules; imported only when used."""

    LAZY: ClassVar[dict[str, str]] = {
        "quotes": "pipeline.eval.quotes:quotes",
        "stories": "pipeline.eval.stories:stories",
        "entity-sentiment": "pipeline.eval.entity_sentiment:entity_sentiment",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            module, _, attr = self.LAZY[name].partition(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=_EvalGroup)
def evaluate() -> None:
    """Measure the enrichers on labelled data through the serving code."""


def _runner(chain: tuple[str, ...], **settings: str):
    from pipeline.enrich.resources import Resources
    from pipeline.enrich.runner import EnrichmentRunner
    from pipeline.settings import EnrichSettings

    if not settings:
        return EnrichmentRunner.from_names(chain)
    return EnrichmentRunner.from_names(chain, Resources(settings=EnrichSettings(**settings)))


def _heldout(name: str, key: str) -> set:
    """Ids an artefact's metadata (`<name>.json`) records, e.g. the ones it never trained on."""
    from pipeline.enrich.artefacts import artefact_dir
    from pipeline.settings import EnrichSettings

    folder = artefact_dir(EnrichSettings().artefacts_dir)
    meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return {str(v) for v in meta[key]}


def _print(report: dict, took: float, n: int) -> None:
    report["took_s"] = round(took, 1)
    report["articles_per_s"] = round(n / took, 2) if took else None
    click.echo(json.dumps(report, indent=2))


@evaluate.command("topic")
@click.option(
    "--data", "data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--predictions-out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--split",
    type=click.Choice(["all", "heldout", "check"]),
    default="all",
    help="heldout: only the topic head's BBC held-out ids; check: only its check-set ids",
)
def topic(data: Path, predictions_out: Path | None, split: str) -> None:
    """IPTC topics of JSON lines {"id", "title"?, "text", "label"?|"topics"?}."""
    from pipeline.enrich.topics import NAME
    from pipeline.eval.articles import TOPIC_CHAIN, enrich_all, wire_article
    from pipeline.eval.topic import gold_codes, topic_report
    from pipeline.training.data import read_jsonl

    rows = list(read_jsonl(data))
    if split != "all":
        keep = _heldout(NAME, "heldout_ids" if split == "heldout" else "check_ids")
        rows = [r for r in rows if str(r["id"]) in keep]
    runner = _runner(TOPIC_CHAIN)
    # the worker's own enricher, so `ranked` scores what `topics` was chosen from
    enricher = next(e for e in runner.enrichers if e.name == NAME)
    started = time.perf_counter()
    articles = [wire_article(f"topic:{r['id']}", r.get("title"), r.get("text") or "") for r in rows]
    predicted, ranked = [], []
    for _, record in enrich_all(runner, articles):
        predicted.append([t["code"] for t in (record or {}).get("topics", [])])
        scored = bool(record and record.get("topics"))
        # the scores of all 17 codes, from what the topic model read
        probs = enricher.probabilities([record])[0] if scored else None
        ranked.append(enricher.model.scorer.ranked(probs) if probs is not None else [])
    took = time.perf_counter() - started
    if predictions_out:
        with predictions_out.open("wb") as fh:
            for row, codes, scores in zip(rows, predicted, ranked, strict=True):
                line = {"id": row["id"], "topics": codes, "ranked": scores}
                fh.write(orjson.dumps(line) + b"\n")
    gold = [gold_codes(r) for r in rows]
    report = (
        topic_report(gold, predicted, [[s["code"] for s in r] for r in ranked])
        if any(gold)
        else {"n": len(rows), "labelled": 0}
    )
    _print(report, took, len(rows))


@evaluate.command("stance")
@click.option(
    "--bodies", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--stances", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--predictions-out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--split", type=SPLITS, default="all", help="heldout: only the stance head's held-out bodies"
)
@click.option(
    "--target-kind",
    type=click.Choice(["claim", "short", "auto"]),
    default="claim",
    show_default=True,
    help="what the headlines are: claims (FNC-1), short targets (names, policies, topics:"
    " favor/against written as agree/disagree) or auto (detected per headline)",
)
def stance(
    bodies: Path, stances: Path, predictions_out: Path | None, split: str, target_kind: str
) -> None:
    """FNC-1 score of FNC-1 format files (Body ID,articleBody and Headline,Body ID[,Stance]).

    With short targets, also SemEval-2016's score: the mean F1 of favor (agree) and against
    (disagree), pooled and per headline."""
    from pipeline.eval.articles import STANCE_CHAIN
    from pipeline.eval.fnc import LABELS, stance_report
    from pipeline.eval.stance import (
        predict_stances,
        read_bodies,
        read_stances,
        short_target_report,
        write_predictions,
    )

    body_text = read_bodies(bodies)
    rows = read_stances(stances)
    if split == "heldout":
        keep = _heldout("stance.minilm.v1", "heldout_body_ids")
        rows = [r for r in rows if r["Body ID"] in keep]
    runner = _runner(STANCE_CHAIN, target_kind=target_kind)
    started = time.perf_counter()
    labels, fallbacks = predict_stances(runner, body_text, rows)
    took = time.perf_counter() - started
    if predictions_out:
        write_predictions(predictions_out, rows, labels)
    gold = [r.get("Stance") for r in rows]
    if all(g in LABELS for g in gold) and gold:
        report = stance_report(gold, labels)
    else:
        report = {"n": len(rows), "labelled": 0}
    if target_kind != "claim" and gold and all(g in LABELS for g in gold):
        report["short_targets"] = short_target_report(rows, labels)
    report["no_stance_fallback_unrelated"] = fallbacks
    _print(report, took, len({r["Body ID"] for r in rows}))


@evaluate.command("extract")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="a folder with html/<id>.html.gz (or .html) and, optionally, ground-truth.json",
)
@click.option("--predictions-out", type=click.Path(dir_okay=False, path_type=Path))
def extract(data: Path, predictions_out: Path | None) -> None:
    """Article bodies of saved pages through the connectors' extractor; P/R/F1 when labelled."""
    from pipeline.eval.extraction import evaluate as score_bodies
    from pipeline.eval.extraction import extract_pages, read_gold

    started = time.perf_counter()
    predicted, refused = extract_pages(data)
    took = time.perf_counter() - started
    if predictions_out:
        with predictions_out.open("wb") as fh:
            for key, body in predicted.items():
                fh.write(orjson.dumps({"id": key, "body": body}) + b"\n")
    gold = read_gold(data)
    report: dict = {"n": len(predicted), "labelled": 0}
    if gold is not None:
        missing = sorted(set(gold) - set(predicted))
        report = {k: round(v, 4) for k, v in score_bodies(gold, predicted).items()}
        report["n"] = len(gold)
        report["gold_without_page"] = missing[:20]
    report["no_text"] = refused
    _print(report, took, len(predicted))
