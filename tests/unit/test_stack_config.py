"""The stack's config templates, downloads and health probes, without running a server."""

from __future__ import annotations

import shutil
import socket
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from pipeline.settings import ElasticsearchSettings, StackSettings
from pipeline.stack import fetch, templates, unprivileged
from pipeline.stack.elasticsearch import ElasticsearchServer
from pipeline.stack.health import elasticsearch_health, kafka_health, port_open, split_host_port
from pipeline.stack.java import Jdk


def properties(path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.startswith("#")}


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kafka_config_is_single_node_kraft_without_auto_topic_creation(tmp_path):
    path = templates.render(
        "kafka/server.properties", tmp_path / "server.properties",
        host="127.0.0.1", port=9092, controller_port=9093, data_dir=tmp_path / "data",
    )  # fmt: skip
    config = properties(path)

    assert config["process.roles"] == "broker,controller"
    assert config["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert config["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert config["auto.create.topics.enable"] == "false"
    assert config["log.dirs"] == str(tmp_path / "data")
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "share.coordinator.state.topic.replication.factor"):  # fmt: skip
        assert config[key] == "1"


def test_kafka_logs_go_to_the_state_directory(tmp_path):
    path = templates.render(
        "kafka/log4j2.properties", tmp_path / "log4j2.properties", logs_dir=tmp_path / "logs"
    )

    assert properties(path)["appender.server.fileName"] == f"{tmp_path}/logs/server.log"


def test_elasticsearch_config_is_one_loopback_node_without_disk_watermarks(tmp_path):
    path = templates.render(
        "elasticsearch/elasticsearch.yml", tmp_path / "elasticsearch.yml",
        host="127.0.0.1", port=9200, transport_port=9300,
        data_dir=tmp_path / "data", logs_dir=tmp_path / "logs",
    )  # fmt: skip
    lines = {
        k.strip(): v.strip()
        for k, _, v in (line.partition(":") for line in path.read_text().splitlines())
        if k and not k.startswith("#")
    }

    assert lines["discovery.type"] == "single-node"
    assert lines["network.host"] == "127.0.0.1"
    assert lines["cluster.routing.allocation.disk.threshold_enabled"] == "false"
    assert lines["path.data"] == str(tmp_path / "data")
    # The integ-test-zip refuses settings of modules it does not ship (ml, watcher, ...).
    assert [k for k in lines if k.startswith("xpack.")] == ["xpack.security.enabled"]


def test_pom_names_the_kafka_broker_artifact():
    pom = templates.pom_path().read_text()

    assert "<artifactId>kafka_2.13</artifactId>" in pom and "${kafka.version}" in pom


def test_maven_download_lines_are_recognised():
    line = (
        "Downloaded from central: https://mirror.example/maven2/org/apache/kafka/kafka_2.13/"
        "4.1.1/kafka_2.13-4.1.1.jar (6.5 MB at 12 MB/s)"
    )

    match = fetch._DOWNLOADED.search(line)

    assert match and match.groups() == ("kafka_2.13-4.1.1.jar", "6.5 MB at 12 MB/s")


def test_unzip_keeps_executable_bits(tmp_path):
    archive = tmp_path / "dist.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        script = zipfile.ZipInfo("es/bin/elasticsearch")
        script.external_attr = (stat.S_IFREG | 0o755) << 16
        zf.writestr(script, "#!/bin/sh\n")
        zf.writestr("es/config/elasticsearch.yml", "a: b\n")

    fetch._unzip(archive, tmp_path / "out")

    assert (tmp_path / "out/es/bin/elasticsearch").stat().st_mode & 0o111
    assert (tmp_path / "out/es/config/elasticsearch.yml").read_text() == "a: b\n"


def test_cached_kafka_is_not_fetched_again(tmp_path, monkeypatch):
    lib = fetch.kafka_lib_dir(tmp_path, "4.1.1")
    lib.mkdir(parents=True)
    (lib / "kafka_2.13-4.1.1.jar").write_bytes(b"jar")
    monkeypatch.setattr(fetch, "_run_mvn", lambda *a, **k: pytest.fail("mvn ran"))

    assert fetch.fetch_kafka(tmp_path, "4.1.1", progress=lambda _: None) == lib


def test_missing_maven_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch.shutil, "which", lambda name: None)

    with pytest.raises(fetch.MavenMissing, match="install"):
        fetch.fetch_kafka(tmp_path, "4.1.1", progress=lambda _: None)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:9092", ("127.0.0.1", 9092)),
        ("broker-1:9094,broker-2:9094", ("broker-1", 9094)),
        ("http://127.0.0.1:9200", ("127.0.0.1", 9200)),
        ("https://search.internal", ("search.internal", 443)),
        ("localhost", ("localhost", 443)),
    ],
)
def test_addresses_are_split_into_host_and_port(address, expected):
    assert split_host_port(address, 443) == expected


def test_nothing_listening_is_unhealthy_quickly(closed_port):
    assert not port_open("127.0.0.1", closed_port)
    kafka = kafka_health(f"127.0.0.1:{closed_port}")
    es = elasticsearch_health(f"http://127.0.0.1:{closed_port}", timeout_s=1)

    assert not kafka.healthy and "nothing listens" in kafka.detail
    assert not es.healthy


def test_a_directory_closed_to_others_is_named():
    # pytest's own tmp_path sits in a directory closed to others, so use a fresh one in /tmp.
    root = Path(tempfile.mkdtemp(prefix="wirestream-reach-"))
    try:
        root.chmod(0o755)
        closed = root / "home"
        (closed / "cache").mkdir(parents=True)
        closed.chmod(0o700)

        assert unprivileged.others_can_reach(closed / "cache") == closed
        closed.chmod(0o755)
        assert unprivileged.others_can_reach(closed / "cache") is None
    finally:
        shutil.rmtree(root)


@pytest.mark.parametrize(
    ("modules", "kept"),
    [("java.base jdk.incubator.vector", True), ("java.base java.logging", False), (None, True)],
)
def test_vector_module_option_is_dropped_only_for_a_jdk_without_it(tmp_path, modules, kept):
    server = ElasticsearchServer(
        StackSettings(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache"),
        ElasticsearchSettings(),
    )
    (server.es_home / "config").mkdir(parents=True)
    (server.es_home / "config" / "jvm.options").write_text(
        "-XX:+UseG1GC\n20-:--add-modules=jdk.incubator.vector\n"
    )
    server.config_dir.mkdir(parents=True)
    jdk_home = tmp_path / "jdk"
    jdk_home.mkdir()
    if modules is not None:
        (jdk_home / "release").write_text(f'JAVA_VERSION="25"\nMODULES="{modules}"\n')

    server._write_jvm_options(Jdk(home=jdk_home, major=25, source="test"))

    options = (server.config_dir / "jvm.options").read_text()
    assert "-XX:+UseG1GC" in options
    assert ("jdk.incubator.vector" in options) is kept


def test_kafka_cluster_ids_never_start_with_a_dash(monkeypatch):
    import uuid

    from pipeline.stack import kafka

    # 0xf8 0x... encodes to "-..." in URL-safe base64: the first draw must be refused.
    draws = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(int=1)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(draws))
    cluster_id = kafka.new_cluster_id()
    assert not cluster_id.startswith("-")
    assert len(cluster_id) == 22
