"""Hostile input, end to end with the full default enricher chain: every record is enriched
or dead-lettered with a clear reason, and the worker stays alive.

Two doors: records produced straight onto the article topic (what a buggy or hostile
producer can do to the worker), and files through `wirestream ingest` (what the connectors
let through). RSS feeds that fail (500, timeout, an HTML page) and oversized HTTP pushes are
refused by the connectors before Kafka; they are pinned in tests/unit/connectors
(test_connectors_rss.py, test_connectors_http_push.py) and
tests/integration/connectors/test_connectors_http_push_endpoint.py.
"""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch
from reliability_harness import Feed, dead_letters, deployment, es_ids, wait_until
from worker_process import Worker, remove_index

from connectors.article import REVISION_SPAN

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _article(tag: str, body: str, **extra) -> dict:
    return {
        "schema": "wire.article.v1",
        "id": f"{abs(hash(('hostile', tag))) % 16**32:032x}",
        "source": "hostile-test",
        "body": body,
        "received_at": "2026-11-25T10:00:00.000Z",
        "language": None,
        **extra,
    }


def _corpus() -> list[tuple[str, bytes | None, bytes, str]]:
    """(name, key, value, expected outcome: `indexed` or the dead-letter stage)."""
    duplicate_old = _article("dup", "First version of the story.", revision=1 * REVISION_SPAN)
    duplicate_new = dict(duplicate_old, body="Second version, with new facts.")
    duplicate_new["revision"] = 2 * REVISION_SPAN
    rows: list[tuple[str, dict | bytes, str]] = [
        ("malformed JSON", b'{"schema": "wire.article.v1", "id": "abc", "body": ', "decode"),
        ("invalid UTF-8 / binary", bytes(range(256)) * 4, "decode"),
        ("a JSON array", b'[1, 2, "three"]', "validate"),
        ("schema-invalid", orjson.dumps({"schema": "wire.article.v1", "body": 42}), "validate"),
        # The schema allows an empty body (the connectors refuse one); either outcome is fine.
        ("empty body", _article("empty", ""), "any"),
        ("whitespace-only body", _article("blank", " \n\t  \n"), "any"),
        ("NUL bytes", _article("nul", 'The council\x00 met.\x00 "Yes,\x00" she said.'), "any"),
        (
            "HTML-heavy copy",
            _article("html", "<div><p>Ministers <b>met</b> on Monday.</p>" * 400 + "</div>"),
            "indexed",
        ),
        (
            "non-English",
            _article(
                "de",
                "BERLIN (dpa) — Die Bundesregierung hat am Mittwoch ein neues Gesetz "
                "beschlossen. „Das ist ein guter Tag“, sagte die Ministerin.",
            ),
            "indexed",
        ),
        (
            "right-to-left",
            _article(
                "ar", "قالت الحكومة يوم الأربعاء إنها ستفتح المعابر. «نحن مستعدون» قال الوزير."
            ),
            "indexed",
        ),
        (
            "thousands of quotation marks",
            _article("quotes", '"' * 5000 + " The mayor said it. " + "“”" * 2000),
            "indexed",
        ),
        (
            "unbalanced quotes",
            _article("unbalanced", 'The mayor said: "we will build it. The council disagreed.'),
            "indexed",
        ),
        # The newer revision goes first: last-write-wins would then keep the older one.
        ("duplicate id, newer content", duplicate_new, "indexed"),
        ("duplicate id, older content", duplicate_old, "indexed"),
        (
            # Under the broker's 1 MB record limit; its enriched record may not be (then a
            # dead letter at stage `publish`).
            "a 600 KB body",
            _article("big", "Officials said the plan would go ahead. " * 15_000),
            "any",
        ),
    ]
    out = []
    for name, value, expected in rows:
        if isinstance(value, dict):
            out.append((name, value["id"].encode(), orjson.dumps(value), expected))
        else:
            out.append((name, None, value, expected))
    return out


def _original(letter: dict) -> bytes:
    original = letter["original"]
    if original["encoding"] == "base64":
        return base64.b64decode(original["value"])
    return original["value"].encode("utf-8")


