"""Every speaker on the 60 Wikinews demo articles is an entity's full name, never a
fragment ("University", "Mary" when "Mary Smith" is named) or a bare common noun."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_PARTICLES = frozenset("of the and for de la le du da di van von der bin al el".split())
ARTICLES = Path(__file__).resolve().parents[4] / "samples" / "wikinews" / "articles.jsonl"


@pytest.fixture(scope="module")
def wikinews_quotes(nlp):
    from pipeline.enrich.entities import extract_entities
    from pipeline.enrich.nlp import parse_prefix
    from pipeline.enrich.quotes import extract_quotes

    items = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    out = []
    for item, doc in zip(items, nlp.pipe(parse_prefix(i["text"]) for i in items), strict=True):
        entities = extract_entities(doc)
        out.append((item["id"], entities, extract_quotes(item["text"], doc, entities)))
    return out


def test_the_sample_has_the_sixty_articles_and_their_speakers(wikinews_quotes):
    assert len(wikinews_quotes) == 60
    assert sum(q["speaker"] is not None for _, _, qs in wikinews_quotes for q in qs) >= 100


def test_every_speaker_is_the_canonical_name_of_an_entity(wikinews_quotes):
    for article, entities, quotes in wikinews_quotes:
        known = {(e["canonical"], e["label"]) for e in entities}
        for q in quotes:
            if q["speaker"] is not None:
                assert (q["speaker"], q["speaker_type"]) in known, (article, q)


def test_no_speaker_is_a_fragment_of_a_longer_name(wikinews_quotes):
    for article, entities, quotes in wikinews_quotes:
        people = {e["canonical"] for e in entities if e["label"] == "PERSON"}
        for q in quotes:
            name = q["speaker"]
            if name is None:
                continue
            longer = [p for p in people if p != name and p.split()[-1] == name.split()[-1]]
            assert not longer, (article, name, longer)


def test_no_speaker_is_a_bare_common_noun(wikinews_quotes):
    for article, _, quotes in wikinews_quotes:
        for q in quotes:
            name = q["speaker"]
            if name is None:
                continue
            words = [w for w in name.split() if w.lower() not in _PARTICLES]
            # `el-Sisi`, `McDonald`, `3M`: some capital or digit in every word of a name.
            assert words and all(re.search(r"[A-Z0-9]", w) for w in words), (article, q)


def test_an_unnamed_source_keeps_its_mention(wikinews_quotes):
    unnamed = [q for _, _, qs in wikinews_quotes for q in qs if q["speaker"] is None]
    assert any(q["speaker_mention"] for q in unnamed)
    for q in unnamed:
        assert (q["speaker_mention"] is None) == (q["speaker_start"] is None)
