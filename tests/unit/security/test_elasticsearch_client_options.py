"""Every Elasticsearch client gets auth and TLS from ElasticsearchSettings; insecure is loud."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from pipeline.security.es_client import client_options, elasticsearch_client
from pipeline.settings import ElasticsearchSettings

ROOT = Path(__file__).resolve().parents[3]


def test_local_defaults_add_no_auth() -> None:
    assert client_options(ElasticsearchSettings()) == {"request_timeout": 30.0}


def test_api_key_wins_over_basic_auth(tmp_path) -> None:
    key = tmp_path / "key"
    key.write_text("aWQ6a2V5\n")
    options = client_options(
        ElasticsearchSettings(url="https://es:9200", api_key_file=key, username="u", password="p")
    )
    assert options["api_key"] == "aWQ6a2V5" and "basic_auth" not in options


def test_basic_auth_ca_and_fingerprint(tmp_path) -> None:
    options = client_options(
        ElasticsearchSettings(
            url="https://es:9200",
            username="u",
            password="p",
            ca_certs=tmp_path / "ca.pem",
            ssl_assert_fingerprint="AB:CD",
        )
    )
    assert options["basic_auth"] == ("u", "p")
    assert options["ca_certs"] == str(tmp_path / "ca.pem")
    assert options["ssl_assert_fingerprint"] == "AB:CD"
    assert "verify_certs" not in options  # verification stays on


def test_username_without_password_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="WIRESTREAM_ES_PASSWORD"):
        client_options(ElasticsearchSettings(url="https://es:9200", username="u"))


def test_insecure_must_be_explicit_and_logs_a_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        options = client_options(ElasticsearchSettings(url="https://es:9200", insecure=True))
    assert options["verify_certs"] is False
    assert "NOT verified" in caplog.text


def test_credentials_over_plain_http_are_warned_about(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        client_options(ElasticsearchSettings(url="http://es:9200", api_key="k"))
    assert "plain http" in caplog.text


def test_factory_builds_a_client_with_the_options() -> None:
    client = elasticsearch_client(ElasticsearchSettings(url="https://es:9200", api_key="k"))
    assert client.transport.node_pool.get().config.scheme == "https"
    client.close()


def test_no_elasticsearch_client_is_built_outside_the_factory() -> None:
    pattern = re.compile(r"\b(Async)?Elasticsearch\(")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("pipeline", "connectors")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "es_client.py" and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_no_kafka_client_is_built_without_the_security_kwargs() -> None:
    pattern = re.compile(r"\b(KafkaProducer|KafkaConsumer|KafkaAdminClient)\(")
    offenders = []
    for package in ("pipeline", "connectors"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            secured = "kafka_python_security" in text or "producer_config(" in text
            if pattern.search(text) and not secured:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