def test_hostile_input_is_enriched_or_dead_lettered_with_a_reason_and_the_worker_lives(
    kafka_bootstrap: str, es: Elasticsearch, _created_topics: list[str], tmp_path: Path
):
    # The full default chain: hostile text must get through every model, not just the cheap ones.
    dep = deployment(kafka_bootstrap, _created_topics, tmp_path)
    corpus = _corpus()
    feed = Feed(dep)
    try:
        worker = Worker(dep, tmp_path / "worker.log")
        worker.wait_ready(600)
        feed.send_raw((key, value) for _, key, value, _ in corpus)

        # Files through the connector: entity expansion, a 10 MB body, NUL-laden binary.
        files = tmp_path / "files"
        files.mkdir()
        (files / "billion-laughs.xml").write_bytes(
            (FIXTURES / "newsml" / "billion-laughs.xml").read_bytes()
        )
        (files / "ten-megabytes.txt").write_text("Officials met. " * 700_000, encoding="utf-8")
        (files / "binary.txt").write_bytes(b"\x00\xff\xfe" + bytes(range(256)) * 64)
        (files / "nul-bytes.txt").write_bytes(b"ROME \x00(Wire) - The talks\x00 resumed.\n")
        ingest = dep.cli("ingest", str(files), timeout=300)
        # Exit 1 says some input was dead-lettered; the summary says what became of each file.
        assert ingest.returncode in (0, 1), ingest.stderr[-2000:]
        assert "dead-lettered: 3" in ingest.stdout, ingest.stdout + ingest.stderr[-2000:]
        print(f"ingest: {ingest.stdout.strip()}")

        # Done when the worker committed past every record on the article topic.
        def all_committed() -> bool:
            return (dep.committed() or 0) >= _end_offset(kafka_bootstrap, dep.topics["article"])

        wait_until("the worker committed every record", all_committed, 600, 2)
        assert worker.process.poll() is None, "the worker is alive"

        letters = dead_letters(kafka_bootstrap, dep)
        for letter in letters:
            assert letter["error_class"] and len(letter["error_message"]) > 10, letter
        by_offset = {
            letter["original"]["offset"]: letter
            for letter in letters
            if letter["original"].get("topic") == dep.topics["article"]
        }
        indexed = es_ids(es, dep)
        summary = {"sent": len(corpus), "indexed": 0, "deadlettered": 0, "lost": 0}
        for offset, (name, key, value, expected) in enumerate(corpus):
            letter = by_offset.get(offset)
            in_es = key is not None and key.decode() in indexed
            if letter:
                summary["deadlettered"] += 1
                assert _original(letter) == value[: len(_original(letter))], name
                print(
                    f"  {name}: dead-lettered at {letter['stage']}: {letter['error_message'][:120]}"
                )
                assert expected in (letter["stage"], "any"), f"{name}: {letter['stage']}"
            elif in_es:
                summary["indexed"] += 1
                print(f"  {name}: indexed")
                assert expected in ("indexed", "any"), name
            else:
                summary["lost"] += 1
                print(f"  {name}: LOST")
        print("RELIABILITY hostile records: " + " ".join(f"{k}={v}" for k, v in summary.items()))
        assert summary["lost"] == 0

        [dup] = {orjson.loads(value)["id"] for name, _, value, _ in corpus if "duplicate" in name}
        body = es.get(index=dep.alias, id=dup)["_source"]["body"]
        assert body.startswith("Second version"), "the newer revision of a duplicate id wins"

        # What the connector did with the files: each one sent or dead-lettered with its reason.
        from_files = [letter for letter in letters if letter["stage"] == "connector"]
        reasons = {
            letter["original"]["source"].rsplit("/", 1)[-1]: letter["error_message"]
            for letter in from_files
        }
        print(f"RELIABILITY hostile files: connector dead letters {sorted(reasons)}")
        assert "DTD" in reasons["billion-laughs.xml"] or "entit" in reasons["billion-laughs.xml"]
        assert "larger than" in reasons["ten-megabytes.txt"]
        assert "UTF-8" in reasons["binary.txt"]
        assert worker.stop() == 0
    finally:
        feed.close()
        log = (tmp_path / "worker.log").read_text(errors="replace").splitlines()
        print("--- worker.log\n" + "\n".join(log[-8:]))
        remove_index(es, dep)


def _end_offset(bootstrap: str, topic: str) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        part = TopicPartition(topic, 0)
        return consumer.end_offsets([part])[part]
    finally:
        consumer.close()
