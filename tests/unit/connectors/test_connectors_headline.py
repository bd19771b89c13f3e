"""Derived headlines (connectors/headline.py) follow the wire convention and agree with wirecopy.v1."""

from __future__ import annotations

import pytest

from connectors.article import build_article
from connectors.headline import derive_headline
from pipeline.enrich.wirecopy import WireCopyEnricher, parse_dateline, split_related_headlines


@pytest.mark.parametrize(
    ("body", "headline"),
    [
        # A short first line that reads as a headline (title case, or a dateline follows).
        ("Pentagon Admits Militants Escaped Coalition\nThe situation is bad.", None),
        ("Mattis says line holds\nWASHINGTON (Sputnik) — The line runs. More.", None),
        ("Storm hits coast\n\nA storm hit the coast on Tuesday.", None),
        # Else the lede's first sentence after the dateline, without its full stop.
        (
            "WASHINGTON (Sputnik) — The line runs down the river. Forces are east.",
            "The line runs down the river",
        ),
        (
            "LONDON, Nov 25 (Reuters) - Mr. J. Smith met U.S. officials. They talked.",
            "Mr. J. Smith met U.S. officials",
        ),
        ("GENEVA — Talks resumed\nThe envoy said so.", "Talks resumed"),
        ("By Jane Doe\nPARIS (AFP) — Rain fell. It stopped.", "Rain fell"),
        # A hard-wrapped first line is not a headline: the sentence goes on below it.
        (
            "The Pentagon said on Tuesday that it would send more\ntroops, officials said. More.",
            "The Pentagon said on Tuesday that it would send more troops, officials said",
        ),
    ],
)
def test_the_wire_convention(body: str, headline: str | None) -> None:
    expected = headline if headline is not None else body.split("\n", 1)[0]
    assert derive_headline(body) == expected


def test_a_long_lede_is_cut_near_100_characters_on_a_word_boundary() -> None:
    lede = (
        "Officials in the northern province, which has seen heavy fighting over the past "
        "several months, said on Tuesday that the ceasefire was holding. More."
    )
    headline = derive_headline(lede)
    assert headline.endswith("…") and len(headline) <= 101
    assert lede.startswith(headline[:-1]) and lede[len(headline) - 1] == " "


def test_a_derived_headline_is_marked_and_a_given_one_is_not() -> None:
    derived = build_article(source="s", body="ROME (Wire) — Talks resumed. More.", fmt="http")
    given = build_article(source="s", body="Talks.", headline="Given", fmt="http")
    assert (derived["headline"], derived["headline_derived"]) == ("Talks resumed", True)
    assert given["headline"] == "Given" and "headline_derived" not in given


def test_the_id_does_not_change_when_a_headline_is_derived() -> None:
    body = "Pentagon Admits Militants Escaped Coalition\nThe situation is bad."
    derived = build_article(source="s", body=body, fmt="http")
    assert derived["body"] == body  # the headline line stays in the copy
    assert derived["id"] == build_article(source="s", body=body, headline="x", fmt="http")["id"]


def test_the_derived_headline_never_starts_with_a_dateline_the_enrichment_parses(
    sample_path,
) -> None:
    body = sample_path.read_text(encoding="utf-8")
    headline = derive_headline(body)
    assert parse_dateline(body) is not None and parse_dateline(headline) is None
    assert headline == "The deconfliction line runs down the Euphrates River"
    # Nor is it one of the pasted related headlines the enrichment moves out of the body.
    assert headline not in split_related_headlines(body)[1]


def test_the_enrichment_reads_the_dateline_below_a_headline_first_line() -> None:
    record = build_article(
        source="s",
        body="Mattis says line holds\nWASHINGTON (Sputnik) — The line runs.",
        fmt="http",
    )
    record = {**record, "dateline": None}
    WireCopyEnricher().enrich([record])
    assert record["dateline"] == {"place": "WASHINGTON", "agency": "Sputnik", "date": None}


def test_replacement_characters_stay_out_of_a_derived_headline() -> None:
    assert derive_headline("Talks in Ran\ufffddolph resumed. More.") == "Talks in Randolph resumed"
