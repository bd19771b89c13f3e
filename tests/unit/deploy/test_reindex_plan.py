"""The reindex picks the next free version and swaps the alias in one `_aliases` call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from pipeline.ops import reindex as reindex_module
from pipeline.ops.reindex import ReindexError, next_index_name, reindex
from pipeline.settings import ElasticsearchSettings


def test_next_index_name_follows_the_highest_existing_version():
    assert next_index_name("news-v", ["news-v1"]) == "news-v2"
    assert next_index_name("news-v", ["news-v2", "news-v10", "news-v3"]) == "news-v11"


def test_next_index_name_ignores_other_names_and_starts_at_one():
    assert next_index_name("news-v", []) == "news-v1"
    assert next_index_name("news-v", ["news-vx", "news-v2-old", "other-v9"]) == "news-v1"


class Response(SimpleNamespace):
    @property
    def body(self) -> Any:
        return self.value


class FakeIndices:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def exists_alias(self, name):
        return True

    def get_alias(self, name):
        return Response(value={"news-v1": {"aliases": {name: {"is_write_index": True}}}})

    def get(self, index, **_):
        return Response(value={"news-v1": {}})

    def get_mapping(self, index):
        return Response(value={index: {"mappings": {"properties": {"id": {"type": "keyword"}}}}})

    def __getattr__(self, name):
        def record(**kwargs):
            self.calls.append((name, kwargs))
            return Response(value={})

        return record


class FakeElasticsearch:
    """Answers like a cluster with the reindex module: the task completes on the 3rd poll."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.indices = FakeIndices(self.calls)
        self.polls = 0
        self.tasks = SimpleNamespace(get=self._get_task)

    def reindex(self, **kwargs):
        self.calls.append(("reindex", kwargs))
        return {"task": "node:1"}

    def _get_task(self, task_id):
        self.polls += 1
        done = self.polls % 3 == 0
        value = {"completed": done, "task": {"status": {"total": 5, "created": 5 if done else 2}}}
        if done:
            value["response"] = {"created": 5, "updated": 0, "failures": []}
        return Response(value=value)


def test_server_side_reindex_runs_as_a_task_polled_to_completion_then_swaps_atomically():
    es = FakeElasticsearch()
    result = reindex(es, ElasticsearchSettings(), catch_up=False, poll_s=0)
    assert (result.source, result.dest, result.copied) == ("news-v1", "news-v2", 5)
    (started,) = [kw for name, kw in es.calls if name == "reindex"]
    assert started["wait_for_completion"] is False
    assert started["dest"] == {"index": "news-v2", "version_type": "external"}
    assert es.polls == 3
    swaps = [kw for name, kw in es.calls if name == "update_aliases"]
    assert swaps == [
        {
            "actions": [
                {"remove": {"index": "news-v1", "alias": "news"}},
                {"add": {"index": "news-v2", "alias": "news", "is_write_index": True}},
            ]
        }
    ]
    assert not [kw for name, kw in es.calls if name == "delete"]


def test_a_failed_copy_leaves_the_alias_alone_and_drops_the_partial_index():
    es = FakeElasticsearch()

    def failing(task_id):
        return Response(value={"completed": True, "error": {"type": "boom"}})

    es.tasks.get = failing
    es.options = lambda **_: es
    with pytest.raises(ReindexError, match="boom"):
        reindex(es, ElasticsearchSettings(), poll_s=0)
    names = [name for name, _ in es.calls]
    assert "update_aliases" not in names
    assert ("delete", {"index": "news-v2"}) in es.calls


# The local Elasticsearch (integ-test-zip) has no reindex module, so the integration test
# (tests/integration/deploy/test_reindex.py) only exercises the client-side copy. The
# server-side `_reindex` path is pinned here against a fake client.


def test_server_side_reindex_copies_with_conflicts_proceeding_and_catches_up_after_the_swap():
    es = FakeElasticsearch()
    result = reindex(es, ElasticsearchSettings(), catch_up=True, batch_size=250, poll_s=0)
    copies = [(i, kw) for i, (name, kw) in enumerate(es.calls) if name == "reindex"]
    (swap_at,) = [i for i, (name, _) in enumerate(es.calls) if name == "update_aliases"]
    assert len(copies) == 2, "a first copy, then the catch-up pass"
    (first_at, first), (second_at, second) = copies
    assert first_at < swap_at < second_at
    for started in (first, second):
        assert started["source"] == {"index": "news-v1", "size": 250}
        assert started["dest"] == {"index": "news-v2", "version_type": "external"}
        assert started["conflicts"] == "proceed" and started["slices"] == "auto"
    assert (result.copied, result.caught_up) == (5, 5)


def test_a_server_side_task_with_failures_stops_before_the_swap():
    es = FakeElasticsearch()

    def with_failures(task_id):
        response = {"created": 1, "failures": [{"id": "x", "cause": {"type": "mapper"}}]}
        return Response(value={"completed": True, "response": response})

    es.tasks.get = with_failures
    es.options = lambda **_: es
    with pytest.raises(ReindexError, match="mapper"):
        reindex(es, ElasticsearchSettings(), poll_s=0)
    assert "update_aliases" not in [name for name, _ in es.calls]


def api_error(status: int, message: str) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))
    return ApiError(message, meta, {"error": message})


@pytest.mark.parametrize("status", [404, 405])
def test_without_the_reindex_module_the_copy_falls_back_to_this_process(monkeypatch, status):
    es = FakeElasticsearch()

    def no_module(**kwargs):
        raise api_error(status, "no handler found for uri [/_reindex] and method [POST]")

    es.reindex = no_module
    client_copies: list[tuple[str, str]] = []

    def client_copy(es_, source, dest, batch_size, progress):
        client_copies.append((source, dest))
        return {"created": 4, "updated": 0, "version_conflicts": 0}

    monkeypatch.setattr(reindex_module, "_client_copy", client_copy)
    result = reindex(es, ElasticsearchSettings(), catch_up=False, poll_s=0)
    assert client_copies == [("news-v1", "news-v2")] and result.copied == 4


@pytest.mark.parametrize(
    ("status", "message"),
    [(400, "no handler found for uri [/_reindex]"), (404, "index_not_found_exception [news-v1]")],
)
def test_other_reindex_errors_are_not_mistaken_for_a_missing_module(monkeypatch, status, message):
    es = FakeElasticsearch()

    def refused(**kwargs):
        raise api_error(status, message)

    es.reindex = refused
    es.options = lambda **_: es
    monkeypatch.setattr(
        reindex_module, "_client_copy", lambda *a: pytest.fail("fell back to the client copy")
    )
    with pytest.raises(ApiError):
        reindex(es, ElasticsearchSettings(), catch_up=False, poll_s=0)
    assert "update_aliases" not in [name for name, _ in es.calls]
