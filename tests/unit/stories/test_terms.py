from collections import Counter

from pipeline.stories.terms import (
    DocumentFrequencies,
    cosine,
    stem,
    story_text,
    term_counts,
    term_id,
    tokens,
    weighted,
)


def test_inflections_of_a_word_share_a_term():
    assert {stem(w) for w in ("crashed", "crashes", "crashing", "crash")} == {"crash"}
    assert stem("gas") == "gas"  # too short to strip


def test_stopwords_and_possessives_are_dropped():
    words = [w for w, _ in tokens("The President's plane landed in Berlin")]
    assert words == ["president", "plane", "land", "berlin"]


def test_capitalised_words_can_weigh_more():
    plain = term_counts("Berlin berlin wall", 1.0)
    boosted = term_counts("Berlin berlin wall", 2.0)
    assert plain[term_id("berlin")] == 2
    assert boosted[term_id("berlin")] == 4
    assert boosted[term_id("wall")] == 1


def test_rare_terms_weigh_more_than_common_ones():
    freqs = DocumentFrequencies()
    for _ in range(10):
        freqs.add([term_id("government")])
    freqs.add([term_id("valparaiso")])
    vector = weighted(Counter({term_id("government"): 1, term_id("valparaiso"): 1}), freqs)
    assert vector[term_id("valparaiso")] > vector[term_id("government")]
    assert abs(cosine(vector, vector) - 1.0) < 1e-9


def test_story_text_is_headline_and_body():
    assert story_text({"headline": " Quake ", "body": "Body."}) == "Quake\n\nBody."
    assert story_text({"headline": None, "body": "Body."}) == "Body."
