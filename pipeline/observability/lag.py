"""Consumer lag of the worker group on the input topic: end offset minus committed offset.

Measured from outside the consumer (admin API), so the number is the same whichever replica
reports it and does not depend on Faust internals. Each replica runs a `LagMonitor`; in
Prometheus take `max by (topic, partition)` to ignore the duplicates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec

from pipeline.security.kafka import kafka_python_security
from pipeline.settings import KafkaSettings

log = logging.getLogger(__name__)


def compute_lag(end_offsets: dict[int, int], committed: dict[int, int | None]) -> dict[int, int]:
    """Lag per partition; a partition the group never committed lags by its whole length."""
    lag = {}
    for partition, end in end_offsets.items():
        done = committed.get(partition)
        lag[partition] = max(0, end - (done if done is not None and done >= 0 else 0))
    return lag


def measure_lag(admin: KafkaAdminClient, group: str, topic: str) -> dict[int, int]:
    partitions = admin.describe_topics([topic])[0]["partitions"]
    tps = [TopicPartition(topic, p["partition_index"]) for p in partitions]
    ends = admin.list_partition_offsets(dict.fromkeys(tps, OffsetSpec.LATEST))
    offsets = admin.list_group_offsets({group: tps}).get(group, {})
    return compute_lag(
        {tp.partition: ends[tp].offset for tp in tps},
        {tp.partition: (offsets[tp].offset if tp in offsets else None) for tp in tps},
    )


class LagMonitor:
    """Measures lag every `interval_s` in a daemon thread and hands it to `report`."""

    def __init__(
        self,
        bootstrap: str,
        group: str,
        topic: str,
        report: Callable[[str, dict[int, int]], None],
        interval_s: float = 15.0,
    ) -> None:
        self.bootstrap, self.group, self.topic = bootstrap, group, topic
        self.report, self.interval_s = report, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-monitor", daemon=True)

    def start(self) -> LagMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s + 5)

    def _run(self) -> None:
        admin: KafkaAdminClient | None = None
        while not self._stop.is_set():
            try:
                admin = admin or KafkaAdminClient(
                    bootstrap_servers=self.bootstrap,
                    client_id="wirestream-lag",
                    **kafka_python_security(KafkaSettings()),
                )
                self.report(self.topic, measure_lag(admin, self.group, self.topic))
            except Exception as exc:  # Kafka away: keep the last value, try again next round
                log.warning("consumer lag not measured", extra={"error": repr(exc)})
                if admin is not None:
                    admin.close()
                    admin = None
            self._stop.wait(self.interval_s)
        if admin is not None:
            admin.close()
