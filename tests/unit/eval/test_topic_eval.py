import pytest

from pipeline.eval.topic import gold_codes, topic_report


def test_bbc_classes_and_iptc_labels_map_to_level1_codes():
    assert gold_codes({"label": "tech"}) == ["medtop:13000000"]
    assert gold_codes({"label": "medtop:15000000"}) == ["medtop:15000000"]
    assert gold_codes({"topics": ["politics", "crime, law and justice"]}) == [
        "medtop:11000000",
        "medtop:02000000",
    ]
    assert gold_codes({"text": "unlabelled"}) == []
    with pytest.raises(ValueError):
        gold_codes({"label": "gardening"})


def test_predicting_a_code_outside_the_gold_classes_counts_as_a_miss():
    sport, politics, crime = "medtop:15000000", "medtop:11000000", "medtop:02000000"
    gold = [[sport], [sport], [politics], [politics]]
    predicted = [[sport], [sport, politics], [crime, politics], [politics]]
    report = topic_report(gold, predicted)
    assert report["accuracy"] == 0.75
    assert report["f1"] == {politics: round(2 / 3, 4), sport: 1.0}
    assert report["gold_among_emitted"] == 1.0


def test_emitted_codes_are_right_when_any_gold_code_matches_and_top2_uses_the_ranking():
    sport, politics, crime = "medtop:15000000", "medtop:11000000", "medtop:02000000"
    gold = [[sport], [politics, crime], [crime]]
    predicted = [[sport], [crime, politics], [politics]]
    ranked = [[sport, crime], [crime, politics], [politics, sport]]
    report = topic_report(gold, predicted, ranked)
    # crime emitted twice, right once (second article has crime as a secondary code)
    assert report["precision_emitted"] == {crime: 1.0, politics: 0.5, sport: 1.0}
    assert report["primary_in_top2"] == round(2 / 3, 4)
    assert report["confusion"][crime] == {politics: 1}
    assert "primary_in_top2" not in topic_report(gold, predicted)
