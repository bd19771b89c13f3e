"""`GET /healthz` needs no token, so it must cost almost nothing: one cached Kafka probe at most
per cache period, in its own thread (never the pool that waits for Kafka's acknowledgements),
and a per-client rate limit."""

from __future__ import annotations

import asyncio
import threading

from aiohttp.test_utils import TestClient, TestServer

from connectors.http_push import create_app
from connectors.settings import HttpPushSettings


def _gets(producer, settings: HttpPushSettings, count: int, concurrent: bool) -> list[int]:
    app = create_app(producer, settings)

    async def main() -> list[int]:
        async with TestClient(TestServer(app)) as client:

            async def one() -> int:
                response = await client.get("/healthz")
                await response.read()
                return response.status

            if concurrent:
                return list(await asyncio.gather(*(one() for _ in range(count))))
            return [await one() for _ in range(count)]

    return asyncio.run(main())


def _counting(producer, monkeypatch) -> list[str]:
    threads: list[str] = []

    def connected(timeout_s: float = 2.0) -> bool:
        threads.append(threading.current_thread().name)
        return True

    monkeypatch.setattr(producer, "connected", connected)
    return threads


def test_many_healthz_requests_probe_kafka_once_per_cache_period(producer, monkeypatch) -> None:
    probes = _counting(producer, monkeypatch)
    settings = HttpPushSettings(health_cache_s=3600, health_rate_per_s=1000, health_rate_burst=1000)
    statuses = _gets(producer, settings, 40, concurrent=True)
    statuses += _gets(producer, settings, 0, concurrent=False)  # a fresh app probes afresh
    assert statuses == [200] * 40
    assert len(probes) == 1


def test_healthz_probe_does_not_run_in_the_default_executor(producer, monkeypatch) -> None:
    probes = _counting(producer, monkeypatch)
    _gets(producer, HttpPushSettings(), 1, concurrent=False)
    assert probes and all(name.startswith("wirestream-healthz") for name in probes)


def test_healthz_is_rate_limited_per_client(producer, monkeypatch) -> None:
    _counting(producer, monkeypatch)
    settings = HttpPushSettings(health_rate_per_s=0.001, health_rate_burst=3)
    statuses = _gets(producer, settings, 6, concurrent=False)
    assert statuses[:3] == [200, 200, 200]
    assert set(statuses[3:]) == {429}
