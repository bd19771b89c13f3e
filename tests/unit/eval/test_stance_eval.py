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
