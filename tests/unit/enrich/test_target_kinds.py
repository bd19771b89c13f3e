import pytest

from pipeline.enrich.target_kinds import detect_kind, resolve_kind, split_kind


@pytest.mark.parametrize(
    "target",
    ["Hillary Clinton", "Brexit", "Legalization of Abortion", "Feminist Movement", "Gun control"],
)
def test_names_policies_and_topics_are_short(target):
    assert detect_kind(target) == "short"


@pytest.mark.parametrize(
    "target",
    [
        "Russia will disrupt US plans in Syria",  # modal
        "Climate Change is a Real Concern",  # copula: a cause phrased as a sentence
        "Man arrested after chase",  # past participle after the first word
        "Comcast blocks Tor",  # lowercase -s verb inside the phrase
        "Is Kim Jong-un ill?",
        "Police find mass graves with at least 15 bodies near Mexico town",  # long
    ],
)
def test_statements_are_claims(target):
    assert detect_kind(target) == "claim"


def test_a_prefix_states_the_kind_and_is_not_part_of_the_target():
    assert split_kind("short: Climate Change is a Real Concern") == (
        "short",
        "Climate Change is a Real Concern",
    )
    assert split_kind("claim:Brexit") == ("claim", "Brexit")
    # A headline that starts with the word is not a prefix (FNC-1 has this one).
    headline = "Claim: Comcast Got Complaining Customer Fired From His Job"
    assert split_kind(headline) == (None, headline)
    assert split_kind("Brexit") == (None, "Brexit")
    # Only a leading kind is a prefix.
    assert split_kind("Report: Jose Canseco shot") == (None, "Report: Jose Canseco shot")


def test_the_configured_default_applies_only_to_targets_without_a_prefix():
    assert resolve_kind("Brexit", "claim") == ("claim", "Brexit")
    assert resolve_kind("short:Brexit", "claim") == ("short", "Brexit")
    assert resolve_kind("Brexit", "auto") == ("short", "Brexit")
    assert resolve_kind("Russia will disrupt US plans", "short") == (
        "short",
        "Russia will disrupt US plans",
    )


def test_the_deployment_default_kind_comes_from_the_environment_and_is_checked(monkeypatch):
    from pydantic import ValidationError

    from pipeline.settings import EnrichSettings

    assert EnrichSettings().target_kind == "auto"
    monkeypatch.setenv("WIRESTREAM_ENRICH_TARGET_KIND", "short")
    assert EnrichSettings().target_kind == "short"
    monkeypatch.setenv("WIRESTREAM_ENRICH_TARGET_KIND", "topic")
    with pytest.raises(ValidationError):
        EnrichSettings()
