"""entities.spacy.v1: people, organisations, places with in-article canonical names."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from pipeline.enrich.nlp import load_spacy

    return load_spacy()


@pytest.fixture
def entities_of(nlp):
    from pipeline.enrich.entities import extract_entities

    return lambda text: extract_entities(nlp(text))


def test_surname_gets_the_fullest_name_of_the_article(entities_of):
    text = (
        "US Defense Secretary Jim Mattis spoke in Washington on Monday. "
        "Mattis said the line held. Later, Mattis flew to Brussels."
    )
    people = [e for e in entities_of(text) if e["label"] == "PERSON"]
    assert len(people) >= 2
    assert {e["canonical"] for e in people} == {"Jim Mattis"}


def test_places_merge_gpe_loc_and_fac(entities_of):
    text = "Troops crossed the Euphrates River near Raqqa, Syria, and reached the Pentagon's base."
    labels = {e["text"]: e["label"] for e in entities_of(text)}
    assert labels.get("Syria") == "PLACE"
    assert "Euphrates River" in labels and labels["Euphrates River"] == "PLACE"


def test_titled_name_tagged_as_organisation_is_a_person(entities_of):
    text = "He confirmed a statement by British General Felix Gedney about the fighting."
    [gedney] = [e for e in entities_of(text) if "Gedney" in e["text"]]
    assert gedney["label"] == "PERSON"
    assert gedney["canonical"] == "Felix Gedney"


def test_offsets_point_into_body(entities_of):
    text = "Angela Merkel met Emmanuel Macron in Paris on Tuesday with NATO officials."
    for entity in entities_of(text):
        assert text[entity["start"] : entity["end"]] == entity["text"]
        assert entity["label"] in ("PERSON", "ORG", "PLACE")


def test_enricher_fills_english_records_and_skips_others():
    from pipeline.enrich.entities import EntityEnricher
    from pipeline.enrich.quotes import QuoteEnricher
    from pipeline.enrich.resources import Resources

    resources = Resources()
    records = [
        {"id": "a" * 32, "language": "en", "body": '"We will win," Jim Mattis said in Paris.'},
        {"id": "b" * 32, "language": "fr", "body": "« Nous gagnerons », a dit Jim Mattis."},
    ]
    entities, quotes = EntityEnricher(resources), QuoteEnricher(resources)
    entities.enrich(records)
    quotes.enrich(records)
    assert any(e["canonical"] == "Jim Mattis" for e in records[0]["entities"])
    assert records[0]["quotes"][0]["speaker"] == "Jim Mattis"
    assert records[1]["entities"] == [] and records[1]["quotes"] == []
    assert "spacy.docs" in resources._built  # one parse cache shared by both enrichers


def test_dateline_agency_is_an_organisation():
    from pipeline.enrich.entities import EntityEnricher
    from pipeline.enrich.resources import Resources

    record = {
        "id": "a" * 32,
        "language": "en",
        "body": "WASHINGTON (Sputnik) — US Defense Secretary Jim Mattis spoke to reporters.",
        "dateline": {"place": "WASHINGTON", "agency": "Sputnik", "date": None},
    }
    EntityEnricher(Resources()).enrich([record])
    agency = [e for e in record["entities"] if e["text"] == "Sputnik"]
    assert agency and all(e["label"] == "ORG" for e in agency)


def test_stray_punctuation_is_not_part_of_a_name(entities_of):
    text = (
        "At around 11:25am US east coast time (1625 UTC), the Associated Press (AP) "
        "called the election for Biden, as did NBC News."
    )
    names = [e["canonical"] for e in entities_of(text) if e["label"] == "ORG"]
    assert "Associated Press" in names
    assert not any(n[-1:] in "(,.;:" for n in names)
