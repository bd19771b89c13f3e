"""A real `wirestream worker` process on topics and an index of its own (e2e helper)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, TopicPartition

from pipeline.ops import topics_admin
from pipeline.settings import KafkaSettings

WIRESTREAM = str(Path(sys.executable).with_name("wirestream"))
KINDS = ("article", "enriched", "quote", "deadletter")
READY = '"msg":"worker ready"'


@dataclass
class Deployment:
    """Names and environment of one isolated deployment (topics, index, consumer group)."""

    prefix: str
    bootstrap: str
    state: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None  # the log of the worker serving it, for failure messages

    @property
    def topics(self) -> dict[str, str]:
        return {kind: f"{self.prefix}.{kind}" for kind in KINDS}

    @property
    def alias(self) -> str:
        return f"{self.prefix}-news"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "WIRESTREAM_KAFKA_BOOTSTRAP": self.bootstrap,
            **{f"WIRESTREAM_TOPIC_{k.upper()}": name for k, name in self.topics.items()},
            "WIRESTREAM_ES_ALIAS": self.alias,
            "WIRESTREAM_ES_INDEX_PREFIX": f"{self.alias}-v",
            "WIRESTREAM_WORKER_APP_ID": self.prefix,
            "WIRESTREAM_WORKER_WEB_ENABLED": "false",
            "WIRESTREAM_WORKER_DATA_DIR": str(self.state / "data"),
            **self.extra_env,
        }

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [WIRESTREAM, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ingest(self, path: Path) -> None:
        result = self.cli("ingest", str(path))
        assert result.returncode == 0, result.stderr[-2000:]

    def committed(self, kind: str = "article") -> int | None:
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=self.prefix, enable_auto_commit=False
        )
        try:
            return consumer.committed(TopicPartition(self.topics[kind], 0))
        finally:
            consumer.close()


def create(bootstrap: str, created: list[str], state: Path, **extra_env: str) -> Deployment:
    deployment = Deployment(f"e2e-{uuid.uuid4().hex[:10]}", bootstrap, state, dict(extra_env))
    names = list(deployment.topics.values())
    topics_admin.ensure_topics(
        [topics_admin.TopicSpec(n, 1) for n in names], KafkaSettings(bootstrap=bootstrap)
    )
    created.extend(names)  # the session fixture deletes them
    return deployment


def remove_index(es: Elasticsearch, deployment: Deployment) -> None:
    """Best effort: a cleanup failure must not hide the test's own result."""
    try:
        for index in es.indices.get(index=f"{deployment.alias}-v*").body:
            es.indices.delete(index=index)
        es.indices.delete_index_template(name=f"wirestream-{deployment.alias}", ignore=[404])
    except Exception as exc:
        print(f"could not remove the indices of {deployment.alias}: {exc!r}")


class Worker:
    def __init__(self, deployment: Deployment, log: Path, **env: str) -> None:
        self.log = deployment.log = log
        with log.open("ab") as sink:
            self.process = subprocess.Popen(
                [WIRESTREAM, "worker"],
                env={**deployment.env, **env},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float) -> None:
        self.wait_for(READY, timeout)

    def wait_for(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if self.process.poll() is not None:
                pytest.fail(
                    f"the worker exited with {self.process.returncode}:\n{self.text()[-4000:]}"
                )
            time.sleep(0.25)
        pytest.fail(f"no {needle!r} from the worker within {timeout:.0f} s:\n{self.text()[-4000:]}")

    def wait_exit(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
