"""Configured secrets never leave the process: logs, dead letters, stack status, CLI errors."""

from __future__ import annotations

import io
import logging

import orjson
import pytest

from pipeline.contracts.deadletter import deadletter_record
from pipeline.observability import logs
from pipeline.security.secrets import SecretError, configured_secrets, read_secret, redact

SASL = "sasl-pw-7f3a9c"
ES_KEY = "es-api-key-1b2c3d"
HTTP = "http-token-9e8d7c"


@pytest.fixture
def secrets_configured(monkeypatch, tmp_path):
    key = tmp_path / "es-key"
    key.write_text(ES_KEY + "\n")
    monkeypatch.setenv("WIRESTREAM_KAFKA_SASL_PASSWORD", SASL)
    monkeypatch.setenv("WIRESTREAM_ES_API_KEY_FILE", str(key))
    monkeypatch.setenv("WIRESTREAM_HTTP_TOKEN", HTTP)


def test_configured_secrets_come_from_variables_and_files(secrets_configured) -> None:
    assert set(configured_secrets()) == {SASL, ES_KEY, HTTP}


def test_redact_masks_configured_secrets_and_credential_shapes(secrets_configured) -> None:
    text = (
        f"failed: password={SASL} Authorization: Bearer {HTTP} ApiKey {ES_KEY} "
        "https://elastic:hunter22@es.example:9200/ token: abcdef123"
    )
    redacted = redact(text)
    for secret in (SASL, HTTP, ES_KEY, "hunter22", "abcdef123"):
        assert secret not in redacted
    assert "es.example:9200" in redacted  # the useful part stays


def test_log_lines_are_redacted_in_json_and_plain_mode(secrets_configured, monkeypatch) -> None:
    for json_lines in (True, False):
        stream = io.StringIO()
        monkeypatch.setattr("sys.stderr", stream)
        logs.configure("INFO", json_lines=json_lines)
        logging.getLogger("t").error(
            "connect failed with %s", SASL, extra={"header": f"Bearer {HTTP}"}
        )
        try:
            raise RuntimeError(f"api key {ES_KEY} refused")
        except RuntimeError:
            logging.getLogger("t").exception("boom")
        output = stream.getvalue()
        assert "connect failed" in output
        for secret in (SASL, HTTP, ES_KEY):
            assert secret not in output
    logging.getLogger().handlers.clear()


def test_dead_letter_records_are_redacted(secrets_configured) -> None:
    record = deadletter_record(
        b"{}", stage="index", error=RuntimeError(f"401 from https://u:{SASL}@es/ key {ES_KEY}")
    )
    assert SASL not in orjson.dumps(record).decode()
    assert ES_KEY not in record["error_message"]


def test_stack_status_details_are_redacted(secrets_configured, monkeypatch) -> None:
    from pipeline.stack import lifecycle
    from pipeline.stack.health import Health

    class Component:
        name, address = "elasticsearch", f"https://elastic:{SASL}@es:9200"

        def health(self) -> Health:
            return Health(False, f"no answer: AuthenticationException: ApiKey {ES_KEY}")

        def is_external(self) -> bool:
            return True

    monkeypatch.setattr(lifecycle, "components", lambda stack=None: [Component()])
    [status] = lifecycle.status()
    assert SASL not in status.address and ES_KEY not in status.detail


def test_secret_settings_never_show_in_reprs(secrets_configured) -> None:
    from connectors.settings import HttpPushSettings
    from pipeline.settings import ElasticsearchSettings, KafkaSettings

    shown = repr(KafkaSettings()) + repr(HttpPushSettings()) + repr(ElasticsearchSettings())
    assert SASL not in shown and HTTP not in shown


def test_secret_files_win_and_bad_files_are_named(tmp_path) -> None:
    from pydantic import SecretStr

    path = tmp_path / "s"
    path.write_text("from-file\n")
    assert read_secret(SecretStr("from-env"), path) == "from-file"
    assert read_secret(SecretStr("from-env"), None) == "from-env"
    with pytest.raises(SecretError, match="cannot read"):
        read_secret(None, tmp_path / "missing")
