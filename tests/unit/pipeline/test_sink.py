"""The Elasticsearch sink judges every document of a bulk on its own."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, ConnectionError, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from pipeline.settings import ElasticsearchSettings
from pipeline.sinks.elasticsearch import (
    ElasticsearchSink,
    SinkUnavailable,
    bulk_operations,
    classify,
)
from pipeline.worker.retry import Backoff


def doc(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"{n:032x}", "body": "x", **extra}


def item(status: int, error_type: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": status}
    if error_type:
        entry["error"] = {"type": error_type, "reason": f"because {error_type}"}
    return {"index": entry}


class FakeClient:
    """Answers each bulk call with the next scripted outcome: a list of statuses or an exception."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.calls: list[list[Any]] = []

    async def bulk(self, *, operations: list[Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append(operations)
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return {"errors": True, "items": [outcome(op) for op in operations[1::2]]}


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))
    return ApiError("boom", meta, {"error": {"type": "x"}})


def sink(client: FakeClient, attempts: int = 4) -> ElasticsearchSink:
    async def no_sleep(_: float) -> None:
        return None

    settings = ElasticsearchSettings(retry_attempts=attempts)
    return ElasticsearchSink(client, settings, backoff=Backoff(0.01, 0.02), sleep=no_sleep)


def test_each_item_is_classified_on_its_own():
    assert classify(item(201)["index"]) == "done"
    assert classify(item(409, "version_conflict_engine_exception")["index"]) == "stale"
    assert classify(item(429, "es_rejected_execution_exception")["index"]) == "retry"
    assert classify(item(503, "unavailable_shards_exception")["index"]) == "retry"
    assert classify(item(400, "document_parsing_exception")["index"]) == "reject"
    assert classify(item(400, "strict_dynamic_mapping_exception")["index"]) == "reject"


def test_a_mapping_error_is_rejected_while_the_rest_is_indexed():
    bad = doc(2, extra_field=1)
    client = FakeClient(
        lambda d: item(400, "strict_dynamic_mapping_exception") if "extra_field" in d else item(201)
    )
    result = asyncio.run(sink(client).write([doc(1), bad, doc(3)]))
    assert result.indexed == [doc(1)["id"], doc(3)["id"]]
    assert [r.document for r in result.rejected] == [bad]
    assert "strict_dynamic_mapping_exception" in result.rejected[0].message
    assert len(client.calls) == 1


def test_throttled_documents_are_retried_alone():
    first = iter([item(201), item(429, "es_rejected_execution_exception")])
    client = FakeClient(lambda d: next(first), lambda d: item(201))
    result = asyncio.run(sink(client).write([doc(1), doc(2)]))
    assert sorted(result.indexed) == sorted([doc(1)["id"], doc(2)["id"]])
    assert result.attempts == 2
    assert len(client.calls[1]) == 2  # only the throttled document went again


def test_connection_errors_and_5xx_are_retried_then_succeed():
    client = FakeClient(ConnectionError("refused"), api_error(503), lambda d: item(200))
    result = asyncio.run(sink(client).write([doc(1)]))
    assert result.indexed == [doc(1)["id"]] and result.attempts == 3


def test_giving_up_raises_sink_unavailable_with_the_pending_documents():
    client = FakeClient(*[ConnectionError("refused")] * 3)
    with pytest.raises(SinkUnavailable) as caught:
        asyncio.run(sink(client, attempts=3).write([doc(1), doc(2)]))
    assert [d["id"] for d in caught.value.pending] == [doc(1)["id"], doc(2)["id"]]


def test_a_client_error_of_the_whole_request_is_not_retried():
    client = FakeClient(api_error(401))
    with pytest.raises(ApiError):
        asyncio.run(sink(client).write([doc(1)]))
    assert len(client.calls) == 1


