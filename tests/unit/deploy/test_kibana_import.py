"""`wirestream kibana import` posts the NDJSON to the saved-objects API of a (fake, local) Kibana."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.ops.kibana import (
    KibanaImportError,
    KibanaSettings,
    import_saved_objects,
    import_url,
    redact,
    saved_objects_path,
)


class FakeKibana:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: tuple[int, dict[str, Any]] = (200, {"success": True, "successCount": 11})


@pytest.fixture
def kibana() -> Iterator[tuple[FakeKibana, str]]:
    fake = FakeKibana()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, payload = fake.reply
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_import_posts_the_ndjson_as_multipart_with_the_xsrf_header_and_overwrite(kibana):
    fake, url = kibana
    result = import_saved_objects(KibanaSettings(url=url))
    assert result.success_count == 11
    (request,) = fake.requests
    assert request["path"] == "/api/saved_objects/_import?overwrite=true"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert "kbn-xsrf" in headers
    assert headers["content-type"].startswith("multipart/form-data")
    assert b'name="file"; filename="wirestream.ndjson"' in request["body"]
    assert saved_objects_path().read_bytes() in request["body"]


def test_import_into_a_space_uses_the_space_prefix():
    assert import_url("http://k:5601/", "newsroom") == (
        "http://k:5601/s/newsroom/api/saved_objects/_import?overwrite=true"
    )
    assert import_url("http://k:5601", "default").startswith("http://k:5601/api/")


def test_basic_auth_is_sent_but_never_logged(kibana, caplog):
    fake, url = kibana
    caplog.set_level(logging.DEBUG)
    import_saved_objects(KibanaSettings(url=url, username="elastic", password="s3cret-pw"))
    headers = {k.lower(): v for k, v in fake.requests[0]["headers"].items()}
    assert headers["authorization"].startswith("Basic ")
    assert "s3cret-pw" not in caplog.text


def test_api_key_wins_over_user_and_password(kibana):
    fake, url = kibana
    import_saved_objects(KibanaSettings(url=url, username="u", password="p", api_key="a2V5"))
    headers = {k.lower(): v for k, v in fake.requests[0]["headers"].items()}
    assert headers["authorization"] == "ApiKey a2V5"


def test_objects_kibana_rejects_fail_the_import_with_their_ids(kibana):
    fake, url = kibana
    fake.reply = (
        200,
        {
            "success": False,
            "successCount": 10,
            "errors": [{"type": "lens", "id": "x", "error": {"type": "missing_references"}}],
        },
    )
    with pytest.raises(KibanaImportError, match="lens/x: missing_references"):
        import_saved_objects(KibanaSettings(url=url))


def test_http_errors_fail_the_import_without_echoing_credentials(kibana):
    fake, url = kibana
    fake.reply = (401, {"message": "unauthorized"})
    userinfo_url = url.replace("http://", "http://elastic:hunter2@")
    with pytest.raises(KibanaImportError) as raised:
        import_saved_objects(KibanaSettings(url=userinfo_url))
    assert "hunter2" not in str(raised.value)
    assert redact(userinfo_url) == url


def test_cli_reports_the_count_and_fails_cleanly_when_kibana_is_down(kibana):
    from pipeline.cli.main import cli

    _fake, url = kibana
    runner = CliRunner()
    ok = runner.invoke(cli, ["kibana", "import", "--url", url])
    assert ok.exit_code == 0, ok.output
    assert "imported 11 saved objects" in ok.output
    down = runner.invoke(cli, ["kibana", "import", "--url", "http://127.0.0.1:9"])
    assert down.exit_code == 1
    assert "cannot reach Kibana" in down.output
