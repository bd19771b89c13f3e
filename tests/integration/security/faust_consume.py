"""A Faust app built by `pipeline.worker.app.create_app` (the worker's factory, so the worker's broker
credentials) that consumes N records of a topic, writes them to a file and exits.

Usage: python faust_consume.py TOPIC COUNT OUT_FILE DATA_DIR  (Kafka settings from WIRESTREAM_*).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.observability.logs import configure
from pipeline.settings import KafkaSettings, WorkerSettings
from pipeline.worker.app import create_app


def main() -> None:
    topic_name, count, out, data_dir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    configure("INFO", json_lines=True)
    worker = WorkerSettings(app_id=f"sec-{topic_name}", data_dir=Path(data_dir))
    app = create_app(worker, KafkaSettings())
    topic = app.topic(topic_name, value_serializer="raw", key_serializer="raw")
    seen: list[bytes] = []

    @app.agent(topic)
    async def collect(stream):
        async for value in stream:
            seen.append(value)
            if len(seen) >= count:
                out.write_bytes(b"\n".join(seen))
                sys.stderr.flush()
                os._exit(0)  # done: the test only needs the records, not a graceful shutdown

    sys.argv = [sys.argv[0], "worker", "--loglevel", "info", "--without-web"]
    app.main()


if __name__ == "__main__":
    main()
