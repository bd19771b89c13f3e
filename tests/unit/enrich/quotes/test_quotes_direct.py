"""The pattern layer: which spans sit between quotation marks."""

from __future__ import annotations

from pipeline.enrich.quotes.direct import find_quoted_segments


def quoted(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_quoted_segments(text)]


def test_curly_and_straight_marks_are_both_quotes():
    text = 'He said “we will win,” and she said "we will not."'
    assert quoted(text) == ["we will win,", "we will not."]


def test_apostrophes_never_open_a_quote():
    text = "Clinton’s team didn't say anything, the campaign’s aide said."
    assert quoted(text) == []


def test_double_apostrophes_of_wire_archives_are_quote_marks():
    text = "He said, ''this has done nothing,'' and left."
    assert quoted(text) == ["this has done nothing,"]


def test_guillemets_are_quote_marks():
    assert quoted("Il a dit « non » hier.") == ["non"]


def test_single_quotes_count_only_without_double_marks():
    assert quoted("Mattis Says He Does Not See 'Evolving US Military Role' in Ukraine") == [
        "Evolving US Military Role"
    ]
    assert quoted("\"He called it 'a mess' today,\" she said.") == ["He called it 'a mess' today,"]


def test_paragraph_left_open_continues_into_next_paragraph():
    text = '"First part of the quote.\n"Second paragraph of it," he said.'
    segments = find_quoted_segments(text)
    assert [text[s.start : s.end] for s in segments] == [
        "First part of the quote.",
        "Second paragraph of it,",
    ]
    assert segments[0].close_mark is None
    assert segments[1].continues


def test_unbalanced_mark_does_not_swallow_the_next_paragraph():
    text = 'A stray " mark here.\nNext paragraph "quoted" here.'
    assert quoted(text)[-1] == "quoted"


def test_typo_opening_mark_used_as_closing_mark():
    text = "“It's unusual,“ said Larry Noble. “It's hard.”"
    assert quoted(text) == ["It's unusual,", "It's hard."]


def test_single_mark_finder_agrees_with_the_regex_rule():
    import random

    from pipeline.enrich.quotes.direct import _SINGLE, single_marks

    samples = [
        "He called it 'a disgrace' and left.",
        "‘Nobody’s fault,’ she said. 'Tis the season; rock 'n' roll",
        "'Quoted.' 'Again!' Ends with an apostrophe'",
        "",
    ]
    rng = random.Random(0)
    alphabet = "ab_1 ‘’'\"“”.,!?…-é\u00a0"
    samples += ["".join(rng.choice(alphabet) for _ in range(30)) for _ in range(5000)]
    for text in samples:
        assert single_marks(text) == [m.start() for m in _SINGLE.finditer(text)], text
