"""The wire sample of issues 5 and 14: the eight quotes are Jim Mattis's, the reported
statements of Felix Gedney are his, the pasted headlines give nothing, no words twice."""

from __future__ import annotations

import itertools
import os

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_text(shared_data) -> str:
    path = shared_data.parent / "samples" / "wire-article-1.txt"
    if not path.exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"sample missing in CI: {path}")
        pytest.skip(f"shared samples not present: {path}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_quotes(sample_text, nlp):
    from pipeline.enrich.quotes import extract_quotes

    return extract_quotes(sample_text, nlp(sample_text))


def quoted_parts(text: str, quotes: list[dict]) -> list[tuple[str, str | None]]:
    """(quoted words, speaker) of direct and partial records and of mixed records' parts."""
    parts = []
    for q in quotes:
        if q["kind"] in ("direct", "partial"):
            parts.append((q["text"], q["speaker"]))
        for part in q.get("quoted") or []:
            parts.append((text[part["start"] : part["end"]], q["speaker"]))
    return parts


def test_the_eight_quotes_of_sample_are_all_by_jim_mattis(sample_text, sample_quotes):
    parts = quoted_parts(sample_text, sample_quotes)
    assert len(parts) == 8
    assert {speaker for _, speaker in parts} == {"Jim Mattis"}
    assert any(words == "on the run" for words, _ in parts)


def test_no_words_are_emitted_twice(sample_quotes):
    spans = sorted((q["start"], q["end"]) for q in sample_quotes)
    assert all(end <= nxt for (_, end), (nxt, _) in itertools.pairwise(spans))


def test_multi_sentence_quote_is_one_quote(sample_quotes):
    [quote] = [q for q in sample_quotes if q["text"].startswith("Some people escaped.")]
    assert "crushing the life out of the caliphate" in quote["text"]
    assert quote["speaker"] == "Jim Mattis"


def test_role_noun_quote_goes_to_jim_mattis(sample_text, sample_quotes):
    [quote] = [q for q in sample_quotes if '"will produce a Syria' in q["text"]]
    assert quote["kind"] == "mixed"
    assert quote["speaker"] == "Jim Mattis"
    mention = sample_text[quote["speaker_start"] : quote["speaker_end"]]
    assert mention == "the US Defense Department head"


def test_gedney_statements_are_indirect_by_felix_gedney(sample_quotes):
    gedney = [q for q in sample_quotes if q["speaker"] == "Felix Gedney"]
    assert gedney and all(q["kind"] == "indirect" for q in gedney)
    assert any("Daesh forces" in q["text"] for q in gedney)
    [attacked] = [q for q in sample_quotes if "they attacked every day" in q["text"]]
    assert attacked["speaker"] == "Felix Gedney"


def test_pasted_headline_yields_no_quote(sample_quotes):
    assert not any("Evolving US Military Role" in q["text"] for q in sample_quotes)
    assert not any(q["text"].startswith("He Does Not See") for q in sample_quotes)


def test_offsets_point_into_body(sample_text, sample_quotes):
    for quote in sample_quotes:
        assert sample_text[quote["start"] : quote["end"]] == quote["text"]
        if quote["speaker_start"] is not None:
            assert 0 <= quote["speaker_start"] < quote["speaker_end"] <= len(sample_text)
