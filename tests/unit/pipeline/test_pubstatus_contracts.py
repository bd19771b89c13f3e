"""Withdrawal records are valid records, and the AsyncAPI examples of them are too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from pipeline.contracts import schemas
from pipeline.contracts.pubstatus import KILL_VERSION, index_version, is_visible
from pipeline.worker.pubstatus import outputs, quote_withdrawal, withdrawal_record

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
KILL = {
    "schema": "wire.article.v1",
    "id": "ab" * 16,
    "source": "wire",
    "guid": "urn:x:1",
    "headline": "Grain talks",
    "body": "This story has been withdrawn.",
    "received_at": "2026-11-30T12:00:00Z",
    "revision": 5,
    "status": "canceled",
}


def test_a_withdrawal_is_a_valid_enriched_record_without_content():
    record = withdrawal_record(KILL, model="m", version="v")
    schemas.validate(schemas.ENRICHED, record)
    assert record["body"] == "" and record["quotes"] == [] and record["status"] == "canceled"
    schemas.validate(schemas.QUOTE, quote_withdrawal(record))


def test_a_quote_record_without_status_still_needs_its_text():
    with pytest.raises(schemas.SchemaError):
        schemas.validate(
            schemas.QUOTE, {"schema": "news.quote.v1", "quote_id": "a", "article_id": "ab" * 16}
        )


def test_a_kill_outranks_every_revision_and_a_withdrawal_publishes_itself_and_its_quotes():
    assert index_version(KILL) == KILL_VERSION
    assert index_version({**KILL, "status": "withheld"}) == 5
    record = withdrawal_record(KILL, model="m", version="v")
    assert [kind for kind, _ in outputs(record, NOW)] == ["enriched", "quote"]


@pytest.mark.parametrize(
    ("changes", "visible"),
    [
        ({}, True),
        ({"status": "canceled"}, False),
        ({"status": "withheld"}, False),
        ({"embargoed_until": (NOW + timedelta(seconds=1)).isoformat()}, False),
        ({"embargoed_until": NOW.isoformat()}, True),
    ],
)
def test_visibility_is_usable_and_not_under_embargo(changes, visible):
    base = {k: v for k, v in KILL.items() if k != "status"}
    assert is_visible({**base, **changes}, NOW) is visible


def test_the_asyncapi_withdrawal_examples_are_valid_records():
    doc = yaml.safe_load((schemas.schema_dir() / "asyncapi.yaml").read_text(encoding="utf-8"))
    messages = doc["components"]["messages"]
    for name in ("withdrawal", "quoteWithdrawal"):
        for example in messages[name]["examples"]:
            schemas.validate(messages[name]["name"], example["payload"])
