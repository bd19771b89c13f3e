"""`quotes.rules.v1`: fills `quotes` of every English record of a batch."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.enrich.base import Record, is_english
from pipeline.enrich.nlp import shared_docs
from pipeline.enrich.quotes.extract import extract_quotes
from pipeline.enrich.resources import Resources


class QuoteEnricher:
    name = "quotes.rules.v1"

    def __init__(self, resources: Resources | None = None) -> None:
        self.resources = resources or Resources()
        self.docs = shared_docs(self.resources)

    def enrich(self, records: Sequence[Record]) -> None:
        english = [r for r in records if is_english(r)]
        for record in records:
            if not is_english(record):
                record["quotes"] = []
        if not english:
            return
        for record, doc in zip(english, self.docs.docs(english), strict=True):
            record["quotes"] = extract_quotes(record.get("body") or "", doc)
