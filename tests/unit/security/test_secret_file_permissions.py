"""A `*_FILE` secret that group or others can read is used, with a warning naming the file."""

from __future__ import annotations

import logging

import pytest

from pipeline.security import secrets
from pipeline.security.secrets import read_secret

SECRET = "s3cret-value-7a91c"


@pytest.fixture(autouse=True)
def forget_warnings(monkeypatch) -> None:
    monkeypatch.setattr(secrets, "_WARNED", set(), raising=False)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o666])
def test_a_secret_file_readable_by_others_is_warned_about(tmp_path, caplog, mode: int) -> None:
    path = tmp_path / "token"
    path.write_text(SECRET + "\n")
    path.chmod(mode)
    with caplog.at_level(logging.WARNING):
        assert read_secret(None, path) == SECRET
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage() and "chmod 600" in warnings[0].getMessage()
    assert SECRET not in caplog.text


def test_a_private_secret_file_reads_silently(tmp_path, caplog) -> None:
    path = tmp_path / "token"
    path.write_text(SECRET)
    path.chmod(0o600)
    with caplog.at_level(logging.WARNING):
        assert read_secret(None, path) == SECRET
    assert caplog.records == []


def test_the_warning_is_given_once_per_file(tmp_path, caplog) -> None:
    path = tmp_path / "token"
    path.write_text(SECRET)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            read_secret(None, path)
    assert len(caplog.records) == 1
