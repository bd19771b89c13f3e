"""`wirestream topics create|list`: the pipeline's Kafka topics, with explicit partitions."""

from __future__ import annotations

import click

from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings, TopicSettings


@click.group()
def topics() -> None:
    """The pipeline's Kafka topics (the broker does not create topics by itself)."""


@topics.command()
def create() -> None:
    """Create the four pipeline topics if missing; idempotent."""
    kafka = KafkaSettings()
    results = topics_admin.ensure_topics(topics_admin.project_topics(TopicSettings()), kafka)
    for r in results:
        what = "created" if r.created else "exists"
        note = f" (configured: {r.wanted_partitions}; left as is)" if r.mismatch else ""
        click.echo(f"{r.name:<22} {what:<8} {r.partitions} partitions{note}")


@topics.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="include internal topics")
def list_topics(show_all: bool) -> None:
    """Topics on the broker with their partition counts."""
    admin = topics_admin.admin_client(KafkaSettings())
    try:
        names = sorted(n for n in admin.list_topics() if show_all or not n.startswith("__"))
        counts = topics_admin.partition_counts(admin, names)
    finally:
        admin.close()
    for name in names:
        click.echo(f"{name:<40} {counts.get(name, 0)} partitions")
