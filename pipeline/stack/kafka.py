"""The local Kafka: one KRaft process that is both broker and controller."""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from pathlib import Path

from pipeline.settings import KafkaSettings, StackSettings
from pipeline.stack import fetch, java
from pipeline.stack.component import Component, Launch, Progress
from pipeline.stack.health import Health, kafka_health, split_host_port
from pipeline.stack.templates import render


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (22 chars)."""
    # Like Kafka's own Uuid.randomUuid: an id starting with "-" would be read as an option
    # by the storage tool's command line.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaServer(Component):
    name = "kafka"

    def __init__(self, stack: StackSettings, kafka: KafkaSettings) -> None:
        super().__init__(stack.state_dir, stack.cache_dir, stack.kafka_version, kafka.bootstrap)
        self.stack = stack

    @property
    def main_log(self) -> Path:
        return self.home / "logs" / "server.log"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def config_path(self) -> Path:
        return self.home / "config" / "server.properties"

    def is_external(self) -> bool:
        return KafkaSettings.is_external()

    def _jdk(self) -> java.Jdk:
        return java.kafka_jdk(self.stack.java_home)

    def fetch(self, progress: Progress) -> None:
        fetch.fetch_kafka(self.cache_dir, self.version, progress, self._jdk().home)

    def _classpath(self) -> str:
        return str(fetch.kafka_lib_dir(self.cache_dir, self.version) / "*")

    def _cluster_id(self) -> str:
        path = self.home / "cluster.id"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new_cluster_id() + "\n")
        return path.read_text().strip()

    def _format_storage(self, jdk: java.Jdk, progress: Progress) -> None:
        # Formatting writes meta.properties; doing it again would refuse (or wipe), so only once.
        if (self.data_dir / "meta.properties").is_file():
            return
        progress("kafka: formatting KRaft storage (first start)")
        result = subprocess.run(
            [str(jdk.java), "-cp", self._classpath(), "kafka.tools.StorageTool", "format",
             "--cluster-id", self._cluster_id(), "--config", str(self.config_path),
             "--ignore-formatted"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "JAVA_HOME": str(jdk.home)},
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"kafka: storage format failed:\n{result.stdout}{result.stderr}")

    def prepare(self, progress: Progress) -> Launch:
        host, port = split_host_port(self.address, 9092)
        logs = self.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        render(
            "kafka/server.properties", self.config_path,
            host=host, port=port, controller_port=self.stack.kafka_controller_port,
            data_dir=self.data_dir,
        )  # fmt: skip
        log_config = render("kafka/log4j2.properties", self.home / "config" / "log4j2.properties",
                            logs_dir=logs)  # fmt: skip
        jdk = self._jdk()
        self._format_storage(jdk, progress)
        heap = self.stack.kafka_heap
        cmd = [
            str(jdk.java),
            f"-Xms{heap}", f"-Xmx{heap}",
            "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log_config}",
            f"-Dkafka.logs.dir={logs}",
            "-cp", self._classpath(),
            "kafka.Kafka", str(self.config_path),
        ]  # fmt: skip
        env = {**os.environ, "JAVA_HOME": str(jdk.home)}
        return Launch(cmd=cmd, env=env, cwd=self.home)

    def health(self, timeout_s: float = 5.0) -> Health:
        result = kafka_health(self.address, timeout_s)
        version = None if self.is_external() else self.version
        return Health(result.healthy, result.detail, version)
