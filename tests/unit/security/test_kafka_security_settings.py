"""Kafka TLS/SASL settings become the same kafka-python kwargs and Faust credentials."""

from __future__ import annotations

import ssl

import faust
import pytest

from connectors.producer import producer_config
from connectors.settings import ConnectorSettings
from pipeline.security.kafka import faust_credentials, kafka_python_security
from pipeline.settings import KafkaSettings, WorkerSettings
from pipeline.worker.app import create_app


def test_plaintext_is_the_default_and_adds_no_credentials() -> None:
    assert kafka_python_security(KafkaSettings()) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(KafkaSettings()) is None


def test_sasl_ssl_scram_becomes_kafka_python_kwargs(tmp_path) -> None:
    ca = tmp_path / "ca.pem"
    kafka = KafkaSettings(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="svc",
        sasl_password="pw-from-env",
        ssl_cafile=ca,
    )
    assert kafka_python_security(kafka) == {
        "security_protocol": "SASL_SSL",
        "ssl_check_hostname": True,
        "ssl_cafile": str(ca),
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "svc",
        "sasl_plain_password": "pw-from-env",
    }


def test_password_file_wins_over_the_variable(tmp_path, monkeypatch) -> None:
    secret = tmp_path / "pw"
    secret.write_text("pw-from-file\n")
    monkeypatch.setenv("WIRESTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("WIRESTREAM_KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("WIRESTREAM_KAFKA_SASL_PASSWORD", "stale")
    monkeypatch.setenv("WIRESTREAM_KAFKA_SASL_PASSWORD_FILE", str(secret))
    assert kafka_python_security(KafkaSettings())["sasl_plain_password"] == "pw-from-file"


def test_sasl_without_a_password_is_a_clear_error() -> None:
    kafka = KafkaSettings(security_protocol="SASL_SSL", sasl_username="svc")
    with pytest.raises(ValueError, match="WIRESTREAM_KAFKA_SASL_PASSWORD"):
        kafka_python_security(kafka)


def test_password_is_a_secret_in_reprs() -> None:
    kafka = KafkaSettings(security_protocol="SASL_SSL", sasl_username="u", sasl_password="pw123456")
    assert "pw123456" not in repr(kafka) and "pw123456" not in str(kafka.model_dump())


def test_connector_producer_gets_the_security_kwargs() -> None:
    kafka = KafkaSettings(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username="u",
        sasl_password="p",
    )
    config = producer_config(kafka, ConnectorSettings())
    assert config["security_protocol"] == "SASL_PLAINTEXT"
    assert (config["sasl_mechanism"], config["sasl_plain_username"]) == ("PLAIN", "u")


def test_faust_gets_sasl_credentials_with_a_verifying_ssl_context(tmp_path) -> None:
    kafka = KafkaSettings(security_protocol="SASL_SSL", sasl_username="svc", sasl_password="pw")
    credentials = faust_credentials(kafka)
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert credentials.ssl_context.check_hostname
    assert "pw" not in repr(credentials)


def test_faust_ssl_only_gets_ssl_credentials() -> None:
    credentials = faust_credentials(KafkaSettings(security_protocol="SSL"))
    assert isinstance(credentials, faust.SSLCredentials)


def test_the_worker_app_is_built_with_the_credentials(tmp_path) -> None:
    kafka = KafkaSettings(
        security_protocol="SASL_SSL", sasl_mechanism="PLAIN", sasl_username="u", sasl_password="p"
    )
    app = create_app(WorkerSettings(data_dir=tmp_path), kafka)
    assert isinstance(app.conf.broker_credentials, faust.SASLCredentials)
    assert app.conf.broker_credentials.mechanism.value == "PLAIN"
