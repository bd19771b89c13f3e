"""`wirestream enrich` (the installed command, in a subprocess) on legacy encodings and bad bytes.

One record each, with the warning that says what decoding did, and nothing on stderr: a
Windows-1252 file keeps its accents, UTF-8 with a stray byte keeps everything but that byte.
The sample wire article, which has no headline line, gets a derived one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from connectors.decoding import warning_code
from pipeline.contracts import schemas

REPO = Path(__file__).resolve().parents[3]
SHAPES = REPO / "tests" / "fixtures" / "shapes"
SHARED_DATA = Path(os.environ.get("WIRESTREAM_SHARED_DATA") or REPO.parent / "shared" / "data")
SAMPLE = SHARED_DATA.parent / "samples" / "wire-article-1.txt"
CHEAP = "wirecopy.v1,language.lingua.v1"


def _enrich(path: Path) -> tuple[list[dict], str, int]:
    cli = str(Path(sys.executable).with_name("wirestream"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [cli, "enrich", str(path), "--enrichers", CHEAP],
        capture_output=True,
        env=env,
        timeout=300,
    )
    records = [orjson.loads(line) for line in done.stdout.splitlines()]
    return records, done.stderr.decode(errors="replace"), done.returncode


def test_a_windows_1252_file_gives_one_record_with_its_accents_and_a_warning() -> None:
    records, stderr, code = _enrich(SHAPES / "windows-1252.txt")
    assert code == 0, stderr
    [record] = records
    schemas.validate(schemas.ENRICHED, record)
    assert "caf\u00e9" in record["body"] and "Fran\u00e7oise" in record["body"]
    assert "\u201cThis sentence is invented for the encoding test,\u201d" in record["body"]
    [warning] = record["warnings"]
    assert warning_code(warning) == "encoding_detected" and "windows-1252" in warning
    assert record["dateline"]["place"] == "LA JOLLA, California"


def test_utf8_with_a_stray_byte_gives_one_record_with_a_warning() -> None:
    records, stderr, code = _enrich(SHAPES / "utf8-stray-byte.txt")
    assert code == 0, stderr
    [record] = records
    schemas.validate(schemas.ENRICHED, record)
    assert record["body"].count("\ufffd") == 1
    assert "\u2014 invented for the test \u2014" in record["body"]
    [warning] = record["warnings"]
    assert warning_code(warning) == "invalid_bytes_replaced" and "0xff" in warning


def test_the_sample_article_gets_a_derived_headline() -> None:
    assert SAMPLE.is_file(), f"the sample wire article is missing: {SAMPLE}"
    records, stderr, code = _enrich(SAMPLE)
    assert code == 0, stderr
    [record] = records
    assert record["headline"] == "The deconfliction line runs down the Euphrates River"
    assert record["headline_derived"] is True
    assert record["dateline"] == {"place": "WASHINGTON", "agency": "Sputnik", "date": None}
    assert "warnings" not in record  # clean UTF-8: nothing to report
