"""Faust's aiokafka transport with an idempotent producer for the worker's output.

faust-streaming turns on `enable_idempotence` only inside its exactly-once mode
(`Producer._settings_extra`). The worker runs at-least-once, so without this every resend
after a lost acknowledgement (a broker restart, a leader change, a request timeout) could
write the same output record twice. With idempotence the broker drops those resends by
producer id and sequence number; reprocessing a batch after a crash can still publish it
again, and consumers dedupe those by article id (docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka


class IdempotentProducer(faust_aiokafka.Producer):
    def _settings_extra(self) -> Mapping[str, Any]:
        # Idempotence requires acks from all in-sync replicas; aiokafka refuses anything else.
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class IdempotentTransport(faust_aiokafka.Transport):
    Producer = IdempotentProducer
