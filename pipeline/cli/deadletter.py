"""`wirestream deadletter list|replay`: inspect dead letters and send their originals again.

A dead letter's id is `<partition>-<offset>` on the dead-letter topic; `replay --id` also
accepts an article id. Replay produces the original bytes with the original key to the
article topic, so the worker processes them again (after a fix, or a transient failure).
"""

from __future__ import annotations

from typing import Any

import click
import orjson

REPLAYABLE_STAGES = ("decode", "validate", "enrich", "index", "publish")


def _letters() -> list[tuple[str, dict[str, Any]]]:
    from pipeline.ops.topic_reader import read
    from pipeline.settings import TopicSettings

    letters = []
    try:
        for record in read(TopicSettings().deadletter, from_beginning=True):
            try:
                value = orjson.loads(record.value or b"")
            except orjson.JSONDecodeError:
                continue
            letters.append((f"{record.partition}-{record.offset}", value))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    letters.sort(key=lambda pair: pair[1].get("failed_at", ""))
    return letters


@click.group()
def deadletter() -> None:
    """Dead-lettered records: list them, replay them."""


@deadletter.command("list")
@click.option("-n", "count", default=20, show_default=True, help="the N most recent")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per dead letter")
def list_(count: int, as_json: bool) -> None:
    """The most recent dead letters with their stage and reason."""
    letters = _letters()[-count:] if count else _letters()
    for letter_id, value in letters:
        if as_json:
            click.echo(orjson.dumps({"deadletter_id": letter_id, **value}).decode())
            continue
        message = value.get("error_message", "").replace("\n", " ")
        click.echo(
            f"{letter_id:>10}  {value.get('failed_at', '?')}  {value.get('stage', '?'):9}"
            f"  {value.get('error_class', '?')}  {value.get('article_id') or '-'}"
        )
        click.echo(f"{'':12}{message[:200]}")


@deadletter.command()
@click.option("--id", "ids", multiple=True, help="dead letter id (partition-offset) or article id")
def replay(ids: tuple[str, ...]) -> None:
    """Produce the originals again to the article topic (all replayable ones without --id)."""
    from kafka import KafkaProducer

    from pipeline.contracts.deadletter import original_bytes
    from pipeline.security.kafka import kafka_python_security
    from pipeline.settings import KafkaSettings, TopicSettings

    wanted = set(ids)
    chosen = [
        (letter_id, value)
        for letter_id, value in _letters()
        if not wanted or letter_id in wanted or value.get("article_id") in wanted
    ]
    if wanted and not chosen:
        raise click.ClickException("no dead letter has these ids")
    kafka, topic = KafkaSettings(), TopicSettings().article
    producer = KafkaProducer(
        bootstrap_servers=kafka.bootstrap.split(","),
        acks="all",
        client_id=f"{kafka.client_id}-replay",
        **kafka_python_security(kafka),
    )
    sent = skipped = 0
    try:
        for letter_id, value in chosen:
            payload = original_bytes(value)
            if value.get("stage") not in REPLAYABLE_STAGES or payload is None:
                skipped += 1
                click.echo(
                    f"skip {letter_id}: stage {value.get('stage')} has no article to replay",
                    err=True,
                )
                continue
            key = (value.get("original") or {}).get("key")
            producer.send(topic, key=key.encode() if key else None, value=payload).get(timeout=30)
            sent += 1
    finally:
        producer.close()
    click.echo(f"replayed {sent} to {topic}" + (f", skipped {skipped}" if skipped else ""))
