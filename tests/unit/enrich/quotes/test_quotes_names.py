"""Speaker names: the fullest form of the person's name, without titles in front."""

import pytest

from pipeline.enrich.quotes.speakers import PersonIndex, name_tokens


@pytest.mark.parametrize(
    ("run", "name"),
    [
        (["United", "States", "President", "Donald", "Trump"], ["Donald", "Trump"]),
        (["Senate", "Minority", "Whip", "Dick", "Durbin"], ["Dick", "Durbin"]),
        (["Gen.", "Felix", "Gedney"], ["Felix", "Gedney"]),
        (["Jean", "-", "Jacques", "Muyembe"], ["Jean-Jacques", "Muyembe"]),
        (["President"], []),
        (["Mattis", "'s"], ["Mattis"]),
    ],
)
def test_titles_and_token_splits_are_not_part_of_a_name(run, name):
    assert name_tokens(run) == name


def test_a_hyphenated_surname_is_found_by_its_last_part():
    people = PersonIndex()
    people.add_name(["John", "Rhys", "-", "Davies"])
    assert people.canonical(["Davies"]) == "John Rhys-Davies"
    assert people.canonical(["Rhys-Davies"]) == "John Rhys-Davies"
