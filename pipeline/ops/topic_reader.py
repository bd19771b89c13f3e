"""Reading a topic with a plain kafka-python consumer (no consumer group, no commits).

Used by `wirestream tail` and `wirestream deadletter`: they observe topics, they must not
move any group's offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from pipeline.security.kafka import kafka_python_security
from pipeline.settings import KafkaSettings


@dataclass(frozen=True)
class Consumed:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None


def read(
    topic: str,
    *,
    from_beginning: bool = True,
    follow: bool = False,
    kafka: KafkaSettings | None = None,
    poll_ms: int = 500,
) -> Iterator[Consumed]:
    """Records of every partition; without `follow`, stop at the end offsets seen at start."""
    kafka = kafka or KafkaSettings()
    consumer = KafkaConsumer(
        bootstrap_servers=kafka.bootstrap.split(","),
        client_id=f"{kafka.client_id}-reader",
        group_id=None,
        enable_auto_commit=False,
        **kafka_python_security(kafka),
    )
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise LookupError(f"topic {topic!r} does not exist")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        if from_beginning:
            consumer.seek_to_beginning(*tps)
        else:
            consumer.seek_to_end(*tps)
        end = consumer.end_offsets(tps)
        remaining = {tp for tp in tps if consumer.position(tp) < end[tp]}
        while follow or remaining:
            batch = consumer.poll(timeout_ms=poll_ms)
            for tp, records in batch.items():
                for r in records:
                    yield Consumed(r.topic, r.partition, r.offset, r.timestamp, r.key, r.value)
                if tp in remaining and consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
    finally:
        consumer.close()
