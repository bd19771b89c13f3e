"""Create the project's topics with explicit partitions (the broker's auto creation is off).

`ensure_topics` is idempotent: existing topics are left as they are and reported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from pipeline.security.kafka import kafka_python_security
from pipeline.settings import KafkaSettings, TopicSettings


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int = 1
    retention_ms: int | None = None


@dataclass(frozen=True)
class TopicResult:
    name: str
    created: bool
    partitions: int
    wanted_partitions: int

    @property
    def mismatch(self) -> bool:
        return self.partitions != self.wanted_partitions


def project_topics(topics: TopicSettings | None = None) -> list[TopicSpec]:
    """The four topics of the pipeline, as configured."""
    topics = topics or TopicSettings()
    data = (topics.article, topics.enriched, topics.quote)
    return [
        TopicSpec(n, topics.partitions, topics.replication, topics.retention_ms) for n in data
    ] + [
        TopicSpec(
            topics.deadletter, topics.partitions, topics.replication, topics.deadletter_retention_ms
        )
    ]


def admin_client(kafka: KafkaSettings | None = None) -> KafkaAdminClient:
    kafka = kafka or KafkaSettings()
    return KafkaAdminClient(
        bootstrap_servers=kafka.bootstrap,
        client_id=f"{kafka.client_id}-admin",
        request_timeout_ms=kafka.request_timeout_ms,
        **kafka_python_security(kafka),
    )


def partition_counts(admin: KafkaAdminClient, names: list[str]) -> dict[str, int]:
    """Partitions per existing topic among `names` (absent topics are left out)."""
    existing = set(admin.list_topics())
    wanted = [n for n in names if n in existing]
    if not wanted:
        return {}
    # kafka-python 3 names the key "name"; 2.x called it "topic".
    return {
        t.get("name") or t["topic"]: len(t["partitions"]) for t in admin.describe_topics(wanted)
    }


def ensure_topics(specs: list[TopicSpec], kafka: KafkaSettings | None = None) -> list[TopicResult]:
    """Creates the missing topics and reports every one; never alters an existing topic."""
    admin = admin_client(kafka)
    try:
        existing = partition_counts(admin, [s.name for s in specs])
        missing = [s for s in specs if s.name not in existing]
        if missing:
            new = [
                NewTopic(
                    s.name,
                    s.partitions,
                    s.replication,
                    topic_configs={"retention.ms": str(s.retention_ms)} if s.retention_ms else {},
                )
                for s in missing
            ]
            # Created concurrently by someone else is fine: it is counted below.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new, timeout_ms=30_000, wait_for_metadata=True)
        counts = partition_counts(admin, [s.name for s in specs])
    finally:
        admin.close()
    return [
        TopicResult(s.name, s.name not in existing, counts.get(s.name, 0), s.partitions)
        for s in specs
    ]


def delete_topics(names: list[str], kafka: KafkaSettings | None = None) -> None:
    """Deletes the named topics that exist (tests clean up after themselves)."""
    admin = admin_client(kafka)
    try:
        present = [n for n in names if n in set(admin.list_topics())]
        if present:
            admin.delete_topics(present, timeout_ms=30_000)
    finally:
        admin.close()
