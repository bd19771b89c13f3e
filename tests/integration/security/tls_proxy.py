"""A TLS-terminating proxy in front of the local (security-less) Elasticsearch, for the tests.

It listens on loopback with a self-signed certificate (made by `openssl`), requires
`Authorization: Basic ...` or `ApiKey ...` with the credentials it was given (401 otherwise,
shaped like Elasticsearch's own answer) and forwards everything else to the real server.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

HOP_HEADERS = {"host", "authorization", "content-length", "transfer-encoding", "connection"}


def self_signed(directory: Path) -> tuple[Path, Path, str]:
    """(cert.pem, key.pem, SHA-256 fingerprint) for 127.0.0.1/localhost."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return cert, key, hashlib.sha256(der).hexdigest()


@dataclass
class TlsProxy:
    upstream: str
    cert: Path
    key: Path
    basic: tuple[str, str]
    api_key: str
    seen_auth: list[str] = field(default_factory=list)
    url: str = ""

    def start(self) -> TlsProxy:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the TLS proxy did not start")
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=15)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert), str(self.key))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"https://127.0.0.1:{port}"
        ready.set()
        self._loop.run_forever()

    def _authorized(self, header: str) -> bool:
        user, password = self.basic
        basic = base64.b64encode(f"{user}:{password}".encode()).decode()
        return header in (f"Basic {basic}", f"ApiKey {self.api_key}")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        self.seen_auth.append(header.split(" ", 1)[0])
        if not self._authorized(header):
            return web.json_response(
                {"error": {"type": "security_exception", "reason": "unable to authenticate"},
                 "status": 401},
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="security"',
                         "X-Elastic-Product": "Elasticsearch"},
            )  # fmt: skip
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                f"{self.upstream}{request.rel_url}",
                data=await request.read(),
                headers=headers,
            ) as upstream,
        ):
            body = await upstream.read()
            out = {
                k: v
                for k, v in upstream.headers.items()
                if k.lower() not in HOP_HEADERS and k.lower() != "content-encoding"
            }
            return web.Response(body=body, status=upstream.status, headers=out)
