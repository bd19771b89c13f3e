"""Publication status: the vocabulary and the rules every side applies the same way.

Wire agencies send instructions about stories as well as stories: a kill ("do not use"), an
embargo ("not before 14:00 GMT"), a correction. Connectors read them from each format
(`connectors/pubstatus.py`); the worker, the sink, `wirestream search` and the Kibana objects
apply the rules below. They live here, in the contracts, so that the one rule is written once:

* `status`: `usable` (the default when absent), `withheld` (do not use for now; a later
  revision may make it usable again), `canceled` (killed / withdrawn: final).
* A `canceled` record is indexed with the Elasticsearch external version `KILL_VERSION`, the
  largest signed long, above any revision. Elasticsearch's own `external_gte` guard then
  refuses every later write for that id except another kill: an earlier revision arriving
  after the kill, or a story arriving after a kill that named it in advance, stays dead. (No
  painless script needed; the local Elasticsearch has none.)
* `embargoed_until`: before that instant the article is indexed but hidden from default
  searches and not published on the output topics.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

USABLE = "usable"
WITHHELD = "withheld"
CANCELED = "canceled"
STATUSES = (USABLE, WITHHELD, CANCELED)
HIDDEN_STATUSES = (WITHHELD, CANCELED)  # not searchable, a withdrawal record goes out
KILL_VERSION = 2**63 - 1  # Elasticsearch versions are signed longs; nothing overtakes this


def status_of(record: dict[str, Any]) -> str:
    """The record's status; `usable` when the record says nothing."""
    status = record.get("status")
    return status if status in STATUSES else USABLE


def is_withdrawal(record: dict[str, Any]) -> bool:
    """A kill (final) or a withhold: the article must disappear downstream."""
    return status_of(record) in HIDDEN_STATUSES


def index_version(record: dict[str, Any]) -> int | None:
    """The external version to index a record with, or None (no guard)."""
    if status_of(record) == CANCELED:
        return KILL_VERSION
    revision = record.get("revision")
    return revision if isinstance(revision, int) and not isinstance(revision, bool) else None


def parse_instant(value: object) -> datetime | None:
    """An RFC 3339 timestamp as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def embargo_of(record: dict[str, Any]) -> datetime | None:
    return parse_instant(record.get("embargoed_until"))


def is_embargoed(record: dict[str, Any], now: datetime) -> bool:
    """Held: its embargo has not passed yet at `now`."""
    until = embargo_of(record)
    return until is not None and until > now


def is_visible(record: dict[str, Any], now: datetime) -> bool:
    """What a default search (and the saved Kibana searches) shows: usable and not embargoed.

    `pipeline/search/query.py` and `deploy/kibana/build_saved_objects.py` express this same
    rule as Elasticsearch filters; the unit tests check them against this function.
    """
    return status_of(record) == USABLE and not is_embargoed(record, now)
