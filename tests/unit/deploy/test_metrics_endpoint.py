"""The metrics server exposes the pipeline metrics and answers liveness and readiness probes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pipeline.observability.health import Health, tcp_reachable
from pipeline.observability.lag import compute_lag
from pipeline.observability.metrics import PipelineMetrics, start_metrics_server


def scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def probe(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def served(clock: FakeClock):
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    health = Health(stale_after_s=120, cache_s=0, clock=clock)
    server = start_metrics_server(0, "127.0.0.1", health=health, registry=registry)
    yield metrics, health, server.url
    server.close()


def test_counters_and_histograms_show_up_with_their_names_and_labels(served):
    metrics, _health, url = served
    metrics.articles_in.inc(3)
    metrics.articles_out.inc(2)
    metrics.deadletter.labels(stage="decode").inc()
    metrics.errors.labels(stage="enrich").inc()
    metrics.enrichment_seconds.observe(0.2)
    metrics.es_bulk_seconds.observe(0.05)
    metrics.es_bulk_errors.inc()
    metrics.set_lag("wire.article.v1", {0: 5, 1: 0})
    samples = scrape(url)
    assert samples["wirestream_articles_in_total"] == 3
    assert samples["wirestream_articles_out_total"] == 2
    assert samples["wirestream_deadletter_total{stage=decode}"] == 1
    assert samples["wirestream_errors_total{stage=enrich}"] == 1
    assert samples["wirestream_enrichment_seconds_count"] == 1
    assert samples["wirestream_es_bulk_seconds_count"] == 1
    assert samples["wirestream_es_bulk_errors_total"] == 1
    assert samples["wirestream_consumer_lag{partition=0,topic=wire.article.v1}"] == 5


def test_counts_move_between_two_scrapes(served):
    metrics, _health, url = served
    before = scrape(url)["wirestream_articles_in_total"]
    metrics.articles_in.inc()
    assert scrape(url)["wirestream_articles_in_total"] == before + 1


def test_liveness_fails_once_the_main_loop_stops_beating(served, clock):
    _metrics, health, url = served
    assert probe(f"{url}/healthz")[0] == 200  # nothing beats yet: alive while serving
    health.beat("worker")
    assert probe(f"{url}/healthz") == (200, {"ok": True, "checks": {"worker": True}})
    clock.now += 120  # a beat exactly `stale_after_s` old still counts
    assert probe(f"{url}/healthz") == (200, {"ok": True, "checks": {"worker": True}})
    clock.now += 0.5
    assert probe(f"{url}/healthz") == (503, {"ok": False, "checks": {"worker": False}})
    health.beat("worker")
    assert probe(f"{url}/healthz") == (200, {"ok": True, "checks": {"worker": True}})


def test_readiness_reports_each_check_and_a_raising_check_means_not_ready(served):
    _metrics, health, url = served
    health.set_ready("partitions", True)
    assert probe(f"{url}/readyz") == (200, {"ok": True, "checks": {"partitions": True}})

    def broken() -> bool:
        raise ConnectionError("elasticsearch away")

    health.add_check("elasticsearch", broken)
    status, body = probe(f"{url}/readyz")
    assert status == 503
    assert body["checks"] == {"partitions": True, "elasticsearch": False}


def test_readiness_checks_are_cached_between_probes(clock):
    calls = []
    health = Health(cache_s=60, clock=clock)
    health.add_check("es", lambda: calls.append(1) or True)
    for _ in range(5):
        assert health.readiness()[0]
    assert len(calls) == 1
    clock.now += 60  # the cached answer has expired: the check runs again
    assert health.readiness()[0]
    assert len(calls) == 2


def test_tcp_reachable_tries_every_bootstrap_address(served):
    _metrics, _health, url = served
    port = url.rsplit(":", 1)[1]
    assert tcp_reachable(f"127.0.0.1:9, 127.0.0.1:{port}", timeout_s=1)()
    assert not tcp_reachable("127.0.0.1:9", timeout_s=1)()


def test_lag_is_end_offset_minus_committed_and_uncommitted_partitions_lag_fully():
    assert compute_lag({0: 10, 1: 7, 2: 0}, {0: 4, 1: None}) == {0: 6, 1: 7, 2: 0}
    assert compute_lag({0: 10}, {0: 12}) == {0: 0}
