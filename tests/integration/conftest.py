"""Fixtures for tests against the real Kafka and Elasticsearch.

They use the running stack, or start it with the same code as `wirestream stack up`. In CI
(CI=true) an unreachable stack fails the tests loudly, and the servers this session started are
stopped when it ends. On a developer machine the stack is shared by everyone's test runs, so
what a session started stays up (stopping it would break the runs that came after it); set
WIRESTREAM_TEST_STOP_STACK=1 to stop it anyway.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from elasticsearch import Elasticsearch

from pipeline.ops import topics_admin
from pipeline.settings import ElasticsearchSettings, KafkaSettings, StackSettings
from pipeline.stack import lifecycle


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    message = f"the local stack is not available: {reason}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def stack() -> Iterator[list[lifecycle.Status]]:
    """A healthy stack for the whole session (see the module doc for who stops it)."""
    settings = StackSettings()
    # A server is ours to stop only if this session started it (a new pid), not if it was
    # running, or being started by someone else, before.
    before = {s.name: s.pid for s in lifecycle.status(settings)}
    try:
        statuses = lifecycle.up(settings, progress=lambda line: print(f"[stack] {line}"))
    except Exception as exc:  # any reason the servers cannot be had: say it and stop
        _unavailable(f"{type(exc).__name__}: {exc}")
    started = {s.name for s in statuses if s.pid and s.pid != before.get(s.name)}
    yield statuses
    if started and (in_ci() or os.environ.get("WIRESTREAM_TEST_STOP_STACK")):
        lifecycle.down(settings, progress=lambda line: print(f"[stack] {line}"), only=started)


@pytest.fixture(scope="session")
def kafka_bootstrap(stack: list[lifecycle.Status]) -> str:
    return KafkaSettings().bootstrap


@pytest.fixture(scope="session")
def es(stack: list[lifecycle.Status]) -> Iterator[Elasticsearch]:
    client = Elasticsearch(ElasticsearchSettings().url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """`unique_name("prefix")` -> a lowercase name no other test (or run) uses, valid as a
    Kafka topic and as an Elasticsearch index."""
    test = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]

    def make(prefix: str) -> str:
        clean = re.sub(r"[^a-z0-9.-]+", "-", prefix.lower()).strip("-._") or "t"
        return f"{clean}-{test}-{uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture(scope="session")
def _created_topics(kafka_bootstrap: str) -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    if names:
        topics_admin.delete_topics(names, KafkaSettings(bootstrap=kafka_bootstrap))


@pytest.fixture
def create_topic(kafka_bootstrap: str, _created_topics: list[str]) -> Callable[..., str]:
    """`create_topic(name, partitions=1) -> name`: creates it on the real broker (auto creation
    is off); topics created this way are deleted when the session ends."""
    kafka = KafkaSettings(bootstrap=kafka_bootstrap)

    def make(name: str, partitions: int = 1) -> str:
        topics_admin.ensure_topics([topics_admin.TopicSpec(name, partitions)], kafka)
        _created_topics.append(name)
        return name

    return make
