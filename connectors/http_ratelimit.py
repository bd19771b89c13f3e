"""Per-client rate limit of the push endpoint: a token bucket per remote address (429 beyond)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web


class RateLimiter:
    """`rate_per_s` requests per second per client with bursts up to `burst`.

    Clients are keyed by the remote address; the table is bounded (least recently seen clients
    are forgotten first) so a flood of source addresses cannot grow memory without limit.
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.max_clients, self.clock = rate_per_s, burst, max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = self.clock()
        tokens, seen = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - seen) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed

    async def check(self, request: web.Request) -> None:
        """The `authorize`-hook shape: raises 429 when the client is over its rate."""
        if not self.allow(request.remote or "-"):
            retry = max(1, int(1 / self.rate)) if self.rate > 0 else 60
            raise web.HTTPTooManyRequests(
                reason="too many requests; slow down", headers={"Retry-After": str(retry)}
            )
