"""The `Source` interface: what a connector reads from, as batches of results it can resume.

A source yields batches of `ParseResult` (articles or errors: errors are data, never exceptions
that stop the connector). After a batch has been delivered (the broker acknowledged every record
or its dead letter), the runner asks the source for a `snapshot()` of its position and persists
it; on restart, or when a delivery failed, `resume(state)` puts the source back at the last
persisted position. So a source only advances past what is safely on Kafka.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from connectors.formats import ParseResult

__all__ = ["ParseResult", "Source"]


class Source(ABC):
    """Iterates batches of results; can snapshot and resume its position."""

    #: a short name for logs and state files
    name: str = "source"

    @abstractmethod
    def batches(self) -> Iterator[list[ParseResult]]:
        """Batches of results; a long-running source blocks between batches and ends on `stop()`."""

    def snapshot(self) -> dict[str, Any]:
        """The position after the last batch yielded (JSON-serialisable)."""
        return {}

    def resume(self, state: dict[str, Any]) -> None:  # noqa: B027 - optional hook
        """Go back to a position returned by `snapshot()` (possibly from an earlier process)."""

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Ask a long-running source to end after the current batch."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files, sockets, clients."""
