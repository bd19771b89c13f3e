"""Fixtures for the connector integration tests: this test's topics and a `wirestream` runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def topics(create_topic: Callable[..., str], unique_name: Callable[[str], str]) -> dict[str, str]:
    """A fresh article topic and dead-letter topic for this test."""
    return {
        "article": create_topic(unique_name("wire.article")),
        "deadletter": create_topic(unique_name("wire.deadletter")),
    }


@pytest.fixture
def env(topics: dict[str, str], kafka_bootstrap: str, tmp_path: Path) -> dict[str, str]:
    """Environment for `wirestream` subprocesses: this test's topics and state dir."""
    return {
        **os.environ,
        "WIRESTREAM_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "WIRESTREAM_TOPIC_ARTICLE": topics["article"],
        "WIRESTREAM_TOPIC_DEADLETTER": topics["deadletter"],
        "WIRESTREAM_CONNECTOR_STATE_DIR": str(tmp_path / "state"),
        "WIRESTREAM_METRICS_PORT": "0",
    }


@pytest.fixture
def wirestream(env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_cli(), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def _cli() -> str:
    return str(Path(sys.executable).with_name("wirestream"))
