"""Typed settings: defaults that fit the local stack, WIRESTREAM_* overrides, documented keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline import settings as settings_module
from pipeline.ops.topics_admin import project_topics
from pipeline.settings import ElasticsearchSettings, KafkaSettings, StackSettings, TopicSettings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for var in list(os.environ):
        if var.startswith("WIRESTREAM_") or var.startswith("XDG_"):
            monkeypatch.delenv(var)


def test_defaults_point_at_the_local_stack():
    assert KafkaSettings().bootstrap == "127.0.0.1:9092"
    assert ElasticsearchSettings().url == "http://127.0.0.1:9200"
    assert (TopicSettings().article, TopicSettings().partitions) == ("wire.article.v1", 4)
    assert StackSettings().kafka_version.startswith("4.")
    assert StackSettings().elasticsearch_version.startswith("9.")


def test_environment_variables_with_the_component_prefix_override_defaults(monkeypatch):
    monkeypatch.setenv("WIRESTREAM_TOPIC_PARTITIONS", "7")
    monkeypatch.setenv("WIRESTREAM_STACK_ES_HEAP", "2g")

    assert TopicSettings().partitions == 7
    assert StackSettings().es_heap == "2g"


def test_unknown_keys_are_rejected():
    with pytest.raises(ValidationError):
        KafkaSettings(bootstrapp="typo:9092")


def test_settings_cannot_be_changed_after_reading():
    with pytest.raises(ValidationError):
        KafkaSettings().bootstrap = "elsewhere:9092"


def test_setting_a_server_address_makes_it_external(monkeypatch):
    assert not KafkaSettings.is_external() and not ElasticsearchSettings.is_external()

    monkeypatch.setenv("WIRESTREAM_KAFKA_BOOTSTRAP", "kafka.internal:9092")
    monkeypatch.setenv("WIRESTREAM_ES_URL", "https://search.internal")

    assert KafkaSettings.is_external() and ElasticsearchSettings.is_external()
    assert KafkaSettings().bootstrap == "kafka.internal:9092"


def test_a_normal_user_keeps_the_stack_in_the_home_directory(monkeypatch):
    monkeypatch.setattr(settings_module, "_running_as_root", lambda: False)

    assert StackSettings().cache_dir == Path.home() / ".cache" / "wirestream"
    assert StackSettings().state_dir == Path.home() / ".local" / "state" / "wirestream"


def test_root_keeps_the_stack_where_the_elasticsearch_user_can_reach_it(monkeypatch):
    monkeypatch.setattr(settings_module, "_running_as_root", lambda: True)

    assert StackSettings().cache_dir == Path("/var/cache/wirestream")
    assert StackSettings().state_dir == Path("/var/lib/wirestream")


def test_xdg_directories_are_honoured(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))

    assert StackSettings().cache_dir == tmp_path / "c" / "wirestream"
    assert StackSettings().state_dir == tmp_path / "s" / "wirestream"


@pytest.mark.parametrize("cls", [KafkaSettings, TopicSettings, StackSettings])
def test_every_connection_and_stack_setting_is_documented_in_the_readme(cls):
    prefix = cls.model_config["env_prefix"]
    readme = README.read_text()

    missing = [
        f"{prefix}{name.upper()}"
        for name in cls.model_fields
        if f"`{prefix}{name.upper()}`" not in readme
    ]

    assert not missing, f"add these to the README's Settings table: {missing}"


def test_topic_settings_name_the_four_pipeline_topics_with_their_partitions(monkeypatch):
    monkeypatch.setenv("WIRESTREAM_TOPIC_PARTITIONS", "6")

    specs = project_topics()

    assert [s.name for s in specs] == [
        "wire.article.v1",
        "news.enriched.v1",
        "news.quote.v1",
        "wire.deadletter.v1",
    ]
    assert {(s.partitions, s.replication) for s in specs} == {(6, 1)}
