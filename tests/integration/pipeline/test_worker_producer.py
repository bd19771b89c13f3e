"""The worker's idempotent producer against the real broker: it gets a producer id and delivers."""

from __future__ import annotations

import asyncio

from kafka import KafkaConsumer

from pipeline.settings import KafkaSettings, WorkerSettings
from pipeline.worker.app import create_app


def test_the_broker_grants_the_worker_producer_an_id_and_gets_its_records(
    kafka_bootstrap, create_topic, unique_name, tmp_path
) -> None:
    topic = create_topic(unique_name("idempotent"))
    kafka = KafkaSettings(bootstrap=kafka_bootstrap)
    producer = create_app(
        WorkerSettings(app_id=unique_name("app"), data_dir=tmp_path), kafka
    ).producer

    async def send() -> int:
        client = producer._new_producer()  # the same settings the worker's producer starts with
        await client.start()
        try:
            for i in range(3):
                await client.send_and_wait(topic, f"v{i}".encode(), key=b"article-1")
            return client._txn_manager.producer_id
        finally:
            await client.stop()

    producer_id = asyncio.run(send())

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    try:
        values = [m.value for m in consumer][:3]
    finally:
        consumer.close()
    assert producer_id >= 0
    assert values == [b"v0", b"v1", b"v2"]
