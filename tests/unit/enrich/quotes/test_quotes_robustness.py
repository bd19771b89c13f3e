"""Hostile bodies: no exception escapes `extract_quotes`, and the work stays about linear.

Linear is checked by counting the Python steps a body costs as it grows, never by a clock:
how fast it runs on a given machine is bench/'s business.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.enrich.nlp import parse_prefix
from pipeline.enrich.quotes import extract_quotes
from pipeline.enrich.quotes.direct import find_quoted_segments
from pipeline.enrich.quotes.extract import MAX_SEGMENTS

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


def python_steps(function: Callable[..., object], *args: object) -> int:
    """How many Python calls and lines `function(*args)` runs: a work counter, not a clock,
    so it reads the same on an idle laptop and on a loaded CI machine."""
    steps = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal steps
        steps += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(previous)
    return steps


# Bodies that grow by a factor of 4: paragraphs of quote marks above the per-paragraph cap,
# many short quotes, unbalanced opening marks, many quoted paragraphs, and one paragraph
# whose quotes multiply (up to 320 marks, under the per-paragraph cap).
GROWING_BODIES = {
    "one paragraph": lambda k: 'He said "fine words here." ' * (20 * k),
    "marks over the cap": lambda k: ('"a" ' * 5000 + "\n") * k,
    "many short quotes": lambda k: ('"a" ' * 150 + "\n") * k,
    "unbalanced marks": lambda k: ('"open ' * 300 + "\n") * k,
    "quoted paragraphs": lambda k: ('He said "this is fine, really, for us all." ' * 20 + "\n") * k,
}


@pytest.mark.parametrize("body", GROWING_BODIES.values(), ids=GROWING_BODIES.keys())
def test_work_grows_linearly_with_the_body(body: Callable[[int], str]):
    small, large = python_steps(extract_quotes, body(2)), python_steps(extract_quotes, body(8))
    # Linear work gives 4x the steps for 4x the text; quadratic work would give 16x.
    assert large <= 6 * small, f"{small} steps for 2 units, {large} for 8"


def test_ten_megabyte_body_is_handled_whole_and_capped_at_max_segments():
    text = ('He said "this is fine, really quite fine for all of us here." ' * 40 + "\n") * 4100
    assert len(text) > 10_000_000
    quotes = extract_quotes(text)
    assert len(quotes) == MAX_SEGMENTS  # the first MAX_SEGMENTS of 164,000 quoted segments
    assert quotes[-1]["end"] < len(text) // 100
    assert_well_formed(text, quotes)


@pytest.mark.slow
def test_ten_megabyte_body_is_parsed_only_up_to_the_cap(nlp):
    text = ('Mattis said "we will see it through to the very end of it all." ' * 40 + "\n") * 4000
    prefix = parse_prefix(text)
    assert len(prefix) < len(text) // 100
    quotes = extract_quotes(text, nlp(prefix))
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
