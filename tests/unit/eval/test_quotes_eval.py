"""`wirestream eval quotes`: PolNeAR reading, gold rules, the 80% token-overlap match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.eval.matching import Counts, match, match_mutual
from pipeline.eval.polnear import Article, gold_direct, gold_reported, load_articles, parse_ann

TEXT = (
    'Mattis said the plan was "a disaster" for everyone.\n'
    '"We will win," the general said.\n'
    "Officials said that talks would resume.\n"
    'The so-called "reform" passed.'
)


def offsets(sub: str) -> str:
    start = TEXT.index(sub)
    return f"{start} {start + len(sub)}"


MIXED = 'the plan was "a disaster" for everyone'
ANN = "\n".join(
    [
        f"T1\tSource {offsets('Mattis')}\tMattis",
        f"T2\tCue {offsets('said')}\tsaid",
        f"T3\tContent {offsets(MIXED)}\t{MIXED}",
        "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1",
        f"T4\tSource {offsets('the general')}\tthe general",
        f"T5\tContent {offsets('We will win,')}\tWe will win,",
        "E2\tAttribution:T2 Content:T5 Source:T4",
        f"T6\tSource {offsets('Officials')}\tOfficials",
        f"T7\tContent {offsets('that talks would resume')}\tthat talks would resume",
        "E3\tAttribution:T2 Content:T7 Source:T6",
    ]
)


@pytest.fixture
def article() -> Article:
    return Article("a", TEXT, parse_ann(ANN))


def span_text(spans) -> list[str]:
    return [TEXT[g.start : g.end] for g in spans]


def test_gold_direct_is_the_quoted_part_of_content(article):
    assert span_text(gold_direct(article)) == ["a disaster", "We will win,"]


def test_scare_quote_outside_content_is_not_gold(article):
    assert "reform" not in span_text(gold_direct(article))


def test_gold_reported_is_indirect_and_mixed_content_but_not_all_quote(article):
    assert span_text(gold_reported(article)) == [MIXED, "that talks would resume"]


def test_mutual_match_needs_half_of_each_side():
    text = "one two three four five six seven eight nine ten"
    gold = [(0, text.index("five") + 4)]  # five tokens
    assert match_mutual(text, [(0, text.index("three") + 5)], gold) == {0: 0}  # 3 of 5
    assert match_mutual(text, [(0, text.index("two") + 3)], gold) == {}  # 2 of 5
    assert match_mutual(text, [(0, len(text))], gold) == {0: 0}  # 5 of 10
    assert match_mutual(text, [(text.index("four"), len(text))], gold) == {}  # 2 of 7


def test_gold_keeps_the_source_spans(article):
    first = gold_direct(article)[0]
    assert [TEXT[s:e] for s, e in first.sources] == ["Mattis"]


def test_discontinuous_spans_are_read():
    [rel] = parse_ann("T1\tContent 0 4;6 9\tab\nT2\tSource 10 12\tx\nE1\tContent:T1 Source:T2")
    assert rel.content == [(0, 4), (6, 9)] and rel.source == [(10, 12)]


def test_match_needs_eighty_percent_of_gold_tokens():
    text = "one two three four five six seven eight nine ten"
    gold = [(0, len(text))]
    eight = text.index("nine") - 1
    assert match(text, [(0, eight)], gold) == {0: 0}
    assert match(text, [(0, text.index("eight") - 1)], gold) == {}


def test_match_is_one_to_one():
    text = "alpha beta gamma"
    assert len(match(text, [(0, 16), (0, 16)], [(0, 16)])) == 1


def test_counts_give_f1():
    counts = Counts(tp=8, predicted=10, gold=8)
    assert counts.precision == 0.8 and counts.recall == 1.0
    assert round(counts.f1, 4) == 0.8889


@pytest.mark.slow
def test_eval_command_scores_and_writes_predictions(tmp_path: Path):
    from pipeline.eval.quotes import direct_parts, quotes

    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "a_x1.ann").write_text(ANN, encoding="utf-8")
    (tmp_path / "attributions" / "a_x2.ann").write_text("", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(quotes, ["--data", str(tmp_path), "--predictions-out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["direct"]["gold"] == 2
    assert metrics["baseline_pattern_only"]["predicted"] == 3
    [line] = out.read_text(encoding="utf-8").splitlines()
    prediction = json.loads(line)
    assert prediction["file"] == "a.txt"
    parts = direct_parts(prediction["quotes"])
    assert any(TEXT[q["start"] : q["end"]] == "a disaster" for q in parts)
    assert next(iter(load_articles(tmp_path))).relations  # the first annotator file by name
