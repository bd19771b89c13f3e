"""Import the wirestream data views, saved searches and dashboard into Kibana.

Kibana's saved-objects API takes the NDJSON export format as a multipart upload; with
`overwrite=true` the import is idempotent, so deployments run it on every start.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

SAVED_OBJECTS = "wirestream.ndjson"


class KibanaSettings(BaseSettings):
    """How to reach Kibana. Credentials come from the environment, never from the command line."""

    model_config = SettingsConfigDict(env_prefix="WIRESTREAM_KIBANA_", extra="forbid", frozen=True)

    url: str = "http://127.0.0.1:5601"
    space: str = Field("", description="Kibana space id; empty: the default space")
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = Field(None, description="encoded API key (wins over user/password)")
    ca_certs: Path | None = Field(None, description="CA bundle for an https Kibana")
    verify_certs: bool = True
    timeout_s: float = 60.0


class KibanaImportError(RuntimeError):
    """Kibana refused the import or some of its objects."""


@dataclass
class ImportResult:
    success_count: int
    errors: list[dict[str, Any]] = field(default_factory=list)


def saved_objects_path() -> Path:
    """`deploy/kibana/` of a source checkout, else the copy packaged into the wheel."""
    checkout = Path(__file__).resolve().parents[2] / "deploy" / "kibana" / SAVED_OBJECTS
    if checkout.is_file():
        return checkout
    return Path(str(resources.files("pipeline") / "_kibana" / SAVED_OBJECTS))


def import_url(base_url: str, space: str = "") -> str:
    base = base_url.rstrip("/")
    prefix = f"/s/{space}" if space and space != "default" else ""
    return f"{base}{prefix}/api/saved_objects/_import?overwrite=true"


def redact(url: str) -> str:
    """The URL without user:password@, for logs and error messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _client(settings: KibanaSettings) -> httpx.Client:
    headers = {"kbn-xsrf": "wirestream"}
    auth = None
    if settings.api_key is not None:
        headers["Authorization"] = f"ApiKey {settings.api_key.get_secret_value()}"
    elif settings.username and settings.password is not None:
        auth = httpx.BasicAuth(settings.username, settings.password.get_secret_value())
    verify: Any = str(settings.ca_certs) if settings.ca_certs else settings.verify_certs
    return httpx.Client(headers=headers, auth=auth, verify=verify, timeout=settings.timeout_s)


def wait_until_available(client: httpx.Client, base_url: str, timeout_s: float) -> None:
    """Poll `/api/status` until Kibana says it is available (it answers 503 while starting)."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while True:
        try:
            response = client.get(f"{base_url.rstrip('/')}/api/status")
            if response.status_code == 200:
                level = response.json().get("status", {}).get("overall", {}).get("level")
                if level in (None, "available"):
                    return
                last = f"status {level}"
            else:
                last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        if time.monotonic() >= deadline:
            raise KibanaImportError(
                f"Kibana at {redact(base_url)} not available after {timeout_s:.0f}s: {last}"
            )
        time.sleep(2.0)


def import_saved_objects(
    settings: KibanaSettings, path: Path | None = None, wait_s: float = 0.0
) -> ImportResult:
    """POST the NDJSON file to Kibana; raise `KibanaImportError` unless every object imported."""
    path = path or saved_objects_path()
    url = import_url(settings.url, settings.space)
    with _client(settings) as client:
        if wait_s > 0:
            wait_until_available(client, settings.url, wait_s)
        with path.open("rb") as fh:
            response = client.post(url, files={"file": (path.name, fh, "application/ndjson")})
    if response.status_code >= 400:
        # The body is Kibana's error message; it never echoes our credentials.
        raise KibanaImportError(
            f"import refused: HTTP {response.status_code}: {response.text[:500]}"
        )
    body = response.json()
    result = ImportResult(body.get("successCount", 0), body.get("errors", []))
    if not body.get("success", False) or result.errors:
        summary = "; ".join(
            f"{e.get('type')}/{e.get('id')}: {e.get('error', {}).get('type')}"
            for e in result.errors[:10]
        )
        raise KibanaImportError(f"{len(result.errors)} object(s) not imported: {summary}")
    log.info(
        "kibana saved objects imported", extra={"count": result.success_count, "url": redact(url)}
    )
    return result
