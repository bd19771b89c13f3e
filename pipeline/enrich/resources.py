"""Models shared by several enrichers (the transformer encoder, the spaCy pipeline).

One `Resources` per worker: each model is built on first use and kept, so two
enrichers that need the encoder share one copy. Nothing is loaded at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pipeline.settings import EnrichSettings

T = TypeVar("T")


@dataclass
class Resources:
    settings: EnrichSettings = field(default_factory=EnrichSettings)
    _built: dict[str, Any] = field(default_factory=dict, repr=False)

    def shared(self, key: str, build: Callable[[], T]) -> T:
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]
