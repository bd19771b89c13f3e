"""Writes `wirestream.ndjson`: the Kibana saved objects for the `news` alias.

Run `python deploy/kibana/build_saved_objects.py` after changing this file; the unit tests
fail when the committed NDJSON and this generator disagree (`--check`).

Why runtime fields: `topics`, `stance`, `quotes` and `entities` are `nested` in the index
template (so one quote's speaker stays tied to its text), and Lens cannot aggregate nested
fields. The data view therefore defines keyword runtime fields that read `_source` and emit
one value per entry (`quote_speaker`, `stance_pair`, ...); the tests check that every path
they read exists in the template.

Withdrawn and embargoed articles: see `VISIBLE_KQL`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "wirestream.ndjson"

DATA_VIEW = "wirestream-news"
DATA_VIEW_PUBLISHED = "wirestream-news-published"
ALIAS = "news"
CORE = "8.8.0"
# Versions of the saved-object shapes written below; Kibana 9 migrates them forward on import.
TYPE_VERSIONS = {
    "index-pattern": "8.0.0",
    "search": "10.5.0",
    "lens": "8.9.0",
    "dashboard": "10.3.0",
}


# Every saved search and visualisation hides what `wirestream search` hides: withdrawn
# articles (killed or withheld by their source, kept in the index for audit) and articles
# still under embargo (compared with `now` when Kibana runs the query, so they appear when
# the embargo ends). The same rule as pipeline.contracts.pubstatus.is_visible.
VISIBLE_KQL = "not status : (withheld or canceled) and not embargoed_until > now"


def visible(query: str) -> str:
    return f"({query}) and {VISIBLE_KQL}" if query else VISIBLE_KQL


def _each(path: str, var: str, condition: str, value: str) -> str:
    return (
        f"def items = params._source.{path}; if (items != null) {{ for (def {var} : items) "
        f"{{ if ({condition}) {{ emit({value}); }} }} }}"
    )


RUNTIME_FIELDS: dict[str, dict[str, Any]] = {
    "primary_topic": {
        "type": "keyword",
        "script": {
            "source": "def items = params._source.topics; "
            "if (items != null && !items.isEmpty() && items[0].label != null) "
            "{ emit(items[0].label); }"
        },
    },
    "topic_label": {
        "type": "keyword",
        "script": {"source": _each("topics", "t", "t.label != null", "t.label")},
    },
    "topic_code": {
        "type": "keyword",
        "script": {"source": _each("topics", "t", "t.code != null", "t.code")},
    },
    "quote_speaker": {
        "type": "keyword",
        "script": {"source": _each("quotes", "q", "q.speaker != null", "q.speaker")},
    },
    "quote_speaker_typed": {
        # One value per quote: the linked speaker with its entity label, so people and
        # organisations that share a surname-like name stay apart in the panel.
        "type": "keyword",
        "script": {
            "source": _each(
                "quotes",
                "q",
                "q.speaker != null",
                "q.speaker + (q.speaker_type == null ? '' : ' (' + q.speaker_type + ')')",
            )
        },
    },
    "quote_line": {
        "type": "keyword",
        "script": {
            "source": _each(
                "quotes",
                "q",
                "q.text != null",
                "(q.speaker != null ? q.speaker : (q.speaker_mention != null ? "
                "'[' + q.speaker_mention + ']' : 'unattributed')) + "
                "(q.kind == 'indirect' || q.kind == 'mixed' ? ' (reported): ' : ': ') + "
                "'\u201c' + q.text + '\u201d'",
            )
        },
    },
    "stance_target": {
        "type": "keyword",
        "script": {"source": _each("stance", "s", "s.target != null", "s.target")},
    },
    # claim (agree/disagree/discuss/unrelated) or short (favor/against/neutral/unrelated);
    # entries written before the kind existed are claims (issue 19).
    "stance_kind": {
        "type": "keyword",
        "script": {
            "source": _each("stance", "s", "s.target != null", "s.kind != null ? s.kind : 'claim'")
        },
    },
    "stance_pair": {
        "type": "keyword",
        "script": {
            "source": _each(
                "stance",
                "s",
                "s.target != null && s.label != null",
                "s.target + ' \u00b7 ' + s.label",
            )
        },
    },
    "entity_person": {
        "type": "keyword",
        "script": {
            "source": _each(
                "entities",
                "e",
                "e.label == 'PERSON' && e.text != null",
                "e.canonical != null ? e.canonical : e.text",
            )
        },
    },
    # entity · sentiment in one value (issue 19), as stance_pair does for target · stance.
    "entity_portrayal": {
        "type": "keyword",
        "script": {
            "source": _each(
                "entities",
                "e",
                "e.sentiment != null && e.sentiment.label != null && e.text != null",
                "(e.canonical != null ? e.canonical : e.text) + ' \u00b7 ' + e.sentiment.label",
            )
        },
    },
}


def _obj(
    type_: str, id_: str, attributes: dict[str, Any], references: list[dict[str, str]]
) -> dict:
    return {
        "type": type_,
        "id": id_,
        "attributes": attributes,
        "references": references,
        "coreMigrationVersion": CORE,
        "typeMigrationVersion": TYPE_VERSIONS[type_],
        "managed": False,
    }


def data_view(id_: str, name: str, time_field: str) -> dict:
    return _obj(
        "index-pattern",
        id_,
        {
            "title": ALIAS,
            "name": name,
            "timeFieldName": time_field,
            "runtimeFieldMap": json.dumps(RUNTIME_FIELDS, sort_keys=True),
            "fieldAttrs": "{}",
            "fieldFormatMap": "{}",
            "fields": "[]",
            "sourceFilters": json.dumps([{"value": "embedding"}, {"value": "body"}]),
            "allowNoIndex": True,
        },
        [],
    )


def saved_search(
    id_: str,
    title: str,
    description: str,
    columns: list[str],
    query: str,
    sort: list[list[str]] | None = None,
) -> dict:
    source = {
        "query": {"query": visible(query), "language": "kuery"},
        "filter": [],
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
    }
    return _obj(
        "search",
        id_,
        {
            "title": title,
            "description": description,
            "columns": columns,
            "sort": sort or [["received_at", "desc"]],
            "grid": {},
            "hideChart": False,
            "isTextBasedQuery": False,
            "timeRestore": False,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
        },
        [
            {
                "type": "index-pattern",
                "id": DATA_VIEW,
                "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
            }
        ],
    )


def count_column(label: str) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "count",
        "sourceField": "___records___",
        "isBucketed": False,
        "scale": "ratio",
        "params": {"emptyAsNull": True},
    }


def terms_column(field: str, label: str, size: int, order_by: dict[str, str]) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "string",
        "operationType": "terms",
        "sourceField": field,
        "isBucketed": True,
        "scale": "ordinal",
        "params": {
            "size": size,
            "orderBy": order_by,
            "orderDirection": "asc" if order_by["type"] == "alphabetical" else "desc",
            "otherBucket": True,
            "missingBucket": False,
            "parentFormat": {"id": "terms"},
        },
    }


def date_histogram_column(field: str) -> dict[str, Any]:
    return {
        "label": field,
        "dataType": "date",
        "operationType": "date_histogram",
        "sourceField": field,
        "isBucketed": True,
        "scale": "interval",
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
    }


def lens(
    id_: str, title: str, vis_type: str, columns: dict[str, dict], visualization: dict
) -> dict:
    layer = "layer1"
    state = {
        "datasourceStates": {
            "formBased": {
                "layers": {
                    layer: {
                        "columnOrder": list(columns),
                        "columns": columns,
                        "incompleteColumns": {},
                    }
                }
            }
        },
        "visualization": {**visualization},
        "query": {"query": visible(""), "language": "kuery"},
        "filters": [],
        "internalReferences": [],
        "adHocDataViews": {},
    }
    return _obj(
        "lens",
        id_,
        {"title": title, "description": "", "visualizationType": vis_type, "state": state},
        [
            {
                "type": "index-pattern",
                "id": DATA_VIEW,
                "name": f"indexpattern-datasource-layer-{layer}",
            }
        ],
    )


def xy(series: str, x: str, y: str, split: str | None = None) -> dict[str, Any]:
    layer: dict[str, Any] = {
        "layerId": "layer1",
        "layerType": "data",
        "seriesType": series,
        "xAccessor": x,
        "accessors": [y],
    }
    if split:
        layer["splitAccessor"] = split
    return {
        "legend": {"isVisible": True, "position": "right"},
        "valueLabels": "hide",
        "preferredSeriesType": series,
        "layers": [layer],
    }


def visualizations() -> list[dict]:
    by_count = {"type": "column", "columnId": "count"}
    return [
        lens(
            "wirestream-articles-per-topic",
            "Articles per topic over time",
            "lnsXY",
            {
                "when": date_histogram_column("received_at"),
                "topic": terms_column("primary_topic", "Topic", 10, by_count),
                "count": count_column("Articles"),
            },
            xy("bar_stacked", "when", "count", split="topic"),
        ),
        lens(
            "wirestream-top-speakers",
            "Top quoted speakers",
            "lnsXY",
            {
                "speaker": terms_column(
                    "quote_speaker_typed", "Speaker (linked entity)", 15, by_count
                ),
                "count": count_column("Articles quoting them"),
            },
            xy("bar_horizontal", "speaker", "count"),
        ),
        lens(
            "wirestream-stance-by-target",
            "Stance breakdown per target",
            "lnsXY",
            {
                # target · label in one value: separate target and label fields would pair
                # every target of an article with every label of it.
                "pair": terms_column(
                    "stance_pair", "Target · stance", 40, {"type": "alphabetical"}
                ),
                "count": count_column("Articles"),
            },
            xy("bar_horizontal", "pair", "count"),
        ),
        lens(
            "wirestream-entity-portrayal",
            "How they are portrayed",
            "lnsXY",
            {
                # Entity (PERSON/ORG) x sentiment, one value per pair as in stance_pair.
                "pair": terms_column("entity_portrayal", "Entity \u00b7 sentiment", 40, by_count),
                "count": count_column("Articles"),
            },
            xy("bar_horizontal", "pair", "count"),
        ),
        lens(
            "wirestream-sources",
            "Sources",
            "lnsXY",
            {
                "source": terms_column("source", "Source", 20, by_count),
                "count": count_column("Articles"),
            },
            xy("bar_horizontal", "source", "count"),
        ),
    ]


SEARCHES = [
    saved_search(
        "wirestream-latest-articles",
        "Latest articles",
        "Every article as it arrives: enrichment.status is pending until its topics, quotes "
        "and entities are in (index first, enrich after).",
        ["enrichment.status", "headline", "source", "received_at"],
        "id : *",
    ),
    saved_search(
        "wirestream-search-by-topic",
        "News by topic",
        "Articles with their IPTC Media Topics; filter on topic_code or topic_label.",
        ["primary_topic", "topic_label", "headline", "source"],
        "topic_code : *",
    ),
    saved_search(
        "wirestream-search-by-speaker",
        "Quotes by speaker",
        "Articles with attributed quotes; filter on quote_speaker.",
        ["quote_speaker", "quote_line", "headline"],
        "quote_speaker : *",
    ),
    saved_search(
        "wirestream-search-by-stance",
        "Stance by target",
        "Articles with a stance towards the configured targets; filter on stance_target, "
        "and on stance_kind: claim (agree/disagree/discuss/unrelated) or short "
        "(favor/against/neutral/unrelated towards a name, policy or topic).",
        ["stance_pair", "stance_kind", "headline", "source"],
        "stance_target : *",
    ),
    saved_search(
        "wirestream-search-by-short-target",
        "Stance towards names and topics",
        "Articles that favour or oppose a short target (a person, policy or topic such as "
        "'Brexit'); filter on stance_pair, e.g. 'Brexit \u00b7 against'.",
        ["stance_pair", "headline", "source"],
        'stance_kind : "short"',
    ),
    saved_search(
        "wirestream-top-stories",
        "Top stories now",
        "One row per article with a story, the largest stories first: an article's story.size "
        "is the story's size when it arrived, so the top rows are the latest articles of the "
        "biggest stories of the time range (docs/pipeline.md, Stories).",
        ["story.size", "headline", "story.sources", "story.first_seen", "story.id"],
        "story.id : *",
        [["story.size", "desc"], ["received_at", "desc"]],
    ),
    saved_search(
        "wirestream-latest-quotes",
        "Latest quotes",
        "The newest quotes, speaker first.",
        ["quote_line", "headline", "source"],
        "quote_line : *",
    ),
]


def dashboard(panels: list[tuple[str, str, dict[str, int]]]) -> dict:
    panels_json, references = [], []
    for i, (type_, id_, grid) in enumerate(panels, start=1):
        index = f"p{i}"
        panels_json.append(
            {
                "type": type_,
                "gridData": {**grid, "i": index},
                "panelIndex": index,
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{index}",
            }
        )
        references.append({"type": type_, "id": id_, "name": f"{index}:panel_{index}"})
    return _obj(
        "dashboard",
        "wirestream-news-dashboard",
        {
            "title": "wirestream: news overview",
            "description": "Enriched wire news: topics, quoted speakers, stance, sources, latest quotes, "
            "top stories, how people and organisations are portrayed.",
            "panelsJSON": json.dumps(panels_json),
            "optionsJSON": json.dumps(
                {"useMargins": True, "syncColors": False, "hidePanelTitles": False}
            ),
            "timeRestore": True,
            "timeFrom": "now-7d",
            "timeTo": "now",
            "refreshInterval": {"pause": False, "value": 30000},
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps(
                    {"query": {"query": "", "language": "kuery"}, "filter": []}
                )
            },
        },
        references,
    )


def saved_objects() -> list[dict]:
    lenses = visualizations()
    board = dashboard(
        [
            ("lens", "wirestream-articles-per-topic", {"x": 0, "y": 0, "w": 48, "h": 14}),
            ("lens", "wirestream-top-speakers", {"x": 0, "y": 14, "w": 24, "h": 16}),
            ("lens", "wirestream-stance-by-target", {"x": 24, "y": 14, "w": 24, "h": 16}),
            ("lens", "wirestream-sources", {"x": 0, "y": 30, "w": 16, "h": 16}),
            ("search", "wirestream-latest-quotes", {"x": 16, "y": 30, "w": 32, "h": 16}),
            ("search", "wirestream-top-stories", {"x": 0, "y": 46, "w": 48, "h": 16}),
            ("lens", "wirestream-entity-portrayal", {"x": 0, "y": 62, "w": 48, "h": 16}),
        ]
    )
    return [
        data_view(DATA_VIEW, "news (received time)", "received_at"),
        data_view(DATA_VIEW_PUBLISHED, "news (publication time)", "published_at"),
        *SEARCHES,
        *lenses,
        board,
    ]


def render() -> str:
    return "".join(
        json.dumps(o, sort_keys=True, ensure_ascii=False) + "\n" for o in saved_objects()
    )


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT.name} is stale: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} saved objects to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
