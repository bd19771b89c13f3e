"""One spaCy pipeline for the quote tests (loading it takes a second)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`WIRESTREAM_SHARED_DATA`, by default `<repo>/../shared/data`."""
    return Path(os.environ.get("WIRESTREAM_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def nlp():
    from pipeline.enrich.nlp import load_spacy

    return load_spacy()


@pytest.fixture
def quotes_of(nlp):
    from pipeline.enrich.quotes import extract_quotes

    def run(text: str) -> list[dict]:
        return extract_quotes(text, nlp(text))

    return run
