"""`wirestream enrich` runs the worker's enrichment on files, without Kafka or Elasticsearch."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from click.testing import CliRunner

from pipeline.cli.enrich import enrich
from pipeline.contracts import schemas

# The shared data dir (`WIRESTREAM_SHARED_DATA`, default `<repo>/../shared/data`) has the samples beside it.
SHARED_DATA = Path(
    os.environ.get("WIRESTREAM_SHARED_DATA")
    or Path(__file__).resolve().parents[3].parent / "shared" / "data"
)
SAMPLE = SHARED_DATA.parent / "samples" / "wire-article-1.txt"
CHEAP = "wirecopy.v1,language.lingua.v1"


def run(args: list[str], stdin: bytes | None = None):
    return CliRunner().invoke(enrich, args, input=stdin, catch_exceptions=False)


def test_the_sample_prints_one_valid_record_with_its_dateline_and_related_headlines():
    assert SAMPLE.is_file(), f"the sample wire article is missing: {SAMPLE}"
    result = run([str(SAMPLE), "--enrichers", CHEAP, "--target", "Russia"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    record = orjson.loads(lines[0])
    schemas.validate(schemas.ENRICHED, record)
    assert record["dateline"]["place"] == "WASHINGTON"
    assert record["dateline"]["agency"] == "Sputnik"
    assert len(record["related_headlines"]) == 2
    for headline in record["related_headlines"]:
        assert headline not in record["body"]


def test_stdin_json_lines_with_a_bad_line_prints_the_good_one_and_exits_1():
    good = orjson.dumps(
        {
            "schema": "wire.article.v1",
            "id": "0" * 32,
            "source": "test",
            "body": "GENEVA — Talks resumed on Monday.",
            "received_at": "2026-11-25T09:00:00Z",
        }
    )
    result = run(["-", "--format", "jsonl", "--enrichers", CHEAP], stdin=good + b"\n{oops\n")
    assert result.exit_code == 1
    assert [orjson.loads(line)["id"] for line in result.stdout.splitlines()] == ["0" * 32]
    error = orjson.loads(result.stderr.strip().splitlines()[-1])
    assert error["stage"] == "parse" and error["error_message"]


def test_an_enricher_that_does_not_exist_is_a_clear_error():
    result = CliRunner().invoke(enrich, ["-", "--enrichers", "nope.v1"], input=b"")
    assert result.exit_code != 0
    assert "unknown enricher" in result.output
