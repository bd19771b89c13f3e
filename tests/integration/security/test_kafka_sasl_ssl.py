"""Connectors and the Faust worker against a second, private Kafka with a SASL_SSL listener.

The broker (see secure_kafka.py) runs from the cached jars on its own loopback ports with its
own state and certificates; the shared stack's broker is never reconfigured. Bounded: the broker
starts once per module (~15 s), every client call has a timeout.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson
import pytest
import secure_kafka
from kafka.admin import NewTopic

from connectors.producer import ArticleProducer
from pipeline.ops import topics_admin
from pipeline.ops.topic_reader import read
from pipeline.security.kafka import KafkaConnectError
from pipeline.settings import KafkaSettings, TopicSettings

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
USER = "wirestream-svc"
PASSWORD = "scram-" + secrets.token_hex(12)
PLAIN_USER, PLAIN_PASSWORD = "plainuser", "plain-user-secret-5e1f"  # see secure_kafka.py


@pytest.fixture(scope="module")
def broker(stack, tmp_path_factory) -> Iterator[secure_kafka.SecureKafka]:
    # `stack` guarantees the Kafka jars are in the cache; its broker is not used.
    home = tmp_path_factory.mktemp("secure-kafka")
    server = secure_kafka.start(home / "kafka", USER, PASSWORD)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def settings(broker: secure_kafka.SecureKafka, **overrides: object) -> KafkaSettings:
    values: dict[str, object] = {
        "bootstrap": broker.bootstrap,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": USER,
        "sasl_password": PASSWORD,
        "ssl_cafile": broker.ca_file,
        "request_timeout_ms": 8000,
    }
    values.update(overrides)
    return KafkaSettings(**values)


def env_for(broker: secure_kafka.SecureKafka, password: str = PASSWORD) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_KAFKA_")}
    return {
        **clean,
        "WIRESTREAM_KAFKA_BOOTSTRAP": broker.bootstrap,
        "WIRESTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "WIRESTREAM_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "WIRESTREAM_KAFKA_SASL_USERNAME": USER,
        "WIRESTREAM_KAFKA_SASL_PASSWORD": password,
        "WIRESTREAM_KAFKA_SSL_CAFILE": str(broker.ca_file),
        "WIRESTREAM_KAFKA_REQUEST_TIMEOUT_MS": "8000",
    }


def new_topic(broker: secure_kafka.SecureKafka, prefix: str) -> str:
    name = f"{prefix}-{secrets.token_hex(4)}"
    admin = topics_admin.admin_client(settings(broker))  # the admin path, over SASL_SSL too
    try:
        admin.create_topics([NewTopic(name, 1, 1)])
    finally:
        admin.close()
    return name


def article(n: int) -> dict[str, object]:
    return {"id": f"{n:032x}", "body": f"article {n}"}


def read_all(broker: secure_kafka.SecureKafka, topic: str, **overrides: object) -> list[bytes]:
    return [r.value or b"" for r in read(topic, kafka=settings(broker, **overrides))]


def test_connector_producer_admin_and_reader_work_over_sasl_ssl_scram(broker) -> None:
    topic = new_topic(broker, "scram")
    with ArticleProducer(settings(broker), TopicSettings(article=topic)) as producer:
        producer.send_all_and_wait([article(1), article(2)], timeout=30)
    values = read_all(broker, topic)
    assert [orjson.loads(v)["id"] for v in values] == [article(1)["id"], article(2)["id"]]


def test_plain_mechanism_works_over_tls_too(broker) -> None:
    topic = new_topic(broker, "plain")
    kafka = settings(
        broker, sasl_mechanism="PLAIN", sasl_username=PLAIN_USER, sasl_password=PLAIN_PASSWORD
    )
    with ArticleProducer(kafka, TopicSettings(article=topic)) as producer:
        producer.send_and_wait(article(3), timeout=30)
    assert len(read_all(broker, topic)) == 1


def test_wrong_password_fails_with_a_clear_error_that_hides_the_password(broker) -> None:
    wrong = "wrong-" + secrets.token_hex(8)
    # The producer must give up with an error, not retry forever: run it beside the test so
    # a regression fails at the bound (a hang guard, not a speed claim) instead of hanging.
    with ThreadPoolExecutor(1) as pool:
        attempt = pool.submit(ArticleProducer, settings(broker, sasl_password=wrong))
        with pytest.raises(KafkaConnectError) as raised:
            attempt.result(timeout=300)
    message = str(raised.value)
    assert "SaslAuthenticationFailed" in message and "invalid credentials" in message
    assert wrong not in message and PASSWORD not in message


def test_untrusted_broker_certificate_fails_with_a_clear_error(broker) -> None:
    with pytest.raises(KafkaConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        ArticleProducer(settings(broker, ssl_cafile=None))


def run_faust_consumer(
    broker, topic: str, count: int, tmp_path: Path, password: str = PASSWORD
) -> tuple[int, bytes, str]:
    out = tmp_path / f"consumed-{secrets.token_hex(3)}"
    result = subprocess.run(
        [sys.executable, str(HERE / "faust_consume.py"), topic, str(count), str(out),
         str(tmp_path / f"faust-{secrets.token_hex(3)}")],
        env=env_for(broker, password), capture_output=True, timeout=90, check=False,
    )  # fmt: skip
    logs = (result.stdout + result.stderr).decode(errors="replace")
    return result.returncode, out.read_bytes() if out.exists() else b"", logs


def test_worker_app_consumes_with_the_right_credentials(broker, tmp_path) -> None:
    topic = new_topic(broker, "faust")
    with ArticleProducer(settings(broker), TopicSettings(article=topic)) as producer:
        producer.send_all_and_wait([article(4), article(5)], timeout=30)
    code, consumed, logs = run_faust_consumer(broker, topic, 2, tmp_path)
    assert code == 0, logs[-3000:]
    assert [orjson.loads(v)["id"] for v in consumed.split(b"\n")] == [
        article(4)["id"],
        article(5)["id"],
    ]
    assert PASSWORD not in logs


def test_worker_app_fails_fast_and_clearly_with_a_wrong_password(broker, tmp_path) -> None:
    topic = new_topic(broker, "faust-wrong")
    wrong = "wrong-" + secrets.token_hex(8)
    code, consumed, logs = run_faust_consumer(broker, topic, 1, tmp_path, password=wrong)
    assert code != 0 and consumed == b""
    assert "SaslAuthenticationFailed" in logs
    assert wrong not in logs


def test_no_secret_appears_in_the_logs_of_a_full_run(broker, tmp_path) -> None:
    """serve-http (HTTP token + SASL) -> Kafka -> the worker's Faust app; then a wrong-password
    ingest. Every line any of them logged is searched for every configured secret."""
    topic = new_topic(broker, "full")
    token = "http-" + secrets.token_hex(16)
    env = {
        **env_for(broker),
        "WIRESTREAM_HTTP_TOKEN": token,
        "WIRESTREAM_TOPIC_ARTICLE": topic,
        "WIRESTREAM_CONNECTOR_STATE_DIR": str(tmp_path / "state"),
    }
    port = secure_kafka.free_port()
    cli = str(Path(sys.executable).with_name("wirestream"))
    server = subprocess.Popen(
        [cli, "serve-http", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve-http down"
            time.sleep(0.3)
        body = {"uri": "urn:secret-test", "body_text": "Pushed over a secured pipeline."}
        refused = httpx.post(f"{base}/v1/articles", json=body, timeout=30)
        pushed = httpx.post(
            f"{base}/v1/articles",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    finally:
        server.terminate()
        try:
            server_logs, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server_logs, _ = server.communicate()
    assert (refused.status_code, pushed.status_code) == (401, 202), pushed.text
    code, consumed, worker_logs = run_faust_consumer(broker, topic, 1, tmp_path)
    assert code == 0 and orjson.loads(consumed)["id"] == pushed.json()["id"]

    wrong = "wrong-" + secrets.token_hex(8)
    ingest = subprocess.run(
        [cli, "ingest", str(HERE.parents[1] / "fixtures" / "ninjs" / "ninjs-1.json")],
        env={**env, "WIRESTREAM_KAFKA_SASL_PASSWORD": wrong},
        capture_output=True, timeout=90, check=False,
    )  # fmt: skip
    ingest_logs = (ingest.stdout + ingest.stderr).decode(errors="replace")
    assert ingest.returncode != 0 and "SaslAuthenticationFailed" in ingest_logs

    logs = server_logs.decode(errors="replace") + worker_logs + ingest_logs
    for secret in (PASSWORD, token, wrong, PLAIN_PASSWORD, secure_kafka.STORE_PASSWORD):
        assert secret not in logs, f"a secret leaked into the logs: {secret[:6]}..."
