"""The real local Kafka and Elasticsearch answer like the pipeline needs them to."""

from __future__ import annotations

from click.testing import CliRunner
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from pipeline.cli.main import cli
from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings, TopicSettings


def test_messages_produced_with_keys_are_consumed_from_a_new_topic(
    kafka_bootstrap, create_topic, unique_name
):
    topic = create_topic(unique_name("roundtrip"), partitions=3)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for n in range(20):
        producer.send(topic, key=f"article-{n}".encode(), value=f"body {n}".encode())
    producer.flush(timeout=30)
    producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=unique_name("group"),
        auto_offset_reset="earliest",
        consumer_timeout_ms=15_000,
    )
    received = {}
    for message in consumer:
        received[message.key.decode()] = (message.value.decode(), message.partition)
        if len(received) == 20:
            break
    consumer.close()

    assert {k: v[0] for k, v in received.items()} == {
        f"article-{n}": f"body {n}" for n in range(20)
    }
    assert len({partition for _, partition in received.values()}) > 1


def test_indexed_document_is_found_after_refresh(es, unique_name):
    index = unique_name("docs")
    es.indices.create(index=index, mappings={"properties": {"title": {"type": "text"}}})
    try:
        es.index(index=index, id="a1", document={"title": "Storm closes harbour"})
        es.index(index=index, id="a2", document={"title": "Election results announced"})
        es.indices.refresh(index=index)

        hits = es.search(index=index, query={"match": {"title": "harbour"}})["hits"]["hits"]

        assert [h["_id"] for h in hits] == ["a1"]
    finally:
        es.indices.delete(index=index)


def test_topics_create_is_idempotent_and_uses_the_configured_partitions(
    kafka_bootstrap, unique_name, monkeypatch
):
    names = {
        role: unique_name(f"t-{role}") for role in ("article", "enriched", "quote", "deadletter")
    }
    for role, name in names.items():
        monkeypatch.setenv(f"WIRESTREAM_TOPIC_{role.upper()}", name)
    monkeypatch.setenv("WIRESTREAM_TOPIC_PARTITIONS", "3")
    runner = CliRunner()
    try:
        first = runner.invoke(cli, ["topics", "create"])
        second = runner.invoke(cli, ["topics", "create"])

        assert first.exit_code == 0, first.output
        assert second.exit_code == 0, second.output
        assert first.output.count("created") == 4
        assert second.output.count("exists") == 4
        admin = topics_admin.admin_client(KafkaSettings(bootstrap=kafka_bootstrap))
        try:
            counts = topics_admin.partition_counts(admin, list(names.values()))
        finally:
            admin.close()
        assert counts == {name: 3 for name in names.values()}
        retention = topic_retention(kafka_bootstrap, names["deadletter"])
        assert retention == str(TopicSettings().deadletter_retention_ms)
    finally:
        topics_admin.delete_topics(list(names.values()), KafkaSettings(bootstrap=kafka_bootstrap))


def topic_retention(bootstrap: str, name: str) -> str | None:
    admin = topics_admin.admin_client(KafkaSettings(bootstrap=bootstrap))
    try:
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    finally:
        admin.close()
    return configs["topic"][name].get("retention.ms", {}).get("value")


def test_stack_status_reports_both_servers_healthy(stack):
    result = CliRunner().invoke(cli, ["stack", "status"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("kafka") and " healthy " in line for line in lines), result.output
    assert any(line.startswith("elasticsearch") and " healthy " in line for line in lines)
