"""`quotes.rules.v1`: fills `quotes` of every English record of a batch."""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.enrich.base import Record
from pipeline.enrich.nlp import ParsedFieldEnricher
from pipeline.enrich.quotes.extract import extract_quotes


class QuoteEnricher(ParsedFieldEnricher):
    name = "quotes.rules.v1"
    field = "quotes"

    def extract(self, record: Record, doc: Doc) -> list[dict]:
        # The entity enricher runs first in the default chain; its list (with the
        # dateline fix-ups) is the one speakers link to.
        return extract_quotes(record.get("body") or "", doc, record.get("entities"))
