"""Capped exponential backoff with full jitter (sleep a random time in [0, min(cap, base * 2^n)]).

Full jitter spreads the retries of many workers hitting one overloaded Elasticsearch or
broker, instead of having them all come back at the same instant.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    initial_s: float = 0.2
    max_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def ceiling(self, attempt: int) -> float:
        """The largest delay after failed attempt number `attempt` (0-based)."""
        return min(self.max_s, self.initial_s * (2 ** min(attempt, 62)))

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0.0, self.ceiling(attempt))


class Stopping(Exception):
    """The process is shutting down: stop retrying and abandon the work in hand."""


class StopSignal:
    """Set on SIGTERM; retry loops sleep through it so a shutdown interrupts their backoff."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def sleep(self, seconds: float) -> None:
        """Like `asyncio.sleep`, but raises `Stopping` as soon as the signal is set."""
        if self._event.is_set():
            raise Stopping()
        try:
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        except TimeoutError:
            return
        raise Stopping()
