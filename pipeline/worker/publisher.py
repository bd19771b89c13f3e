"""Producing the worker's output through Faust's producer (aiokafka, idempotent, acks=all)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from pipeline.worker.topics import Topics


class FaustPublisher:
    def __init__(self, topics: Topics) -> None:
        self.topics = topics

    async def send(self, topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]:
        # Faust hands the record to the producer and returns the delivery future; awaiting
        # that future waits for the broker's acknowledgement (or raises its error).
        return await self.topics.by_name(topic).send(key=key, value=value)
