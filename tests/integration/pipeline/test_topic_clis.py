"""`wirestream tail` and `wirestream deadletter list|replay` against the real broker."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.cli.deadletter import deadletter
from pipeline.cli.tail import tail
from pipeline.contracts.deadletter import deadletter_record


@pytest.fixture
def topics(create_topic, unique_name, kafka_bootstrap, monkeypatch):
    names = {kind: create_topic(unique_name(f"cli-{kind}")) for kind in ("article", "deadletter")}
    monkeypatch.setenv("WIRESTREAM_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("WIRESTREAM_TOPIC_ARTICLE", names["article"])
    monkeypatch.setenv("WIRESTREAM_TOPIC_DEADLETTER", names["deadletter"])
    return names


def produce(bootstrap: str, topic: str, *values: bytes, key: bytes | None = None) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for value in values:
            producer.send(topic, key=key, value=value).get(30)
    finally:
        producer.close()


def test_tail_prints_json_lines_and_wraps_what_is_not_json(topics, kafka_bootstrap):
    produce(kafka_bootstrap, topics["article"], b'{"a": 1}', b"\xffraw")
    result = CliRunner().invoke(tail, [topics["article"], "--from-beginning", "-n", "2"])
    assert result.exit_code == 0, result.output
    assert [orjson.loads(line) for line in result.stdout.splitlines()] == [
        {"a": 1},
        {"raw": "\\xffraw"},
    ]


def test_deadletters_are_listed_and_replayed_to_the_article_topic(topics, kafka_bootstrap):
    original = b'{"schema": "wire.article.v1", "id": "abc"}'
    letter = deadletter_record(
        original,
        stage="validate",
        error="id: does not match",
        key=b"k1",
        topic=topics["article"],
        partition=0,
        offset=5,
    )
    connector = deadletter_record(b"<rss>", stage="connector", error="not a feed")
    produce(kafka_bootstrap, topics["deadletter"], orjson.dumps(letter), orjson.dumps(connector))

    listed = CliRunner().invoke(deadletter, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = [orjson.loads(line) for line in listed.stdout.splitlines()]
    assert {row["stage"] for row in rows} == {"validate", "connector"}
    validate_id = next(r["deadletter_id"] for r in rows if r["stage"] == "validate")

    replayed = CliRunner().invoke(deadletter, ["replay", "--id", validate_id])
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 1" in replayed.stdout

    consumer = KafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=None, consumer_timeout_ms=10_000
    )
    consumer.assign([TopicPartition(topics["article"], 0)])
    consumer.seek_to_beginning()
    record = next(iter(consumer))
    consumer.close()
    assert (record.key, record.value) == (b"k1", original)


def test_replay_skips_connector_deadletters_which_hold_no_article(topics, kafka_bootstrap):
    produce(
        kafka_bootstrap,
        topics["deadletter"],
        orjson.dumps(deadletter_record(b"<x>", stage="connector", error="e")),
    )
    result = CliRunner().invoke(deadletter, ["replay"])
    assert result.exit_code == 0
    assert "replayed 0" in result.stdout and "skipped 1" in result.stdout
