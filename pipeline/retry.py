"""Capped exponential backoff with full jitter (sleep a random time in [0, min(cap, base * 2^n)]).

Full jitter spreads the retries of many workers hitting one overloaded Elasticsearch or
broker, instead of having them all come back at the same instant.
"""

from __future__ import annotations

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
