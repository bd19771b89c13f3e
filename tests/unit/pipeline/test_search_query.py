"""The search request: text, filters, kNN and hybrid are built from the options alone."""

from __future__ import annotations

from pipeline.search.query import build_search, topic_filter


def test_text_searches_headline_body_and_nested_quotes():
    request = build_search("euphrates")
    should = request["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0]["multi_match"]["fields"][0] == "headline^3"
    assert should[1]["nested"]["path"] == "quotes"
    assert "knn" not in request


def test_topic_accepts_a_code_with_or_without_prefix_or_a_label():
    assert topic_filter("16000000")["nested"]["query"] == {
        "term": {"topics.code": "medtop:16000000"}
    }
    assert topic_filter("medtop:16000000") == topic_filter("16000000")
    assert topic_filter("Politics")["nested"]["query"] == {"term": {"topics.label": "politics"}}


def test_speaker_is_a_nested_filter_that_returns_the_matching_quotes():
    request = build_search("war", speaker="Mattis")
    nested, _visible = request["query"]["bool"]["filter"]  # _visible: test_search_visibility.py
    assert nested["nested"]["path"] == "quotes"
    assert nested["nested"]["query"]["match"]["quotes.speaker.text"]["query"] == "Mattis"
    assert "inner_hits" in nested["nested"]


def test_semantic_alone_is_knn_and_with_text_it_is_hybrid():
    vector = [0.1] * 384
    knn_only = build_search(None, vector=vector, topic="16000000", size=5)
    assert "query" not in knn_only
    assert knn_only["knn"]["k"] == 5 and knn_only["knn"]["filter"]
    hybrid = build_search("ceasefire", vector=vector)
    assert "knn" in hybrid and "query" in hybrid


def inner_hits_names(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["inner_hits"]["name"]] if "inner_hits" in node else []
        return own + [n for v in node.values() for n in inner_hits_names(v)]
    if isinstance(node, list):
        return [n for v in node for n in inner_hits_names(v)]
    return []


def test_semantic_with_a_speaker_names_its_inner_hits_once():
    # Elasticsearch refuses a request that names the same inner hits twice (400).
    vector = [0.1] * 384
    for text in (None, "ceasefire"):
        request = build_search(text, vector=vector, speaker="Mattis", topic="politics")
        assert inner_hits_names(request) == ["speaker_quotes"]
        assert any(
            "nested" in f and f["nested"]["path"] == "quotes" for f in request["knn"]["filter"]
        )


def test_filters_alone_list_the_newest_first():
    request = build_search(None, since="2026-11-01")
    assert request["sort"] == [{"received_at": "desc"}]
    assert request["query"]["bool"]["filter"][0]["bool"]["minimum_should_match"] == 1


def test_human_output_shows_headline_dateline_topics_and_each_quote_with_its_speaker():
    from pipeline.cli.search import render

    hit = {
        "_score": 1.5,
        "_source": {
            "id": "a" * 32,
            "headline": None,
            "dateline": {"place": "WASHINGTON", "agency": "Sputnik"},
            "received_at": "2026-11-25T09:00:00Z",
            "topics": [
                {"code": "medtop:16000000", "label": "conflict, war and peace", "score": 0.9}
            ],
            "quotes": [
                {"text": "Some people escaped.", "speaker": "Jim Mattis"},
                {"text": "x", "speaker": None},
            ],
        },
    }
    text = render(hit)
    assert text.splitlines()[0] == "(no headline)  [1.50]"
    assert "WASHINGTON, Sputnik" in text and "conflict, war and peace (0.90)" in text
    assert "- Jim Mattis: Some people escaped." in text and "- (unattributed): x" in text


def test_a_pending_article_is_shown_as_pending():
    from pipeline.cli.search import render

    hit = {"_source": {"headline": "Flash", "source": "wire", "enrichment": {"status": "pending"}}}
    assert "(enrichment pending)" in render(hit)
    done = {"_source": {"headline": "Flash", "source": "wire", "enrichment": {"status": "done"}}}
    assert "pending" not in render(done)


def test_search_without_a_query_or_a_filter_is_a_usage_error():
    from click.testing import CliRunner

    from pipeline.cli.search import search

    result = CliRunner().invoke(search, [])
    assert result.exit_code == 2
    assert "give a QUERY, --semantic TEXT or at least one filter" in result.output


def test_search_says_which_elasticsearch_it_cannot_reach():
    from click.testing import CliRunner

    from pipeline.cli.search import search

    # Port 9 (discard) has no listener here: the connection is refused at once.
    env = {"WIRESTREAM_ES_URL": "http://127.0.0.1:9"}
    result = CliRunner().invoke(search, ["anything"], env=env)
    assert result.exit_code == 1
    assert "cannot reach Elasticsearch at http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_stories_collapse_on_the_story_id_and_keep_only_articles_with_a_story():
    request = build_search("quake", stories=True)
    assert request["collapse"]["field"] == "story.id"
    assert request["collapse"]["inner_hits"]["sort"] == [{"story.size": "desc"}]
    assert {"exists": {"field": "story.id"}} in request["query"]["bool"]["filter"]
    assert "collapse" not in build_search("quake")


def test_a_collapsed_hit_shows_the_story_as_its_latest_article_saw_it():
    from pipeline.cli.search import render

    old = {"id": "s1", "first_seen": "2026-12-01T08:00:00Z", "size": 1, "sources": ["reuters"]}
    latest = dict(old, size=3, last_seen="2026-12-01T09:00:00Z", sources=["reuters", "afp"])
    hit = {
        "_score": 2.0,
        "_source": {"id": "b" * 32, "headline": "Quake", "story": old},
        "inner_hits": {"story_latest": {"hits": {"hits": [{"_source": {"story": latest}}]}}},
    }
    text = render(hit)
    assert "story s1: 3 article(s)" in text
    assert "2026-12-01T08:00:00Z → 2026-12-01T09:00:00Z" in text
    assert "sources: reuters, afp" in text


def test_stance_filters_on_target_label_and_kind_inside_the_nested_entries():
    import pytest

    from pipeline.search.query import stance_filter

    query = stance_filter("short:Brexit=against")
    assert query["nested"]["path"] == "stance"
    assert query["nested"]["query"]["bool"]["filter"] == [
        {"term": {"stance.target": "Brexit"}},
        {"term": {"stance.label": "against"}},
        {"term": {"stance.kind": "short"}},
    ]
    # No kind, no label: any stance towards the target.
    assert stance_filter("Hillary Clinton")["nested"]["query"]["bool"]["filter"] == [
        {"term": {"stance.target": "Hillary Clinton"}}
    ]
    # A claim is also an entry written before kinds existed (no `kind`).
    claim = stance_filter("claim:Russia will disrupt US plans=disagree")
    kinds = claim["nested"]["query"]["bool"]["filter"][2]["bool"]["should"]
    assert {"bool": {"must_not": {"exists": {"field": "stance.kind"}}}} in kinds
    with pytest.raises(ValueError, match="favor, against"):
        stance_filter("short:Brexit=disagree")
    built = build_search(stance="Brexit=favor")
    assert stance_filter("Brexit=favor") in built["query"]["bool"]["filter"]


def test_a_stance_label_of_the_other_kind_is_a_usage_error_before_any_request():
    from click.testing import CliRunner

    from pipeline.cli.search import search

    result = CliRunner().invoke(search, ["--stance", "short:Brexit=agree"])
    assert result.exit_code == 2
    assert "favor, against, neutral, unrelated" in result.output
