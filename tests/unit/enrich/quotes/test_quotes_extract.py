"""Quotes with speakers: what counts as a quote and who said it (needs spaCy)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def by_text(quotes: list[dict]) -> dict[str, dict]:
    return {q["text"]: q for q in quotes}


def test_quote_before_said_is_attributed_to_subject(quotes_of):
    text = '"We will win this race," Senator Jane Doe said on Tuesday.'
    [quote] = quotes_of(text)
    assert quote["speaker"] == "Jane Doe"
    assert quote["kind"] == "direct"
    assert quote["cue"] == "said"
    assert text[quote["speaker_start"] : quote["speaker_end"]].endswith("Jane Doe")
    assert text[quote["start"] : quote["end"]] == quote["text"]


def test_inverted_said_name(quotes_of):
    text = 'Voters are angry. "The risk is real," said Edward Leamer, an economist.'
    [quote] = quotes_of(text)
    assert quote["speaker"] == "Edward Leamer"


def test_quoted_words_inside_a_reported_clause_are_one_mixed_record(quotes_of):
    text = 'Jim Mattis spoke on Monday. Mattis said the caliphate was "on the run" and fleeing.'
    [quote] = quotes_of(text)
    assert quote["kind"] == "mixed"
    assert quote["text"] == 'the caliphate was "on the run" and fleeing'
    assert [text[p["start"] : p["end"]] for p in quote["quoted"]] == ["on the run"]
    assert quote["speaker"] == "Jim Mattis"


def test_inverted_report_is_an_indirect_quote(quotes_of):
    text = "The talks will resume in Geneva next month, Foreign Minister Anna Berg said."
    [quote] = quotes_of(text)
    assert quote["kind"] == "indirect"
    assert quote["text"] == "The talks will resume in Geneva next month"
    assert quote["speaker"] == "Anna Berg"


def test_common_noun_source_keeps_its_mention_and_no_name(quotes_of):
    text = "The report said that the economy would shrink by two percent next year."
    [quote] = quotes_of(text)
    assert quote["speaker"] is None
    assert quote["speaker_mention"] == "The report"


def test_a_poll_share_is_the_mention_of_its_report_with_no_name(quotes_of):
    # PolNeAR marks "Twenty-four percent" as the source of what poll respondents said;
    # a share is never a name (speaker null), but the mention says who spoke.
    text = (
        "In the new poll, twenty-four percent of voters said they were more likely to vote "
        "for him because of the scandal."
    )
    [quote] = quotes_of(text)
    assert quote["kind"] == "indirect"
    assert quote["speaker_mention"] == "twenty-four percent" and quote["speaker"] is None


def test_the_newspaper_resolves_to_the_publication_named_before(quotes_of):
    text = (
        "The Washington Post published the documents on Monday.\n"
        "The newspaper said that the documents had been checked by three experts."
    )
    quotes = [q for q in quotes_of(text) if q["speaker_mention"] == "The newspaper"]
    assert [(q["speaker"], q["speaker_type"]) for q in quotes] == [("Washington Post", "ORG")]


def test_participle_continues_the_nearest_report_before_it(quotes_of):
    text = (
        "He confirmed a statement by British General Felix Gedney who said Daesh forces "
        "heading west could mount counterattacks on the coalition, saying they attacked every day."
    )
    quotes = [q for q in quotes_of(text) if "attacked every day" in q["text"]]
    assert [q["speaker"] for q in quotes] == ["Felix Gedney"]


def test_quote_split_around_its_attribution_keeps_one_speaker(quotes_of):
    text = '"I think," Maria Lopez said, "that the plan will fail before spring."'
    quotes = quotes_of(text)
    assert [q["speaker"] for q in quotes] == ["Maria Lopez", "Maria Lopez"]


def test_scare_quote_without_cue_is_rejected(quotes_of):
    text = 'The so-called "reform" package passed the house on Friday after a long debate.'
    assert quotes_of(text) == []


def test_quoted_title_after_show_name_is_rejected(quotes_of):
    text = 'Clinton spoke on ABC\'s "This Week" about the economy and the deficit.'
    assert [q for q in quotes_of(text) if q["kind"] != "indirect"] == []


def test_quote_inside_headline_line_is_rejected(quotes_of):
    text = (
        'Mattis Says He Does Not See "Evolving US Military Role" in Ukraine\n'
        "The minister spoke to reporters on Friday about the budget."
    )
    assert all("Evolving" not in q["text"] for q in quotes_of(text))


def test_unattributed_next_paragraph_continues_previous_speaker(quotes_of):
    text = (
        '"We have a plan for the economy," Governor Ann Smith said.\n'
        '"It will create jobs in every county of this state by next year."'
    )
    quotes = quotes_of(text)
    assert [q["speaker"] for q in quotes] == ["Ann Smith", "Ann Smith"]
    assert quotes[1]["cue"] is None


def test_pronoun_resolves_to_most_recent_person(quotes_of):
    text = (
        'Defense Secretary Jim Mattis visited the base.\n"Never once have they failed us," he said.'
    )
    [quote] = quotes_of(text)
    assert quote["speaker"] == "Jim Mattis"
    assert text[quote["speaker_start"] : quote["speaker_end"]] == "he"


def test_role_noun_resolves_to_most_recent_person(quotes_of):
    text = (
        '"We are crushing them," Jim Mattis said.\n'
        'Later the defense secretary wrote that the talks "will produce a free Syria."'
    )
    [quote] = [q for q in quotes_of(text) if "will produce a free Syria." in q["text"]]
    assert quote["speaker"] == "Jim Mattis"
    assert quote["speaker_mention"] == "the defense secretary"


def test_indirect_quote_with_that_clause(quotes_of):
    text = "Governor Ann Smith said that the budget would be balanced by next year."
    [quote] = quotes_of(text)
    assert quote["kind"] == "indirect"
    assert quote["speaker"] == "Ann Smith"
    assert quote["text"].startswith("that the budget")


def test_according_to_is_an_indirect_quote(quotes_of):
    text = "According to Senator Bob Jones, the bill will pass easily next week."
    [quote] = quotes_of(text)
    assert quote["kind"] == "indirect"
    assert quote["cue"] == "according to"
    assert quote["speaker"] == "Bob Jones"


def test_without_parse_nothing_is_attributed_and_nothing_raises():
    from pipeline.enrich.quotes import extract_quotes

    assert extract_quotes('"Hello there, friends and neighbours of mine," he said.') == []


def test_transcript_tag_names_the_speaker(quotes_of):
    text = (
        "Mike Pence answered first.\n"
        '"PENCE: And that is why my running mate is on his way to the White House.'
    )
    [quote] = quotes_of(text)
    assert quote["speaker"] == "Mike Pence"
    assert text[quote["speaker_start"] : quote["speaker_end"]] == "PENCE"


def test_credit_line_after_dash_names_the_speaker(quotes_of):
    text = '"He cannot answer a question without scaring people first." ― Esther Tapia'
    [quote] = quotes_of(text)
    assert quote["speaker"] == "Esther Tapia"


def test_participle_after_quote_belongs_to_the_sentence_subject(quotes_of):
    text = (
        'In a statement, Peabody said: "Patriot Coal was highly successful when it became '
        'independent," adding that its market value quadrupled.'
    )
    quotes = quotes_of(text)
    # The small model tags no entity "Peabody": the mention stays, the name is not made up.
    assert [q["speaker_mention"] for q in quotes] == ["Peabody", "Peabody"]
    assert quotes[1]["text"] == "that its market value quadrupled"
