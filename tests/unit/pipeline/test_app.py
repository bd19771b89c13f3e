"""The worker's Faust app: its output producer is idempotent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pipeline.settings import KafkaSettings, WorkerSettings
from pipeline.worker.app import create_app
from pipeline.worker.idempotent_transport import IdempotentProducer


def _app(tmp_path: Path):
    return create_app(
        WorkerSettings(app_id="unit-app", data_dir=tmp_path),
        KafkaSettings(bootstrap="127.0.0.1:1"),
    )


def test_the_worker_producer_asks_for_idempotence_and_acks_from_all_replicas(tmp_path) -> None:
    producer = _app(tmp_path).producer

    async def build():  # aiokafka clients are made inside a running loop
        return producer._new_producer()

    client = asyncio.run(build())

    assert isinstance(producer, IdempotentProducer)
    assert producer._settings_extra() == {"acks": "all", "enable_idempotence": True}
    assert client._txn_manager is not None  # aiokafka's idempotence bookkeeping
    assert client._txn_manager.transactional_id is None  # idempotent, not transactional


def test_the_worker_app_still_uses_its_configured_brokers(tmp_path) -> None:
    app = _app(tmp_path)

    assert [str(url) for url in app.transport.url] == ["kafka://127.0.0.1:1"]
