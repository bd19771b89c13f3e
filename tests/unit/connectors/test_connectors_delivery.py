from __future__ import annotations

import pytest
from kafka.errors import KafkaTimeoutError, NotLeaderForPartitionError

from connectors.files import FileSource
from connectors.formats import read_path
from connectors.producer import DeliveryError, producer_config
from connectors.runner import deliver, run
from connectors.settings import ConnectorSettings
from pipeline.contracts import schemas


def test_good_articles_go_to_the_article_topic_keyed_by_id(producer, fake_client, fixtures) -> None:
    counts = deliver(read_path(fixtures / "ninjs" / "ninjs-1.json"), producer)
    assert (counts.sent, counts.deadlettered) == (1, 0)
    [(topic, key, _)] = fake_client.sent
    [article] = fake_client.records("articles")
    assert topic == "articles"
    assert key == article["id"].encode()
    schemas.validate(schemas.ARTICLE, article)


def test_malformed_input_goes_to_the_dead_letter_topic_with_its_reason(
    producer, fake_client, fixtures
) -> None:
    counts = deliver(read_path(fixtures / "malformed" / "broken.json"), producer)
    assert (counts.sent, counts.deadlettered) == (0, 1)
    [record] = fake_client.records("dead")
    schemas.validate(schemas.DEADLETTER, record)
    assert record["stage"] == "connector"
    assert "not valid JSON" in record["error_message"]
    assert record["original"]["source"].endswith("broken.json")
    assert record["original"]["value"].startswith('{"uri"')


def test_record_too_large_for_kafka_is_dead_lettered_not_fatal(
    producer, fake_client, fixtures
) -> None:
    fake_client.max_bytes = 200
    counts = deliver(read_path(fixtures / "ninjs" / "ninjs-1.json"), producer)
    assert (counts.sent, counts.deadlettered) == (0, 1)
    [record] = fake_client.records("dead")
    assert record["error_class"] == "MessageSizeTooLargeError"
    assert record["article_id"]


def test_unavailable_kafka_is_a_delivery_error(producer, fake_client, fixtures) -> None:
    fake_client.fail_with = NotLeaderForPartitionError()
    with pytest.raises(DeliveryError):
        deliver(read_path(fixtures / "ninjs" / "ninjs-1.json"), producer)


def test_metadata_timeout_is_a_delivery_error(producer, fake_client, fixtures) -> None:
    def timeout(*args, **kwargs):
        raise KafkaTimeoutError("no metadata")

    fake_client.send = timeout
    with pytest.raises(DeliveryError):
        deliver(read_path(fixtures / "ninjs" / "ninjs-1.json"), producer)


def test_ingesting_a_directory_sends_good_files_and_dead_letters_bad_ones(
    producer, fake_client, fixtures
) -> None:
    counts = run(FileSource([fixtures / "ninjs", fixtures / "malformed"]), producer)
    assert (counts.sent, counts.deadlettered) == (2, 2)


def test_send_and_wait_returns_after_the_ack(producer, fake_client) -> None:
    from connectors.article import build_article

    producer.send_and_wait(build_article(source="s", body="b", fmt="http"))
    assert len(fake_client.records("articles")) == 1


def test_producer_asks_for_acks_from_all_replicas_and_idempotence() -> None:
    from pipeline.settings import KafkaSettings

    config = producer_config(KafkaSettings(), ConnectorSettings())
    assert config["acks"] == "all"
    assert config["enable_idempotence"] is True
    assert config["compression_type"] == KafkaSettings().compression
