import pytest

from pipeline.enrich.wirecopy import (
    WireCopyEnricher,
    looks_like_headline,
    parse_dateline,
    split_related_headlines,
)

SAMPLE_LIKE = (
    "WASHINGTON (Sputnik) — The deconfliction line runs down the Euphrates River.\n"
    '"Some people escaped," Mattis said.\n'
    "Pentagon Admits Daesh Militants Escaped Coalition to Syria's Euphrates Valley\n"
    "The situation with the demarcation essentially means that troops will have to deal with it.\n"
    "Mattis Says He Does Not See 'Evolving US Military Role' in Ukraine\n"
    '"No, I don\'t see an evolving US military role in Ukraine," Mattis said.'
)


@pytest.mark.parametrize(
    ("opening", "place", "agency", "date"),
    [
        ("WASHINGTON (Sputnik) — The line", "WASHINGTON", "Sputnik", None),
        ("LONDON, Nov 25 (Reuters) - Shares fell", "LONDON", "Reuters", "Nov 25"),
        ("Washington (AP) — The", "Washington", "AP", None),
        ("GENEVA — Talks resumed", "GENEVA", None, None),
        ("NEW YORK, Nov. 3 — Markets", "NEW YORK", None, "Nov. 3"),
        (
            "SAN JUAN, Puerto Rico, Jan. 5, 2020 (AP) -- x",
            "SAN JUAN, Puerto Rico",
            "AP",
            "Jan. 5, 2020",
        ),
    ],
)
def test_dateline_forms_are_parsed(opening, place, agency, date):
    dateline = parse_dateline(opening)
    assert dateline is not None
    assert (dateline.place, dateline.agency, dateline.date) == (place, agency, date)


@pytest.mark.parametrize(
    "opening",
    ["The president said (AP) - no", "Iran said on Monday - x", "US — x", "", "no dateline here."],
)
def test_prose_is_not_a_dateline(opening):
    assert parse_dateline(opening) is None


def test_pasted_headlines_move_out_of_the_body():
    body, related = split_related_headlines(SAMPLE_LIKE)
    assert related == [
        "Pentagon Admits Daesh Militants Escaped Coalition to Syria's Euphrates Valley",
        "Mattis Says He Does Not See 'Evolving US Military Role' in Ukraine",
    ]
    assert "Pentagon Admits" not in body
    assert "Evolving US Military Role" not in body
    assert body.startswith("WASHINGTON (Sputnik) —")
    assert body.endswith("Mattis said.")


@pytest.mark.parametrize(
    "line",
    [
        "The situation with the demarcation essentially means that troops must act.",
        '"Some people escaped," Mattis said.',
        "Sources",
        "Reactions To The Vote:",
        "He said It Was Fine. Then He Left Town Again",
    ],
)
def test_prose_and_short_labels_are_not_headlines(line):
    assert not looks_like_headline(line)


def test_read_more_lead_in_is_stripped():
    _, related = split_related_headlines(
        "First para.\nREAD MORE: Oil Prices Fall as Markets Wobble Again\nLast para."
    )
    assert related == ["Oil Prices Fall as Markets Wobble Again"]


def test_first_line_is_never_taken_as_a_related_headline():
    body, related = split_related_headlines("Oil Prices Fall as Markets Wobble Again\n\nThe text.")
    assert related == []
    assert body.startswith("Oil Prices Fall")


def test_enricher_fills_dateline_and_related_headlines():
    record = {"body": SAMPLE_LIKE, "dateline": None}
    WireCopyEnricher().enrich([record])
    assert record["dateline"] == {"place": "WASHINGTON", "agency": "Sputnik", "date": None}
    assert len(record["related_headlines"]) == 2


def test_enricher_keeps_a_dateline_the_source_supplied():
    record = {"body": "GENEVA — Talks resumed.", "dateline": {"place": "Geneva", "agency": "AFP"}}
    WireCopyEnricher().enrich([record])
    assert record["dateline"] == {"place": "Geneva", "agency": "AFP"}
