from pipeline.eval.stance import MAX_TARGETS, predict_stances


class EchoRunner:
    """Stands in for the enrichment runner: 'agree' for targets that start with 'yes'."""

    def __init__(self) -> None:
        self.articles: list[dict] = []

    def run(self, batch):
        self.articles.extend(batch)
        out = []
        for article in batch:
            stance = [
                {"target": t, "label": "agree" if t.startswith("yes") else "discuss", "score": 0.9}
                for t in article.get("targets", [])
            ]
            out.append({"id": article["id"], "stance": stance})
        return out, []


def test_each_body_becomes_articles_with_at_most_fifty_targets_and_labels_map_back():
    bodies = {"1": "Body one.", "2": "Body two."}
    stances = [{"Headline": f"yes {i}", "Body ID": "1"} for i in range(60)]
    stances += [{"Headline": "no", "Body ID": "2"}, {"Headline": "yes 0", "Body ID": "2"}]
    runner = EchoRunner()
    labels, fallbacks = predict_stances(runner, bodies, stances)
    assert labels == ["agree"] * 60 + ["discuss", "agree"]
    assert fallbacks == 0
    assert [len(a["targets"]) for a in runner.articles] == [MAX_TARGETS, 10, 2]


def test_a_pair_without_stance_falls_back_to_unrelated_and_is_counted():
    class Silent(EchoRunner):
        def run(self, batch):
            return [], []

    labels, fallbacks = predict_stances(Silent(), {"1": "b"}, [{"Headline": "h", "Body ID": "1"}])
    assert labels == ["unrelated"] and fallbacks == 1


def test_short_target_answers_are_written_in_fnc1_words_so_the_same_files_score_them():
    class ShortRunner(EchoRunner):
        def run(self, batch):
            self.articles.extend(batch)
            said = {"Brexit": "favor", "Trump": "against", "Climate": "neutral"}
            out = [
                {
                    "id": a["id"],
                    "stance": [
                        {"target": t, "kind": "short", "label": said[t], "score": 0.8}
                        for t in a["targets"]
                    ],
                }
                for a in batch
            ]
            return out, []

    rows = [{"Headline": h, "Body ID": "1"} for h in ("Brexit", "Trump", "Climate")]
    labels, _ = predict_stances(ShortRunner(), {"1": "b"}, rows)
    assert labels == ["agree", "disagree", "discuss"]


def test_short_target_score_is_the_mean_f1_of_favour_and_against_per_target_and_pooled():
    from pipeline.eval.stance import short_target_report

    rows = [
        {"Headline": "A", "Stance": "agree"},
        {"Headline": "A", "Stance": "disagree"},
        {"Headline": "B", "Stance": "disagree"},
        {"Headline": "B", "Stance": "discuss"},
    ]
    # discuss and unrelated are both "none": confusing them costs nothing.
    report = short_target_report(rows, ["agree", "agree", "disagree", "unrelated"])
    assert report["per_target"]["B"] == {"n": 2, "f1_favor": 0.0, "f1_against": 1.0, "f_avg": 0.5}
    assert report["per_target"]["A"]["f1_favor"] == round(2 / 3, 4)
    assert report["pooled"] == {
        "f1_favor": round(2 / 3, 4),
        "f1_against": round(2 / 3, 4),
        "f_avg": round(2 / 3, 4),
    }
