"""The Elasticsearch request behind `wirestream search`: a pure function of the options.

Full text over headline, body, related headlines and quotes (nested); filters by topic,
speaker and date; kNN on `embedding` for semantic search; both at once is a hybrid
(Elasticsearch adds the text and vector scores).

Every search hides what must not be shown (`visibility_filter`): withdrawn articles (status
`withheld` or `canceled`, kept in the index for audit) always, embargoed ones unless an editor
asks for them. The embargo is compared with Elasticsearch's `now` at search time, so an
article appears the moment its embargo ends, with no write needed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.contracts.pubstatus import HIDDEN_STATUSES

_TOPIC_CODE = re.compile(r"^(?:medtop:)?(\d{8})$")
SOURCE_FIELDS = [
    "id",
    "headline",
    "dateline",
    "published_at",
    "received_at",
    "source",
    "url",
    "language",
    "topics",
    "stance",
    "quotes",
    "related_headlines",
    "enrichment",
    "status",
    "embargoed_until",
    "corrects",
    "story",
]


def visibility_filter(include_embargoed: bool = False) -> dict[str, Any]:
    """Not withdrawn and, unless `include_embargoed`, not under embargo now.

    The same rule as `pipeline.contracts.pubstatus.is_visible`; a document without `status`
    or `embargoed_until` (indexed before these fields existed) is visible.
    """
    must_not: list[dict[str, Any]] = [{"terms": {"status": list(HIDDEN_STATUSES)}}]
    if not include_embargoed:
        must_not.append({"range": {"embargoed_until": {"gt": "now"}}})
    return {"bool": {"must_not": must_not}}


def topic_filter(topic: str) -> dict[str, Any]:
    """`16000000`, `medtop:16000000` or a label such as `politics`."""
    match = _TOPIC_CODE.match(topic.strip())
    inner = (
        {"term": {"topics.code": f"medtop:{match.group(1)}"}}
        if match
        else {"term": {"topics.label": topic.strip().lower()}}
    )
    return {"nested": {"path": "topics", "query": inner}}


def speaker_filter(speaker: str, inner_hits: bool = True) -> dict[str, Any]:
    """Articles quoting `speaker`; with `inner_hits` the matching quotes come back too.

    An inner-hits name may occur once per request, so the copy inside a kNN filter (which
    cannot return inner hits anyway) goes without.
    """
    # The text subfield: `--speaker Mattis` finds quotes by "Jim Mattis".
    nested: dict[str, Any] = {
        "path": "quotes",
        "query": {"match": {"quotes.speaker.text": {"query": speaker, "operator": "and"}}},
    }
    if inner_hits:
        nested["inner_hits"] = {"name": "speaker_quotes", "size": 20, "_source": True}
    return {"nested": nested}


STANCE_LABELS = {
    "claim": ("agree", "disagree", "discuss", "unrelated"),
    "short": ("favor", "against", "neutral", "unrelated"),
}


def stance_filter(spec: str) -> dict[str, Any]:
    """Articles whose stance towards a target matches `[short:|claim:]TARGET[=LABEL]`.

    The target is matched exactly (it is stored as given, without its kind prefix); a
    prefix also requires that kind (an entry without `kind` is a claim); the label must be
    one of the kind's: agree/disagree/discuss/unrelated for claims, favor/against/neutral/
    unrelated for short targets (names, policies, topics).
    """
    from pipeline.enrich.target_kinds import split_kind

    kind, rest = split_kind(spec)
    target, _, label = rest.rpartition("=") if "=" in rest else (rest, "", "")
    target, label = target.strip(), label.strip().lower()
    if not target:
        raise ValueError("--stance needs a target: TARGET, TARGET=LABEL, short:TARGET=LABEL")
    allowed = STANCE_LABELS[kind] if kind else tuple(dict.fromkeys(sum(STANCE_LABELS.values(), ())))
    if label and label not in allowed:
        raise ValueError(f"stance label {label!r}; choose one of {', '.join(allowed)}")
    must: list[dict[str, Any]] = [{"term": {"stance.target": target}}]
    if label:
        must.append({"term": {"stance.label": label}})
    if kind == "short":
        must.append({"term": {"stance.kind": "short"}})
    elif kind == "claim":
        must.append(
            {
                "bool": {
                    "should": [
                        {"term": {"stance.kind": "claim"}},
                        {"bool": {"must_not": {"exists": {"field": "stance.kind"}}}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    return {"nested": {"path": "stance", "query": {"bool": {"filter": must}}}}


def since_filter(since: str) -> dict[str, Any]:
    """Published since, or received since when the source gave no publication time."""
    return {
        "bool": {
            "should": [
                {"range": {"published_at": {"gte": since}}},
                {
                    "bool": {
                        "must_not": {"exists": {"field": "published_at"}},
                        "filter": {"range": {"received_at": {"gte": since}}},
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def text_query(text: str) -> dict[str, Any]:
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": text,
                        "fields": ["headline^3", "body", "related_headlines"],
                    }
                },
                {
                    "nested": {
                        "path": "quotes",
                        "query": {"match": {"quotes.text": text}},
                        "score_mode": "max",
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def build_search(
    text: str | None = None,
    *,
    topic: str | None = None,
    speaker: str | None = None,
    since: str | None = None,
    stance: str | None = None,
    vector: Sequence[float] | None = None,
    size: int = 10,
    include_embargoed: bool = False,
    stories: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for `Elasticsearch.search` (minus the index).

    `stories`: one hit per story (the best-ranked article of each, collapsed on `story.id`),
    with the story's latest state (largest `story.size`) as an inner hit.
    """
    filters: list[dict[str, Any]] = []
    knn_filters: list[dict[str, Any]] = []
    if stories:
        filters.append({"exists": {"field": "story.id"}})
        knn_filters.append({"exists": {"field": "story.id"}})
    if topic:
        filters.append(topic_filter(topic))
        knn_filters.append(topic_filter(topic))
    if speaker:
        filters.append(speaker_filter(speaker))
        knn_filters.append(speaker_filter(speaker, inner_hits=False))
    if since:
        filters.append(since_filter(since))
        knn_filters.append(since_filter(since))
    if stance:
        filters.append(stance_filter(stance))
        knn_filters.append(stance_filter(stance))
    filters.append(visibility_filter(include_embargoed))  # always: withdrawn never shows
    knn_filters.append(visibility_filter(include_embargoed))
    request: dict[str, Any] = {"size": size, "source": SOURCE_FIELDS}
    if vector is not None:
        request["knn"] = {
            "field": "embedding",
            "query_vector": list(vector),
            "k": size,
            "num_candidates": max(50, 10 * size),
            **({"filter": knn_filters} if knn_filters else {}),
        }
    if text:
        request["query"] = {"bool": {"must": [text_query(text)], "filter": filters}}
    elif vector is None:
        request["query"] = {"bool": {"must": [{"match_all": {}}], "filter": filters}}
        request["sort"] = [{"received_at": "desc"}]
    elif speaker:
        # kNN filters do not return inner hits; keep the speaker's quotes visible.
        request["query"] = {"bool": {"filter": filters}}
    if stories:
        request["collapse"] = {
            "field": "story.id",
            "inner_hits": {
                "name": "story_latest",
                "size": 1,
                "sort": [{"story.size": "desc"}],
                "_source": ["story"],
            },
        }
        request["aggs"] = {"stories": {"cardinality": {"field": "story.id"}}}
    return request