class VersionedIndex(FakeClient):
    """Elasticsearch's external versioning over stored versions: a 409 for a version below the
    stored one (`external_gte`), or not above it (`external`)."""

    def __init__(self, stored: dict[str, int]) -> None:
        super().__init__()
        self.stored = dict(stored)

    async def bulk(self, *, operations: list[Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append(operations)
        items = []
        for action in operations[::2]:
            meta = action["index"]
            held = self.stored.get(meta["_id"])
            version = meta.get("version")
            gte = meta.get("version_type") == "external_gte"
            if (
                held is not None
                and version is not None
                and (version < held if gte else version <= held)
            ):
                items.append(item(409, "version_conflict_engine_exception"))
            else:
                self.stored[meta["_id"]] = meta.get("version", 0)
                items.append(item(201))
        return {"errors": True, "items": items}


def test_an_older_revision_is_stale_not_an_error():
    index = VersionedIndex({doc(1)["id"]: 6, doc(2)["id"]: 6})
    result = asyncio.run(sink(index).write([doc(1, revision=5), doc(2, revision=7)]))
    assert result.stale == [doc(1)["id"]] and not result.rejected
    assert [d["revision"] for d in result.stale_documents] == [5]
    assert result.indexed == [doc(2)["id"]]
    assert index.stored == {doc(1)["id"]: 6, doc(2)["id"]: 7}


def test_the_same_revision_again_overwrites_rather_than_conflicts():
    index = VersionedIndex({doc(1)["id"]: 6})
    result = asyncio.run(sink(index).write([doc(1, revision=6)]))
    assert result.indexed == [doc(1)["id"]] and not result.stale


def test_revisions_become_external_gte_versions_and_ids_come_from_the_article():
    ops = bulk_operations("news", [doc(1, revision=7), doc(2)])
    assert ops[0] == {
        "index": {
            "_index": "news",
            "_id": doc(1)["id"],
            "version": 7,
            "version_type": "external_gte",
        }
    }
    assert ops[2] == {"index": {"_index": "news", "_id": doc(2)["id"]}}


def test_backoff_is_capped_with_full_jitter():
    backoff = Backoff(0.5, 4.0)
    assert [backoff.ceiling(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(0 <= backoff.delay(n) <= backoff.ceiling(n) for n in range(50))


def test_a_request_too_large_is_halved_until_it_fits_and_a_lone_giant_is_rejected():
    class SizeLimited(FakeClient):
        async def bulk(self, *, operations, **kwargs):
            self.calls.append(operations)
            docs = operations[1::2]
            if len(docs) > 2 or any(d["body"] == "giant" for d in docs):
                raise api_error(413)
            return {"items": [item(201) for _ in docs]}

    docs = [doc(1), doc(2), doc(3), doc(4, body="giant"), doc(5)]
    result = asyncio.run(sink(SizeLimited()).write(docs))
    assert sorted(result.indexed) == sorted(d["id"] for d in docs if d["body"] != "giant")
    assert [r.document["id"] for r in result.rejected] == [doc(4)["id"]]
    assert result.rejected[0].status == 413


def test_a_stop_signal_ends_a_backoff_sleep_at_once():
    from pipeline.worker.retry import Stopping, StopSignal

    async def go() -> None:
        stop = StopSignal()
        asyncio.get_running_loop().call_later(0.05, stop.set)
        # An hour-long backoff: only the signal can end it; the bound only guards a hang.
        with pytest.raises(Stopping):
            await asyncio.wait_for(stop.sleep(3600), timeout=30)

    asyncio.run(go())


def test_a_backoff_sleep_after_the_stop_signal_raises_at_once():
    from pipeline.worker.retry import Stopping, StopSignal

    async def go() -> None:
        stop = StopSignal()
        stop.set()
        with pytest.raises(Stopping):
            await asyncio.wait_for(stop.sleep(3600), timeout=30)

    asyncio.run(go())


def test_a_stop_signal_interrupts_a_sink_retrying_forever():
    from pipeline.worker.retry import Stopping, StopSignal

    async def go() -> None:
        stop = StopSignal()
        client = FakeClient(*[ConnectionError("refused")] * 1000)
        sink = ElasticsearchSink(
            client,
            ElasticsearchSettings(retry_attempts=2),
            backoff=Backoff(0.01, 0.02),
            sleep=stop.sleep,
        )
        asyncio.get_running_loop().call_later(0.2, stop.set)
        with pytest.raises(Stopping):
            await sink.write([doc(1)], forever=True)

    asyncio.run(go())
