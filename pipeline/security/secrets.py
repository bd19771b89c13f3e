"""Secrets from environment variables or files (`*_FILE`), and redaction of text we emit.

A secret is a pydantic `SecretStr` (its repr is `**********`); the file variant wins when both
are set, so an orchestrator's mounted secret overrides a stale variable. A secret file that its
group or others can read is used, with one warning per file naming it (never its content). `redact()` is applied
where errors become text: log records (pipeline.observability.logs), dead-letter records, CLI error messages.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

log = logging.getLogger(__name__)
MASK = "***"
_WARNED: set[tuple[str, int]] = set()  # (file, mode) already warned about
PUSH_TOKEN_ENV = "WIRESTREAM_HTTP_TOKEN"
# Credentials that can appear in URLs, headers and client error messages even when we do not
# know their value (e.g. an operator pasted one into a URL).
_PATTERNS = [
    (re.compile(r"(?i)\b(bearer|basic|apikey)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + MASK),
    (re.compile(r"(?i)(://[^/\s:@]+):[^/\s@]+@"), r"\1:" + MASK + "@"),
    (
        re.compile(
            r"(?i)\b(password|passwd|api_key|apikey|token|secret)(['\"]?\s*[=:]\s*['\"]?)[^\s'\",}]+"
        ),
        r"\1\2" + MASK,
    ),
]


class SecretError(ValueError):
    """A secret setting cannot be used (unreadable or empty file); the message names the file."""


def read_secret(value: SecretStr | None, file: Path | None) -> str | None:
    """The secret from `file` (stripped) when set, else from `value`, else None."""
    if file is not None:
        try:
            with Path(file).open(encoding="utf-8") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                secret = handle.read().strip()
        except OSError as exc:
            raise SecretError(f"cannot read the secret file {file}: {exc.strerror}") from None
        _warn_if_shared(Path(file), mode)
        if not secret:
            raise SecretError(f"the secret file {file} is empty")
        return secret
    if value is not None and value.get_secret_value().strip():
        return value.get_secret_value().strip()
    return None


def _warn_if_shared(file: Path, mode: int) -> None:
    """Once per file and mode: a secret that group or others can read is not much of one."""
    if not mode & (stat.S_IRGRP | stat.S_IROTH) or (str(file), mode) in _WARNED:
        return
    # Recorded before logging: the log formatter redacts, which reads the secrets again.
    _WARNED.add((str(file), mode))
    log.warning(
        "the secret file %s is readable by %s (mode %o); chmod 600 it",
        file,
        "group and others"
        if mode & stat.S_IROTH and mode & stat.S_IRGRP
        else "others"
        if mode & stat.S_IROTH
        else "its group",
        stat.S_IMODE(mode),
    )


def configured_secrets() -> list[str]:
    """Every secret the current environment configures (Kafka, Elasticsearch, HTTP push)."""
    # Imported here: connectors depends on pipeline, not the other way round at import time.
    from pipeline.settings import ElasticsearchSettings, KafkaSettings

    found: list[str | None] = []
    try:
        kafka, es = KafkaSettings(), ElasticsearchSettings()
        found += [
            _quiet(kafka.sasl_password, kafka.sasl_password_file),
            _quiet(kafka.ssl_key_password, kafka.ssl_key_password_file),
            _quiet(es.password, es.password_file),
            _quiet(es.api_key, es.api_key_file),
        ]
    except ValueError:
        pass
    # The push endpoint's token: the same two variables `connectors.settings.HttpPushSettings`
    # reads, taken from the environment here so that this shared module needs no connector.
    token, token_file = os.environ.get(PUSH_TOKEN_ENV), os.environ.get(PUSH_TOKEN_ENV + "_FILE")
    found.append(
        _quiet(SecretStr(token) if token else None, Path(token_file) if token_file else None)
    )
    return [s for s in found if s]


def _quiet(value: SecretStr | None, file: Path | None) -> str | None:
    try:
        return read_secret(value, file)
    except SecretError:
        return None


def redact_url(url: str) -> str:
    """`url` without its `user:password@` part, for messages that say where we connected."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """`text` with the given secrets (default: the configured ones) and credential shapes masked."""
    if not text:
        return text
    for secret in sorted(
        configured_secrets() if secrets is None else secrets, key=len, reverse=True
    ):
        # Short values would mask ordinary words; real secrets are longer.
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
