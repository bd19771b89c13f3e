"""`wirestream tail TOPIC`: follow a topic, one JSON object per line."""

from __future__ import annotations

import sys

import click
import orjson

ALIASES = ("article", "enriched", "quote", "deadletter")


def topic_name(name: str) -> str:
    """`enriched` -> the configured enriched topic; any other name is taken as is."""
    from pipeline.settings import TopicSettings

    return getattr(TopicSettings(), name) if name in ALIASES else name


def as_json_line(value: bytes | None) -> bytes:
    """The record's JSON as is; anything else wrapped so every line is still JSON."""
    if value is None:
        return b'{"value":null}'
    try:
        return orjson.dumps(orjson.loads(value))
    except orjson.JSONDecodeError:
        return orjson.dumps({"raw": value.decode("utf-8", "backslashreplace")})


@click.command()
@click.argument("topic")
@click.option("--from-beginning", is_flag=True, help="start at the oldest record, not the newest")
@click.option("-n", "count", type=int, default=None, help="stop after N records")
def tail(topic: str, from_beginning: bool, count: int | None) -> None:
    """Print the records of TOPIC (a name, or article/enriched/quote/deadletter) as JSON lines."""
    from pipeline.ops.topic_reader import read

    name = topic_name(topic)
    seen = 0
    out = sys.stdout.buffer
    try:
        for record in read(name, from_beginning=from_beginning, follow=True):
            out.write(as_json_line(record.value) + b"\n")
            out.flush()
            seen += 1
            if count is not None and seen >= count:
                return
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        pass
