"""`entities.spacy.v1`: people, organisations and places of each English body.

Labels: PERSON, ORG and PLACE (spaCy's GPE, LOC and FAC). Each entity gets `canonical`,
the fullest form of its name in the same article, so "Mattis" and "Defense Secretary
Jim Mattis" both read "Jim Mattis". The small spaCy model often labels a bare surname
as something else (NORP, ORG); a single word that is the surname of a person named in
the article is relabelled PERSON.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

from pipeline.enrich.base import Record
from pipeline.enrich.nlp import ParsedFieldEnricher
from pipeline.enrich.quotes.lexicon import TITLES

LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
_SURNAME_RELABEL = frozenset({"NORP", "ORG", "GPE", "PERSON", "PRODUCT", "WORK_OF_ART"})
_LEADING = frozenset({"the", "a", "an"})
_TITLE_WORDS = frozenset(t.strip(".") for t in TITLES)
_PERSON_TITLES = frozenset(
    """
    mr mrs ms dr prof sen rep gov gen lt col sgt capt adm rev sir dame lord lady president
    secretary senator representative congressman congresswoman governor general admiral
    minister chancellor premier mayor judge justice ambassador chairman chairwoman director
    commissioner spokesman spokeswoman spokesperson chief officer sheriff professor commander
    lieutenant colonel sergeant captain major pope king queen prince princess pastor bishop
    """.split()
)


def _trimmed(ent: Span) -> Span:
    start = ent.start
    while start < ent.end - 1 and ent.doc[start].lower_ in _LEADING:
        start += 1
    end = ent.end
    # Possessives and stray punctuation the model takes along (`Associated Press (`).
    while end > start + 1 and (
        ent.doc[end - 1].text in ("'s", "’s", "'", "’") or ent.doc[end - 1].is_punct
    ):
        end -= 1
    return ent.doc[start:end]


def _name_part(span: Span) -> Span | None:
    """The name inside a person mention: "US Defense Secretary Jim Mattis" -> "Jim Mattis"."""
    start = span.start
    while start < span.end and span.doc[start].lower_.strip(".") in _TITLE_WORDS:
        start += 1
    if start >= span.end or not span.doc[span.end - 1].text[:1].isupper():
        return None
    return span.doc[start : span.end]


def _titled_person(span: Span) -> bool:
    """`British General Felix Gedney` tagged ORG: a title followed by a proper name."""
    name = _name_part(span)
    if name is None or name.start == span.start or len(name) < 2:
        return False
    titles = {t.lower_.strip(".") for t in span.doc[span.start : name.start]}
    return bool(titles & _PERSON_TITLES) and all(t.pos_ == "PROPN" for t in name)


def _longer(candidate: str, known: str) -> bool:
    # Prefer more words, then mixed case over a capitals-only dateline ("WASHINGTON").
    return (len(candidate.split()), not candidate.isupper(), len(candidate)) > (
        len(known.split()),
        not known.isupper(),
        len(known),
    )


def extract_entities(doc: Doc) -> list[dict[str, Any]]:
    """Entities of a parsed body, with in-article canonical names."""
    found: list[tuple[str, Span]] = []
    for ent in doc.ents:
        span = _trimmed(ent)
        label = LABELS.get(ent.label_)
        if label != "PERSON" and ent.label_ in _SURNAME_RELABEL and _titled_person(span):
            label = "PERSON"
        if label is not None and span.text.strip():
            found.append((label, span))
    people: dict[str, str] = {}
    for label, span in found:
        name = _name_part(span) if label == "PERSON" else None
        if name is not None:
            key = name[-1].lower_
            if _longer(name.text, people.get(key, "")):
                people[key] = name.text
    relabelled = []
    for ent in doc.ents:
        span = _trimmed(ent)
        surname = len(span) == 1 and ent.label_ in _SURNAME_RELABEL - {"PERSON"}
        if surname and span.text.lower() in people:
            relabelled.append(span)
    found = [(lab, sp) for lab, sp in found if sp not in relabelled]
    found += [("PERSON", sp) for sp in relabelled]
    found.sort(key=lambda item: item[1].start)
    fullest: dict[tuple[str, str], str] = {}
    for label, span in found:
        key = (label, span[-1].lower_)
        if label != "PERSON" and _longer(span.text, fullest.get(key, "")):
            fullest[key] = span.text
    entities = []
    for label, span in found:
        if label == "PERSON":
            name = _name_part(span)
            canonical = people.get(span[-1].lower_) or (
                name.text if name is not None else span.text
            )
        else:
            canonical = fullest.get((label, span[-1].lower_), span.text)
        entities.append(
            {
                "text": span.text,
                "label": label,
                "canonical": canonical,
                "start": span.start_char,
                "end": span.end_char,
            }
        )
    return entities


class EntityEnricher(ParsedFieldEnricher):
    name = "entities.spacy.v1"
    field = "entities"

    def extract(self, record: Record, doc: Doc) -> list[dict]:
        entities = extract_entities(doc)
        # The small model often takes the agency of a dateline (`WASHINGTON (Sputnik) —`) for
        # a person; the dateline says what it is.
        agency = (record.get("dateline") or {}).get("agency")
        for entity in entities:
            if agency and entity["text"] == agency:
                entity["label"] = "ORG"
                entity["canonical"] = agency
        return entities
