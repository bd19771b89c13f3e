"""`watch DIR` and `ingest DIR` read only what is inside DIR: symlinks out of it are skipped.

A planted `innocent.txt -> /some/secret` must become neither an article nor a dead letter that
carries the secret file's bytes.
"""

from __future__ import annotations

import logging
import os

import pytest

from connectors.files import DirectoryWatcher, FileSource, expand
from connectors.formats import read_path
from connectors.settings import WatchSettings

SECRET = "TOP-SECRET-4b1d: the private key"
SETTLED = WatchSettings(interval_s=0.01, settle_s=0.0)


@pytest.fixture
def planted(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text(SECRET)
    (outside / "story.txt").write_text(SECRET)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "real.txt").write_text("PARIS (AFP) - A real story.")
    (drop / "innocent.txt").symlink_to(outside / "secret")
    (drop / "linked-dir").symlink_to(outside, target_is_directory=True)
    past = 1_600_000_000
    for path in (drop / "real.txt", outside / "secret", outside / "story.txt"):
        os.utime(path, (past, past))
    return drop


def _texts(batches) -> list[str]:
    out = []
    for batch in batches:
        for result in batch:
            out.append(repr(result.article) + repr(result.raw) + repr(result.error))
    return out


def test_directory_expansion_skips_symlinks_and_says_so(planted, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        found = [p.name for p in expand([planted], None)]
    assert found == ["real.txt"]
    assert "symlink" in caplog.text and "innocent.txt" in caplog.text


def test_ingest_dir_does_not_read_through_a_symlink(planted) -> None:
    texts = _texts(FileSource([planted]).batches())
    assert len(texts) == 1 and "A real story" in texts[0]
    assert not any(SECRET in t for t in texts)


def test_watch_does_not_read_through_a_symlink(planted) -> None:
    texts = _texts(DirectoryWatcher(planted, watch=SETTLED, once=True).batches())
    assert len(texts) == 1 and "A real story" in texts[0]
    assert not any(SECRET in t for t in texts)


def test_a_file_swapped_for_a_symlink_after_listing_is_not_followed(planted) -> None:
    # The race: listed as a regular file, replaced by a link before it is opened.
    results = list(read_path(planted / "innocent.txt", follow_symlinks=False))
    assert len(results) == 1 and not results[0].ok
    assert SECRET not in repr(results[0])
