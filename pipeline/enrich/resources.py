"""Models shared by several enrichers (the transformer encoder, the spaCy pipeline).

One `Resources` per worker: each model is built on first use and kept, so two
enrichers that need the encoder share one copy. Nothing is loaded at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pipeline.settings import EnrichSettings

T = TypeVar("T")


@dataclass
class Resources:
    settings: EnrichSettings = field(default_factory=EnrichSettings)
    background_threads: int = 0
    """Threads the chain keeps busy beside the encoder (the runner's prefetch of the spaCy
    parse); `registry.build` sets it before any model loads."""
    _built: dict[str, Any] = field(default_factory=dict, repr=False)

    def encoder_threads(self) -> int:
        """The encoder's threads: the setting, else the cores the background leaves (min 1).

        On 2 cores, an encoder on 1 thread beside the parse on the other ran the full
        chain 1.10-1.15x faster than both contending for both cores (issue 8)."""
        if self.settings.encoder_threads:
            return self.settings.encoder_threads
        return max(1, (os.cpu_count() or 1) - self.background_threads)

    def shared(self, key: str, build: Callable[[], T]) -> T:
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]
