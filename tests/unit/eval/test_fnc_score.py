from pipeline.eval.fnc import fnc_score, max_fnc_score, stance_report


def test_fnc_score_weights_like_the_official_scorer():
    assert fnc_score(["agree"], ["agree"]) == 1.0
    assert fnc_score(["unrelated"], ["unrelated"]) == 0.25
    assert fnc_score(["agree"], ["discuss"]) == 0.25  # related, wrong label
    assert fnc_score(["agree"], ["unrelated"]) == 0.0
    assert fnc_score(["unrelated"], ["discuss"]) == 0.0


def test_relative_score_is_score_over_the_best_possible():
    gold = ["agree", "unrelated", "discuss", "unrelated"]
    assert max_fnc_score(gold) == 2.5
    report = stance_report(gold, ["discuss", "unrelated", "discuss", "agree"])
    assert report["fnc_relative_score"] == round((0.25 + 0.25 + 1.0) / 2.5, 4)
    assert report["confusion"]["rows_gold_cols_predicted"][0] == [0, 0, 1, 0]
    assert report["f1"]["discuss"] == round(2 / 3, 4)
