from __future__ import annotations

import os
import time

from connectors.files import DirectoryWatcher, expand
from connectors.runner import run
from connectors.settings import WatchSettings
from connectors.state import StateFile

SETTLED = WatchSettings(interval_s=0.01, settle_s=0.0)


def _age(path, seconds: float = 10) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_watcher_sends_new_files_once_across_restarts(tmp_path, producer, fake_client) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.txt").write_text("PARIS (AFP) - First story.")
    state = StateFile(tmp_path / "state.json")

    assert run(DirectoryWatcher(drop, watch=SETTLED, once=True), producer, state).sent == 1
    # a restarted watcher remembers the file
    assert run(DirectoryWatcher(drop, watch=SETTLED, once=True), producer, state).sent == 0

    (drop / "sub").mkdir()
    (drop / "sub" / "b.txt").write_text("LONDON (Wire) - Second story.")
    assert run(DirectoryWatcher(drop, watch=SETTLED, once=True), producer, state).sent == 1
    assert len(fake_client.records("articles")) == 2


def test_changed_file_is_sent_again_with_the_same_id(tmp_path, producer, fake_client) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"uri": "urn:a", "body_text": "v1"}')
    _age(path, 20)
    state = StateFile(tmp_path / "state.json")
    run(DirectoryWatcher(tmp_path, watch=SETTLED, once=True), producer, state)
    path.write_text('{"uri": "urn:a", "body_text": "version two"}')
    run(DirectoryWatcher(tmp_path, watch=SETTLED, once=True), producer, state)
    first, second = fake_client.records("articles")
    assert first["id"] == second["id"]
    assert second["body"] == "version two"


def test_file_still_being_written_waits_until_settled(tmp_path, producer, fake_client) -> None:
    (tmp_path / "fresh.txt").write_text("Being written.")
    watcher = DirectoryWatcher(tmp_path, watch=WatchSettings(settle_s=60), once=True)
    assert run(watcher, producer).sent == 0


def test_hidden_and_temporary_files_are_ignored(tmp_path) -> None:
    for name in (".hidden.txt", "part.txt.part", "x.tmp", "notes.md", "ok.txt"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand([tmp_path], None)] == ["ok.txt"]


def test_corrupt_state_file_starts_afresh(tmp_path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json")
    assert StateFile(path).load() == {}


def test_state_of_deleted_files_is_forgotten(tmp_path, producer) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.txt").write_text("Story.")
    state = StateFile(tmp_path / "s.json")
    run(DirectoryWatcher(drop, watch=SETTLED, once=True), producer, state)
    (drop / "a.txt").unlink()
    (drop / "b.txt").write_text("Another story.")
    run(DirectoryWatcher(drop, watch=SETTLED, once=True), producer, state)
    assert list(state.load()["files"]) == [str(drop / "b.txt")]


def test_big_json_lines_file_is_marked_done_only_with_its_last_batch(tmp_path) -> None:
    from connectors.settings import ConnectorSettings

    drop = tmp_path / "drop"
    drop.mkdir()
    lines = [f'{{"id": "{i}", "text": "story {i}"}}' for i in range(5)]
    (drop / "many.jsonl").write_text("\n".join(lines))
    _age(drop / "many.jsonl")
    watcher = DirectoryWatcher(drop, settings=ConnectorSettings(batch=2), watch=SETTLED, once=True)
    marked = []
    for batch in watcher.batches():
        marked.append((len(batch), bool(watcher.snapshot()["files"])))
    assert marked == [(2, False), (2, False), (1, True)]
