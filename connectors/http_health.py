"""`GET /healthz` of the push endpoint: a cached, rate-limited Kafka probe.

The endpoint needs no token (orchestrators probe it), so every request must cost almost nothing.
Probing Kafka means a TCP connect that can block for seconds: it runs at most once per
`health_cache_s` (concurrent requests wait for the one probe in flight instead of starting their
own), in a dedicated one-thread executor so that a flood of probes can never occupy the default
executor, where the push handler waits for Kafka's acknowledgements. A per-client token bucket
answers 429 beyond `health_rate_per_s`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from connectors.http_ratelimit import RateLimiter


class CachedProbe:
    """`await probe()`: the probe's last answer while younger than `ttl_s`, else a fresh one."""

    def __init__(
        self, probe: Callable[[], bool], ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.probe, self.ttl_s, self.clock = probe, ttl_s, clock
        self._answer: bool | None = None
        self._at = float("-inf")
        self._lock: asyncio.Lock | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wirestream-healthz")

    def _fresh(self) -> bool:
        return self._answer is not None and self.clock() - self._at < self.ttl_s

    async def __call__(self) -> bool:
        if self._fresh():
            return bool(self._answer)
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one probe in flight; the others take its answer
            if not self._fresh():
                loop = asyncio.get_running_loop()
                self._answer = bool(await loop.run_in_executor(self._executor, self.probe))
                self._at = self.clock()
        return bool(self._answer)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def healthz_handler(probe: CachedProbe, limiter: RateLimiter) -> Callable[..., object]:
    """The aiohttp handler: 429 over the rate, else 200/503 from the cached probe."""

    async def healthz(request: web.Request) -> web.Response:
        if not limiter.allow(request.remote or "-"):
            return web.json_response(
                {"error": "too many requests; slow down"}, status=429, headers={"Retry-After": "1"}
            )
        if not await probe():
            return web.json_response({"status": "unavailable", "kafka": False}, status=503)
        return web.json_response({"status": "ok", "kafka": True})

    return healthz
