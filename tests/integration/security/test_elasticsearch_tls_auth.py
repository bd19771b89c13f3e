"""Elasticsearch auth and TLS options, against a TLS-terminating proxy in front of the local ES.

The local distribution has no security module, so TLS and the auth headers are checked by the
proxy (tls_proxy.py); what it forwards is answered by the real server.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterator

import pytest
from elasticsearch import AuthenticationException, SSLError
from elasticsearch import ConnectionError as EsConnectionError
from tls_proxy import TlsProxy, self_signed

from pipeline.security.es_client import async_elasticsearch_client, elasticsearch_client
from pipeline.settings import ElasticsearchSettings

pytestmark = pytest.mark.integration

USER, PASSWORD = "wirestream", "es-pw-" + secrets.token_hex(8)
API_KEY = "a2V5LWlkOmtleS1zZWNyZXQ" + secrets.token_hex(4)


@pytest.fixture(scope="module")
def proxy(es, tmp_path_factory) -> Iterator[tuple[TlsProxy, str]]:
    cert, key, fingerprint = self_signed(tmp_path_factory.mktemp("es-tls"))
    upstream = ElasticsearchSettings().url.rstrip("/")
    server = TlsProxy(upstream, cert, key, (USER, PASSWORD), API_KEY).start()
    try:
        yield server, fingerprint
    finally:
        server.stop()


def health(settings: ElasticsearchSettings) -> str:
    client = elasticsearch_client(settings, request_timeout=10, max_retries=0)
    try:
        return client.cluster.health()["status"]
    finally:
        client.close()


def test_api_key_over_verified_tls(proxy) -> None:
    server, _ = proxy
    settings = ElasticsearchSettings(url=server.url, api_key=API_KEY, ca_certs=server.cert)
    assert health(settings) in ("green", "yellow")
    assert server.seen_auth[-1] == "ApiKey"


def test_basic_auth_from_a_password_file(proxy, tmp_path) -> None:
    server, _ = proxy
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    settings = ElasticsearchSettings(
        url=server.url, username=USER, password_file=secret, ca_certs=server.cert
    )
    assert health(settings) in ("green", "yellow")
    assert server.seen_auth[-1] == "Basic"


def test_wrong_credentials_are_refused_with_401(proxy) -> None:
    server, _ = proxy
    settings = ElasticsearchSettings(url=server.url, api_key="wrong", ca_certs=server.cert)
    with pytest.raises(AuthenticationException):
        health(settings)


def test_untrusted_certificate_is_refused_unless_insecure_is_explicit(proxy, caplog) -> None:
    server, _ = proxy
    with pytest.raises(SSLError):
        health(ElasticsearchSettings(url=server.url, api_key=API_KEY))
    with caplog.at_level(logging.WARNING):
        status = health(ElasticsearchSettings(url=server.url, api_key=API_KEY, insecure=True))
    assert status in ("green", "yellow")  # an answer, and a usable cluster ("red" is truthy)
    assert server.seen_auth[-1] == "ApiKey"
    assert "NOT verified" in caplog.text


def test_certificate_fingerprint_pins_the_server(proxy) -> None:
    server, fingerprint = proxy
    pinned = ElasticsearchSettings(
        url=server.url, api_key=API_KEY, ssl_assert_fingerprint=fingerprint
    )
    assert health(pinned) in ("green", "yellow")
    wrong = ElasticsearchSettings(url=server.url, api_key=API_KEY, ssl_assert_fingerprint="00" * 32)
    with pytest.raises(EsConnectionError):
        health(wrong)


def test_the_workers_async_client_gets_the_same_options(proxy) -> None:
    server, _ = proxy
    settings = ElasticsearchSettings(url=server.url, api_key=API_KEY, ca_certs=server.cert)

    async def main() -> str:
        client = async_elasticsearch_client(settings, request_timeout=10, max_retries=0)
        try:
            return (await client.cluster.health())["status"]
        finally:
            await client.close()

    assert asyncio.run(main()) in ("green", "yellow")


def test_stack_status_reaches_a_secured_cluster(proxy, monkeypatch) -> None:
    from pipeline.stack.health import elasticsearch_health

    server, _ = proxy
    monkeypatch.setenv("WIRESTREAM_ES_API_KEY", API_KEY)
    monkeypatch.setenv("WIRESTREAM_ES_CA_CERTS", str(server.cert))
    assert elasticsearch_health(server.url).healthy
    monkeypatch.setenv("WIRESTREAM_ES_API_KEY", "wrong-" + API_KEY)
    result = elasticsearch_health(server.url)
    assert not result.healthy and API_KEY not in result.detail
