"""The pure helpers of the benchmark suite (bench/common.py)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.common import percentiles, replace_section, to_article
from pipeline.contracts import schemas


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentiles(values) == {"p50": 50, "p95": 95, "p99": 99}
    assert percentiles([3.0]) == {"p50": 3.0, "p95": 3.0, "p99": 3.0}


def test_percentiles_of_nothing_are_nan():
    assert all(math.isnan(v) for v in percentiles([]).values())


def test_replace_section_rewrites_only_its_own_block():
    doc = "# B\n\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\n\n<!-- bench:b -->\nb\n<!-- /bench:b -->\n"
    out = replace_section(doc, "a", "new a")
    assert "new a" in out and "old a" not in out
    assert "<!-- bench:b -->\nb\n<!-- /bench:b -->" in out


def test_replace_section_appends_a_missing_block():
    out = replace_section("# B\n", "e2e", "numbers")
    assert out.endswith("<!-- bench:e2e -->\nnumbers\n<!-- /bench:e2e -->\n")


def test_bench_articles_are_valid_wire_articles_with_stable_ids():
    article = to_article("bbc", "business/001", "Headline", "Body text.")
    assert list(schemas.errors(schemas.ARTICLE, article)) == []
    assert article["id"] == to_article("bbc", "business/001", "x", "y")["id"]
    assert article["id"] != to_article("bbc", "business/002", "x", "y")["id"]


def test_compiled_schema_check_rejects_what_the_reference_rejects():
    good = to_article("bbc", "x", "Headline", "Body.")
    bad = [
        {**good, "id": "not-hex"},
        {**good, "unexpected": 1},
        {k: v for k, v in good.items() if k != "body"},
        {**good, "format": "fax"},
        {**good, "targets": [""]},
    ]
    assert list(schemas.errors(schemas.ARTICLE, good)) == []
    for record in bad:
        assert list(schemas.errors(schemas.ARTICLE, record)), record
