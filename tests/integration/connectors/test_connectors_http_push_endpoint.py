from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from connector_helpers import FIXTURES, consume, free_port

from pipeline.contracts import schemas

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def running_endpoint(env: dict[str, str]) -> Iterator[str]:
    """`wirestream serve-http` on a free port, until it answers /healthz; stopped afterwards."""
    port = free_port()
    cli = str(Path(sys.executable).with_name("wirestream"))
    process = subprocess.Popen(
        [cli, "serve-http", "--host", "127.0.0.1", "--port", str(port)],
        # These tests pin the formats; auth is pinned by the token tests below.
        env={"WIRESTREAM_HTTP_OPEN": "true", **env, "WIRESTREAM_HTTP_MAX_BODY_BYTES": "100000"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate(timeout=10)
                pytest.fail(f"serve-http did not become healthy: {err.decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def endpoint(env) -> Iterator[str]:
    with running_endpoint(env) as base:
        yield base


def test_pushed_ninjs_is_acknowledged_then_on_kafka(endpoint, topics, kafka_bootstrap) -> None:
    data = (FIXTURES / "ninjs" / "ninjs-1.json").read_bytes()
    response = httpx.post(
        f"{endpoint}/v1/articles", content=data, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 202, response.text
    article_id = response.json()["id"]
    [(key, article)] = consume(kafka_bootstrap, topics["article"], 1)
    assert key == article_id == article["id"]
    schemas.validate(schemas.ARTICLE, article)


def test_pushed_newsml_and_wire_article_are_accepted(endpoint, topics, kafka_bootstrap) -> None:
    xml = (FIXTURES / "newsml" / "newsitem.xml").read_bytes()
    first = httpx.post(
        f"{endpoint}/v1/articles",
        content=xml,
        headers={"Content-Type": "application/vnd.iptc.g2.newsitem+xml"},
    )
    record = {
        "schema": "wire.article.v1",
        "id": "ab" * 16,
        "source": "partner",
        "body": "Pushed.",
        "received_at": "2026-01-01T00:00:00Z",
    }
    second = httpx.post(f"{endpoint}/v1/articles", json=record)
    assert (first.status_code, second.status_code) == (202, 202)
    ids = {a["id"] for _, a in consume(kafka_bootstrap, topics["article"], 2)}
    # The endpoint names pushed articles (docs/security.md): the client's id is not kept.
    assert ids == {first.json()["id"], second.json()["id"]}
    assert second.json()["id"] != "ab" * 16


@pytest.mark.parametrize(
    ("body", "ctype", "status", "message"),
    [
        (b'{"uri": ', "application/json", 400, "not valid JSON"),
        (b'{"uri": "urn:x", "headline": "h"}', "application/json", 422, "no body"),
        ((FIXTURES / "newsml" / "billion-laughs.xml").read_bytes(), "application/xml", 400, "DTD"),
        (b"%PDF-1.4 words", "application/pdf", 415, "unsupported content type"),
        (b'{"body_text": "' + b"x" * 200_000 + b'"}', "application/json", 413, "limit"),
    ],
)
def test_bad_pushes_get_a_clear_4xx_and_nothing_is_sent(
    endpoint, topics, kafka_bootstrap, body, ctype, status, message
) -> None:
    response = httpx.post(f"{endpoint}/v1/articles", content=body, headers={"Content-Type": ctype})
    assert response.status_code == status
    assert message in response.json()["error"]
    assert "Traceback" not in response.text
    assert consume(kafka_bootstrap, topics["article"], 1, timeout_s=2) == []


def test_endpoint_with_a_token_refuses_pushes_without_it(env, topics, kafka_bootstrap) -> None:
    with running_endpoint({**env, "WIRESTREAM_HTTP_TOKEN": "integration-token"}) as base:
        body = {"uri": "urn:auth", "body_text": "Behind a token."}
        refused = httpx.post(f"{base}/v1/articles", json=body)
        accepted = httpx.post(
            f"{base}/v1/articles", json=body, headers={"Authorization": "Bearer integration-token"}
        )
    assert refused.status_code == 401
    assert accepted.status_code == 202
    [(key, _)] = consume(kafka_bootstrap, topics["article"], 2, timeout_s=5)
    assert key == accepted.json()["id"]


def test_a_pushed_html_page_becomes_its_article_not_its_markup(
    endpoint, topics, kafka_bootstrap
) -> None:
    page = (FIXTURES / "html" / "escape-room-fire.html").read_bytes()
    response = httpx.post(
        f"{endpoint}/v1/articles",
        content=page,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    assert response.status_code == 202, response.text
    [(key, article)] = consume(kafka_bootstrap, topics["article"], 1)
    schemas.validate(schemas.ARTICLE, article)
    assert key == response.json()["id"]
    assert article["format"] == "html" and article["body_source"] == "page"
    assert article["body"].startswith("A fire yesterday afternoon killed five girls")
    assert "<" not in article["body"] and "Most read" not in article["body"]
    assert article["headline"] == "Escape room fire kills five teen girls in Koszalin, Poland"
    assert article["url"] == "https://news.example.org/escape-room-fire"


def test_serve_http_rate_limits_a_client_beyond_its_burst(env, topics, kafka_bootstrap) -> None:
    # Rate 0 refills nothing, so the outcome does not depend on how fast the requests go.
    limits = {"WIRESTREAM_HTTP_RATE_PER_S": "0", "WIRESTREAM_HTTP_RATE_BURST": "2"}
    with running_endpoint({**env, **limits}) as base:
        responses = [
            httpx.post(f"{base}/v1/articles", json={"uri": f"urn:rate:{n}", "body_text": "Hi."})
            for n in range(3)
        ]
    assert [r.status_code for r in responses] == [202, 202, 429]
    assert responses[2].headers["Retry-After"] == "60"
    assert "too many requests" in responses[2].json()["error"]
    sent = consume(kafka_bootstrap, topics["article"], 3, timeout_s=5)
    assert sorted(key for key, _ in sent) == sorted(r.json()["id"] for r in responses[:2])
