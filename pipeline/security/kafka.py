"""Kafka TLS and SASL from `KafkaSettings`: one function for kafka-python, one for Faust.

Both read the same settings, so the connectors, the admin tools and the worker always agree.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

from pipeline.security.secrets import read_secret, redact
from pipeline.settings import KafkaSettings


def _sasl_password(kafka: KafkaSettings) -> str:
    password = read_secret(kafka.sasl_password, kafka.sasl_password_file)
    if not kafka.sasl_username or password is None:
        raise ValueError(
            f"{kafka.security_protocol} needs WIRESTREAM_KAFKA_SASL_USERNAME and "
            "WIRESTREAM_KAFKA_SASL_PASSWORD (or WIRESTREAM_KAFKA_SASL_PASSWORD_FILE)"
        )
    return password


def kafka_python_security(kafka: KafkaSettings) -> dict[str, Any]:
    """The security keyword arguments of KafkaProducer/KafkaConsumer/KafkaAdminClient."""
    protocol = kafka.security_protocol
    config: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        config["ssl_check_hostname"] = kafka.ssl_check_hostname
        if kafka.ssl_cafile:
            config["ssl_cafile"] = str(kafka.ssl_cafile)
        if kafka.ssl_certfile:
            config["ssl_certfile"] = str(kafka.ssl_certfile)
        if kafka.ssl_keyfile:
            config["ssl_keyfile"] = str(kafka.ssl_keyfile)
        key_password = read_secret(kafka.ssl_key_password, kafka.ssl_key_password_file)
        if key_password:
            config["ssl_password"] = key_password
    if protocol.startswith("SASL_"):
        config["sasl_mechanism"] = kafka.sasl_mechanism
        config["sasl_plain_username"] = kafka.sasl_username
        config["sasl_plain_password"] = _sasl_password(kafka)
    return config


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext:
    """A verifying client context: the CA file (or system CAs), the client cert when given."""
    context = ssl.create_default_context(cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None)
    context.check_hostname = kafka.ssl_check_hostname
    if kafka.ssl_certfile:
        context.load_cert_chain(
            str(kafka.ssl_certfile),
            str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None,
            password=read_secret(kafka.ssl_key_password, kafka.ssl_key_password_file),
        )
    return context


def faust_credentials(kafka: KafkaSettings) -> Any:
    """Faust's `broker_credentials` (None for PLAINTEXT)."""
    import faust

    protocol = kafka.security_protocol
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return faust.SSLCredentials(ssl_context(kafka))
    credentials = faust.SASLCredentials(
        username=kafka.sasl_username,
        password=_sasl_password(kafka),
        mechanism=kafka.sasl_mechanism,
        ssl_context=ssl_context(kafka) if protocol == "SASL_SSL" else None,
    )
    return credentials


class KafkaConnectError(RuntimeError):
    """No connection to Kafka; the message says why when the broker told (auth, TLS)."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def diagnose(kafka: KafkaSettings, timeout_s: float = 10.0) -> str | None:
    """Why a client cannot connect, from one bootstrap attempt with aiokafka (whose errors name
    the cause: SaslAuthenticationFailed, CERTIFICATE_VERIFY_FAILED); None when it connects.

    kafka-python only reports "Unable to bootstrap" after its timeout, which hides a wrong
    password or an untrusted certificate.
    """
    import asyncio

    from aiokafka import AIOKafkaClient
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    async def attempt() -> None:
        client = AIOKafkaClient(
            bootstrap_servers=kafka.bootstrap.split(","),
            request_timeout_ms=int(timeout_s * 1000),
            **credentials_to_aiokafka_auth(faust_credentials(kafka)),
        )
        try:
            await asyncio.wait_for(client.bootstrap(), timeout_s)
        finally:
            await client.close()

    collect = _Collect()
    logger = logging.getLogger("aiokafka")
    logger.addHandler(collect)
    try:
        asyncio.run(attempt())
        return None
    except Exception as exc:
        causes = [m for m in collect.messages if "Unable connect" in m or "Error" in m]
        return redact(causes[-1] if causes else f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(collect)
