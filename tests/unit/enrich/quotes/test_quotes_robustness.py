"""Hostile bodies: no exception escapes `extract_quotes`, and the work stays about linear."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.enrich.nlp import parse_prefix
from pipeline.enrich.quotes import extract_quotes
from pipeline.enrich.quotes.direct import find_quoted_segments

MARKS = ['"', "“", "”", "'", "‘", "’", "''", "«", "»", "„", "``", "\n", "\n\n", " ", ",", "."]
WORDS = ["he said", "Mattis", "said", "according to", "the", "\u202eRTL\u202c", "\x00", "שלום", ":"]
hostile_text = st.lists(
    st.one_of(st.sampled_from(MARKS), st.sampled_from(WORDS), st.text(max_size=8)), max_size=80
).map("".join)


def assert_well_formed(text: str, quotes: list[dict]) -> None:
    for quote in quotes:
        assert 0 <= quote["start"] <= quote["end"] <= len(text)
        assert text[quote["start"] : quote["end"]] == quote["text"]
        assert quote["kind"] in ("direct", "partial", "indirect", "mixed")
        if quote["speaker_start"] is not None:
            assert 0 <= quote["speaker_start"] <= quote["speaker_end"] <= len(text)


@given(hostile_text)
def test_segments_of_any_text_lie_inside_it(text):
    for seg in find_quoted_segments(text):
        assert seg.paragraph[0] <= seg.open_mark < seg.start <= seg.end <= seg.paragraph[1]


@given(hostile_text)
def test_extract_without_parse_never_raises(text):
    assert_well_formed(text, extract_quotes(text))


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile_text)
def test_extract_with_parse_never_raises(nlp, text):
    assert_well_formed(text, extract_quotes(text, nlp(parse_prefix(text))))


def test_parse_of_a_different_text_is_ignored(nlp):
    doc = nlp("Something else entirely.")
    text = '"A quote that is long enough to count as speech here," Mattis said.'
    assert extract_quotes(text, doc) == extract_quotes(text)


def test_thousands_of_quote_marks_stay_fast():
    text = ('"a" ' * 5000 + "\n") * 20
    started = time.perf_counter()
    extract_quotes(text)
    assert time.perf_counter() - started < 5


def test_ten_megabyte_body_stays_fast():
    text = ('He said "this is fine, really quite fine for all of us here." ' * 40 + "\n") * 4100
    assert len(text) > 10_000_000
    started = time.perf_counter()
    quotes = extract_quotes(text)
    assert time.perf_counter() - started < 30
    assert_well_formed(text, quotes[:50])


@pytest.mark.slow
def test_ten_megabyte_body_is_parsed_only_up_to_the_cap(nlp):
    text = ('Mattis said "we will see it through to the very end of it all." ' * 40 + "\n") * 4000
    started = time.perf_counter()
    doc = nlp(parse_prefix(text))
    quotes = extract_quotes(text, doc)
    assert time.perf_counter() - started < 120
    assert quotes and quotes[0]["speaker_mention"] == "Mattis"


@pytest.mark.slow
def test_nul_bytes_and_right_to_left_text_are_harmless(nlp):
    text = '\x00"\u202eمرحبا بكم في كل مكان هنا\u202c," \x00said Mattis.\n״ציטוט״ «non» "'
    assert_well_formed(text, extract_quotes(text, nlp(text)))


@pytest.mark.slow
def test_lone_surrogates_do_not_fail_the_batch():
    from pipeline.enrich.quotes import QuoteEnricher
    from pipeline.enrich.resources import Resources

    records = [
        {"id": "a" * 32, "language": "en", "body": 'Bad \ud800 text. "Fine words here," he said.'},
        {"id": "b" * 32, "language": "en", "body": '"We will win this race," Jane Doe said.'},
    ]
    QuoteEnricher(Resources()).enrich(records)
    assert records[1]["quotes"][0]["speaker"] == "Jane Doe"
    assert_well_formed(records[0]["body"], records[0]["quotes"])
