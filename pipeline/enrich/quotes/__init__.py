"""Quotes with speakers (`quotes.rules.v1`): direct, partial, indirect and mixed quotes of
a body, one record per attribution, each speaker linked to the article's entities.

`extract_quotes(text, doc)` is the pure function; `QuoteEnricher` runs it over a batch,
sharing spaCy parses with the entity enricher through `pipeline.enrich.nlp`.
"""

from pipeline.enrich.quotes.enricher import QuoteEnricher
from pipeline.enrich.quotes.extract import extract_quotes

__all__ = ["QuoteEnricher", "extract_quotes"]
