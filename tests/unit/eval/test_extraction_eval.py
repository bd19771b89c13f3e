"""`wirestream eval extract`: the benchmark's shingle metric and the command over a data folder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from pipeline.cli.evaluate import evaluate as eval_group
from pipeline.eval.extraction import evaluate, page_counts, score, shingles

HTML = Path(__file__).resolve().parents[2] / "fixtures" / "html"


def test_shingles_are_four_word_runs_and_a_short_text_is_one_shingle():
    assert list(shingles("One, two; three four five.")) == [
        ("One", "two", "three", "four"),
        ("two", "three", "four", "five"),
    ]
    assert list(shingles("just three words")) == [("just", "three", "words")]
    assert shingles("") == {}


def test_page_counts_are_normalised_to_sum_one_with_multiplicity():
    assert page_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = page_counts("a b c d e", "a b c d x")  # abcd shared; bcdx extra; bcde missed
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert page_counts("a b c d a b c d", "a b c d") == pytest.approx((0.2, 0.0, 0.8))


def test_f1_is_of_the_page_averaged_precision_and_recall():
    counts = [page_counts("a b c d e", "a b c d x"), page_counts("p q r s", "p q r s")]
    assert score(counts) == pytest.approx({"precision": 0.75, "recall": 0.75, "f1": 0.75})
    # an empty prediction has no precision to average, and recall 0
    result = evaluate({"1": "a b c d e", "2": "p q r s"}, {"1": "", "2": "p q r s"})
    assert result["precision"] == 1.0 and result["recall"] == 0.5
    assert result["f1"] == pytest.approx(2 / 3)


def test_eval_extract_writes_bodies_and_scores_them_with_the_connectors_extractor(tmp_path):
    (tmp_path / "html").mkdir()
    gold = {}
    for path in sorted(HTML.glob("*.html")):
        page = path.read_bytes()
        (tmp_path / "html" / f"{path.stem}.html.gz").write_bytes(gzip.compress(page))
        body = page.split(b"</time>")[1].split(b"</article>")[0].decode()
        text = "\n".join(p.split(">", 1)[1] for p in body.split("</p>") if "<p>" in p)
        gold[path.stem] = {"articleBody": text.replace("&#x27;", "'").replace("&quot;", '"')}
    (tmp_path / "ground-truth.json").write_text(json.dumps(gold))
    out = tmp_path / "predictions.jsonl"
    result = CliRunner().invoke(
        eval_group, ["extract", "--data", str(tmp_path), "--predictions-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 2 and report["f1"] > 0.95
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [r["id"] for r in rows] == ["escape-room-fire", "term-limits"]
    assert rows[0]["body"].startswith("A fire yesterday afternoon")


def test_eval_extract_without_ground_truth_only_writes_predictions(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "one.html").write_bytes((HTML / "term-limits.html").read_bytes())
    out = tmp_path / "p.jsonl"
    result = CliRunner().invoke(
        eval_group, ["extract", "--data", str(tmp_path), "--predictions-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["labelled"] == 0
    assert orjson.loads(out.read_bytes())["id"] == "one"
