"""`story.v1` in the enrichment chain: valid records, stories across batches, revisions."""

from pipeline.enrich.runner import EnrichmentRunner
from pipeline.eval.articles import wire_article

QUAKE = (
    "VALPARAISO, Chile (Reuters) - A magnitude 7.1 earthquake struck off Valparaiso on Monday, "
    "the national seismology office said. Residents of Valparaiso fled to higher ground."
)
UPDATE = (
    "VALPARAISO, Chile (AP) - The toll of Monday's magnitude 7.1 earthquake off Valparaiso rose "
    "to twelve, the seismology office and the interior ministry said."
)
OTHER = "HELSINKI (STT) - Finland's parliament approved next year's budget after a long debate."


def test_the_story_field_is_valid_and_follows_the_story_across_batches():
    runner = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"])
    first, errors = runner.run([wire_article("a", "Quake hits Chile", QUAKE)])
    assert not errors
    runner.run([wire_article("x", "Budget passed", OTHER)])
    second, errors = runner.run([wire_article("b", "Chile quake toll rises", UPDATE)])
    assert not errors
    story = second[0]["story"]
    assert story["id"] == first[0]["id"] == first[0]["story"]["id"]
    assert story["size"] == 2


def test_a_revision_keeps_its_story_in_the_chain():
    runner = EnrichmentRunner.from_names(["wirecopy.v1", "story.v1"])
    original = wire_article("a", "Quake hits Chile", QUAKE)
    runner.run([original])
    runner.run([wire_article("x", "Budget passed", OTHER)])
    revised = dict(original, body=OTHER, revision=1)
    out, errors = runner.run([revised])
    assert not errors
    assert out[0]["story"]["id"] == original["id"]
    assert out[0]["story"]["size"] == 1
