"""The one interface every enricher implements.

An enricher is registered under a versioned name (`topic.minilm.v2`), loads its models
when it is constructed (never at import time), and fills fields of a batch of
`news.enriched.v1` records in place. Enrichers run in the order the pipeline lists them,
so a later one can read what an earlier one wrote (e.g. `language` before `topics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

Record = dict[str, Any]


@runtime_checkable
class Enricher(Protocol):
    name: str
    """Versioned, e.g. `quotes.rules.v1`; written into `enrichment.enrichers` of every record."""

    def enrich(self, records: Sequence[Record]) -> None:
        """Fill this enricher's fields on every record of the batch.

        Raise only for a failure of the whole batch; the pipeline then retries the
        records one at a time so a single bad article is dead-lettered alone.
        """
        ...


def is_english(record: Record) -> bool:
    return record.get("language") == "en"


@runtime_checkable
class Prefetching(Protocol):
    """An enricher whose expensive preparation can run while earlier enrichers still work.

    The runner calls `prefetch` in a background thread as soon as every enricher named in
    `prefetch_after` (those in the chain) has finished with the batch, and `enrich` later
    in chain order as usual. `prefetch` only warms a cache: `enrich` must give the same
    result without it, and a prefetch that fails is ignored.
    """

    name: str
    prefetch_after: frozenset[str]

    def prefetch(self, records: Sequence[Record]) -> None: ...
