from __future__ import annotations

import pytest
from connector_helpers import FIXTURES, consume, sample_article

from pipeline.contracts import schemas

pytestmark = pytest.mark.integration


def test_ingested_sample_article_is_consumed_back_schema_valid(
    wirestream, topics, kafka_bootstrap
) -> None:
    result = wirestream("ingest", str(sample_article()))
    assert result.returncode == 0, result.stderr
    assert "sent: 1  dead-lettered: 0" in result.stdout
    [(key, article)] = consume(kafka_bootstrap, topics["article"], 1)
    schemas.validate(schemas.ARTICLE, article)
    assert key == article["id"]
    assert article["body"].startswith("WASHINGTON (Sputnik) — ")
    assert article["format"] == "plaintext"


def test_reingested_article_keeps_its_key(wirestream, topics, kafka_bootstrap) -> None:
    for _ in range(2):
        assert wirestream("ingest", str(sample_article())).returncode == 0
    (first_key, first), (second_key, second) = consume(kafka_bootstrap, topics["article"], 2)
    assert first_key == second_key == first["id"] == second["id"]
    assert second["revision"] >= first["revision"]


def test_ninjs_and_newsml_fixtures_are_ingested(wirestream, topics, kafka_bootstrap) -> None:
    result = wirestream(
        "ingest", str(FIXTURES / "ninjs"), str(FIXTURES / "newsml" / "newsitem.xml")
    )
    assert result.returncode == 0, result.stderr
    assert "sent: 3  dead-lettered: 0" in result.stdout
    records = consume(kafka_bootstrap, topics["article"], 3)
    assert sorted(a["format"] for _, a in records) == ["newsml-g2", "ninjs", "ninjs"]
    for key, article in records:
        schemas.validate(schemas.ARTICLE, article)
        assert key == article["id"]


def test_malformed_files_go_to_the_dead_letter_topic_and_good_ones_still_flow(
    wirestream, topics, kafka_bootstrap
) -> None:
    result = wirestream(
        "ingest",
        str(FIXTURES / "malformed" / "broken.json"),
        str(FIXTURES / "newsml" / "billion-laughs.xml"),
        str(FIXTURES / "ninjs" / "ninjs-1.json"),
    )
    assert result.returncode == 0, result.stderr
    assert "sent: 1  dead-lettered: 2" in result.stdout
    dead = [record for _, record in consume(kafka_bootstrap, topics["deadletter"], 2)]
    for record in dead:
        schemas.validate(schemas.DEADLETTER, record)
        assert record["stage"] == "connector"
    reasons = {
        record["original"]["source"].rsplit("/", 1)[1]: record["error_message"] for record in dead
    }
    assert "not valid JSON" in reasons["broken.json"]
    assert "DTD" in reasons["billion-laughs.xml"]
    [(_, good)] = consume(kafka_bootstrap, topics["article"], 1)
    assert good["guid"] == "urn:newsml:example.org:20041117:cricket-brisbane"


def test_json_lines_from_stdin_are_ingested(env, topics, kafka_bootstrap) -> None:
    import subprocess
    import sys
    from pathlib import Path

    cli = str(Path(sys.executable).with_name("wirestream"))
    data = (FIXTURES / "jsonl" / "mixed.jsonl").read_bytes()
    result = subprocess.run(
        [cli, "ingest", "-", "--format", "jsonl"],
        input=data,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert b"sent: 3  dead-lettered: 1" in result.stdout, result.stderr
    [(_, dead)] = consume(kafka_bootstrap, topics["deadletter"], 1)
    assert dead["original"]["source"] == "-:5"


def test_watcher_sends_dropped_files_once(wirestream, topics, kafka_bootstrap, tmp_path) -> None:
    import os
    import time

    drop = tmp_path / "drop"
    drop.mkdir()
    path = drop / "story.txt"
    path.write_bytes(sample_article().read_bytes())
    past = time.time() - 10
    os.utime(path, (past, past))
    state = tmp_path / "watch.json"
    for _ in range(2):  # the second run is a restart: nothing is resent
        result = wirestream("watch", str(drop), "--once", "--state", str(state))
        assert result.returncode == 0, result.stderr
    records = consume(kafka_bootstrap, topics["article"], 2, timeout_s=5)
    assert len(records) == 1


def test_oversized_article_is_dead_lettered_with_a_truncated_original(
    wirestream, topics, kafka_bootstrap, tmp_path
) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("word " * 500_000)  # 2.5 million characters: over the schema's body limit
    result = wirestream("ingest", str(path))
    assert "sent: 0  dead-lettered: 1" in result.stdout, result.stderr
    assert result.returncode == 1  # nothing could be sent
    [(_, record)] = consume(kafka_bootstrap, topics["deadletter"], 1)
    schemas.validate(schemas.DEADLETTER, record)
    assert "the limit is 2,000,000" in record["error_message"]
    assert "original truncated to 262,144 of 2,500,000 bytes" in record["error_message"]


def test_ingested_html_pages_send_their_articles_not_the_markup(
    wirestream, topics, kafka_bootstrap
) -> None:
    result = wirestream("ingest", str(FIXTURES / "html"))
    assert result.returncode == 0, result.stderr
    assert "sent: 2  dead-lettered: 0" in result.stdout
    records = {a["url"]: a for _, a in consume(kafka_bootstrap, topics["article"], 2)}
    fire = records["https://news.example.org/escape-room-fire"]
    schemas.validate(schemas.ARTICLE, fire)
    assert fire["format"] == "html" and fire["body_source"] == "page"
    assert fire["body"].startswith("A fire yesterday afternoon killed five girls")
    assert fire["body"].endswith("has declared tomorrow a day of mourning.")
    for markup in ("<", "window.analytics", "Subscribe", "Most read", "First! Great"):
        assert markup not in fire["body"]
    assert fire["byline"] == "Jane Reporter" and fire["language"] == "en"
    assert fire["published_at"] == "2019-01-05T09:30:00Z"
