"""What the worker does with a kill, a withhold or an embargo: pure rules, no I/O.

* A withdrawal (status `canceled` or `withheld`) is not enriched: it becomes a withdrawal
  record (`withdrawal_record`), a `news.enriched.v1` record with that status and an empty body
  and enrichment, indexed under the article's id (so the article leaves every search, and its
  nested quotes with it) and published on `news.enriched.v1`, with one quote withdrawal
  (`quote_withdrawal`) on `news.quote.v1`, so consumers remove the article and its quotes.
  A kill is indexed with `KILL_VERSION` (`pipeline/contracts/pubstatus.py`): nothing but
  another kill overwrites it, whatever the order of arrival.
* An embargoed article is enriched and indexed like any other (searches filter it out until
  `embargoed_until`), but `outputs` publishes nothing for it while the embargo holds; the
  scheduled release (`pipeline/worker/embargo.py`) publishes it when the time comes.

`outputs` decides after Elasticsearch acknowledged the write, so an embargo that ended while
the write was in flight is published at once rather than missed by the release scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pipeline.contracts import schemas
from pipeline.contracts.pubstatus import is_embargoed, is_withdrawal, status_of
from pipeline.contracts.timestamps import utc_now
from pipeline.enrich.runner import quote_records, skeleton

Record = dict[str, Any]


def split(articles: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """(to enrich, withdrawals). Anything that is not a dict goes to the runner (it fails there)."""
    enrich, withdraw = [], []
    for article in articles:
        (withdraw if isinstance(article, dict) and is_withdrawal(article) else enrich).append(
            article
        )
    return enrich, withdraw


def withdrawal_record(article: Record, *, model: str, version: str) -> Record:
    """The `news.enriched.v1` record that withdraws an article: ids and status, no content."""
    record = skeleton(article)
    record.pop("targets", None)
    record["body"] = ""
    record["status"] = status_of(article)
    record["enriched_at"] = utc_now()
    record["enrichment"] = {
        "status": "done",  # final as it is: a withdrawal is never enriched
        "model": model,
        "version": version,
        "took_ms": 0.0,
        "enrichers": [],
    }
    return record


def quote_withdrawal(record: Record) -> Record:
    """One `news.quote.v1` record withdrawing every quote of the article."""
    return {
        "schema": schemas.QUOTE,
        "quote_id": f"{record['id']}:*",
        "article_id": record["id"],
        "status": status_of(record),
        "headline": record.get("headline"),
        "url": record.get("url"),
        "source": record.get("source"),
        "published_at": record.get("published_at"),
    }


def outputs(record: Record, now: datetime) -> list[tuple[str, Record]]:
    """What to publish for an indexed record: (`enriched` | `quote`, record) pairs, in order.

    A withdrawal: itself and its quote withdrawal. Held by an embargo at `now`: nothing.
    Otherwise the enriched record and one record per quote.
    """
    if is_withdrawal(record):
        return [("enriched", record), ("quote", quote_withdrawal(record))]
    if is_embargoed(record, now):
        return []
    return [("enriched", record)] + [("quote", q) for q in quote_records(record)]
