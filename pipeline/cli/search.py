"""`wirestream search`: full-text, filtered and semantic search over the `news` alias."""

from __future__ import annotations

from typing import Any

import click
import orjson


def _encode(text: str) -> list[float]:
    # Lazy: loading the encoder costs seconds; plain text searches never pay it.
    from pipeline.enrich.encoder import load_encoder

    return [float(x) for x in load_encoder().encode([text])[0]]


def _latest_story(hit: dict[str, Any]) -> dict[str, Any] | None:
    """The story as its latest article saw it (collapsed search), else as this one did."""
    inner = (hit.get("inner_hits") or {}).get("story_latest")
    if inner and inner["hits"]["hits"]:
        return inner["hits"]["hits"][0]["_source"].get("story")
    return (hit.get("_source") or {}).get("story")


def render(hit: dict[str, Any], topics: int = 3) -> str:
    doc = hit.get("_source", {})
    score = hit.get("_score")  # None when sorted by date (filters only)
    headline = doc.get("headline") or "(no headline)"
    lines = [f"{headline}  [{score:.2f}]" if score is not None else headline]
    dateline = doc.get("dateline") or {}
    where = ", ".join(filter(None, [dateline.get("place"), dateline.get("agency")]))
    when = doc.get("published_at") or doc.get("received_at") or ""
    lines.append("  " + " · ".join(filter(None, [where, when, doc.get("source"), doc.get("id")])))
    if (doc.get("enrichment") or {}).get("status") == "pending":
        # Indexed on arrival by the raw indexer; topics, quotes and entities follow.
        lines.append("  (enrichment pending)")
    if doc.get("embargoed_until"):
        lines.append(f"  embargoed until {doc['embargoed_until']}")
    if doc.get("topics"):
        tops = ", ".join(f"{t['label']} ({t['score']:.2f})" for t in doc["topics"][:topics])
        lines.append(f"  topics: {tops}")
    for entry in doc.get("stance") or []:
        kind = entry.get("kind") or "claim"
        lines.append(
            f"  stance ({kind}) {entry['target']}: {entry['label']} ({entry['score']:.2f})"
        )
    quotes = doc.get("quotes") or []
    inner = (hit.get("inner_hits") or {}).get("speaker_quotes")
    if inner:
        quotes = [h["_source"] for h in inner["hits"]["hits"]]
    story = _latest_story(hit)
    if story:
        sources = ", ".join(story.get("sources") or [])
        seen = " → ".join(filter(None, [story.get("first_seen"), story.get("last_seen")]))
        lines.append(
            f"  story {story['id']}: {story.get('size', 1)} article(s) · {seen}"
            + (f" · sources: {sources}" if sources else "")
        )
    for quote in quotes:
        text = quote["text"].strip()
        if len(text) > 160:
            text = text[:157] + "..."
        lines.append(f"  - {quote.get('speaker') or '(unattributed)'}: {text}")
    return "\n".join(lines)


@click.command()
@click.argument("query", required=False)
@click.option("--topic", help="IPTC Media Topic code (medtop:16000000 or 16000000) or label")
@click.option("--speaker", help="only articles quoting this speaker (their quotes are shown)")
@click.option("--since", help="published (or received) on or after this date/time (ISO 8601)")
@click.option(
    "--stance",
    help="stance towards a target: TARGET or TARGET=LABEL; a short: or claim: prefix also"
    " requires the kind. Short targets (names, policies, topics): favor, against, neutral,"
    " unrelated; claims: agree, disagree, discuss, unrelated. E.g. 'short:Brexit=against'",
)
@click.option("--semantic", help="also rank by meaning: kNN on the article embeddings")
@click.option(
    "--include-embargoed",
    is_flag=True,
    help="also show articles still under embargo (for editors; withdrawn ones never show)",
)
@click.option("--stories", is_flag=True, help="one hit per story (collapse on story.id)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per hit")
@click.option("-n", "size", default=10, show_default=True, help="number of hits")
def search(
    query: str | None,
    topic: str | None,
    speaker: str | None,
    since: str | None,
    stance: str | None,
    semantic: str | None,
    include_embargoed: bool,
    stories: bool,
    as_json: bool,
    size: int,
) -> None:
    """Search the enriched news (the `news` alias).

    Withdrawn articles (killed or withheld by their source) never show; embargoed ones show
    only with --include-embargoed.
    """
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from pipeline.search.query import build_search
    from pipeline.security.es_client import elasticsearch_client
    from pipeline.security.secrets import redact_url
    from pipeline.settings import ElasticsearchSettings

    if not (query or topic or speaker or since or stance or semantic or stories):
        raise click.UsageError(
            "give a QUERY, --semantic TEXT or at least one filter (or --stories)"
        )
    settings = ElasticsearchSettings()
    vector = _encode(semantic) if semantic else None
    try:
        request = build_search(
            query,
            topic=topic,
            speaker=speaker,
            since=since,
            stance=stance,
            vector=vector,
            size=size,
            include_embargoed=include_embargoed,
            stories=stories,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--stance") from exc
    es = elasticsearch_client(settings)
    try:
        response = es.search(index=settings.alias, **request)
    except ApiError as exc:
        raise click.ClickException(f"search failed: {exc}") from exc
    except TransportError as exc:
        where = redact_url(settings.url)
        raise click.ClickException(f"cannot reach Elasticsearch at {where}: {exc}") from exc
    finally:
        es.close()
    hits = response["hits"]["hits"]
    if as_json:
        for hit in hits:
            out = {"id": hit["_id"], "score": hit.get("_score"), **hit["_source"]}
            inner = (hit.get("inner_hits") or {}).get("speaker_quotes")
            if inner:
                out["matched_quotes"] = [h["_source"] for h in inner["hits"]["hits"]]
            if stories:
                out["story"] = _latest_story(hit)
            click.echo(orjson.dumps(out).decode())
        return
    total = response["hits"]["total"]
    counted = f"{total['value']}{'+' if total.get('relation') == 'gte' else ''} hits"
    if stories:
        counted += f" in ~{response['aggregations']['stories']['value']} stories"
    click.echo(counted)
    for hit in hits:
        click.echo("")
        click.echo(render(hit))
