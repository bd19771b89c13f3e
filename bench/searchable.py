"""When each article first became searchable: Elasticsearch polled for the ids still unseen.

"Searchable" is what a user's search sees: a document in a refreshed segment, any
enrichment status. The poller asks every `every_s` for the ids it still waits for, so the
time it records is at most `every_s` late (a 0.1 s bias, stated with the numbers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable


class Searchable:
    def __init__(self, url: str, alias: str, every_s: float = 0.1) -> None:
        from elasticsearch import Elasticsearch

        self.es = Elasticsearch(url)
        self.alias = alias
        self.every_s = every_s
        self.seen: dict[str, float] = {}
        self.done: dict[str, float] = {}
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def watch(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._waiting.update(ids)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            with self._lock:
                waiting = [i for i in self._waiting if i not in self.done][:10_000]
            if not waiting:
                continue
            try:
                hits = self.es.search(
                    index=self.alias,
                    query={"ids": {"values": waiting}},
                    source=["enrichment.status"],
                    size=len(waiting),
                )["hits"]["hits"]
            except Exception:  # the alias may not exist yet
                continue
            now = time.time()
            for hit in hits:
                self.seen.setdefault(hit["_id"], now)
                if (hit["_source"].get("enrichment") or {}).get("status") == "done":
                    self.done.setdefault(hit["_id"], now)

    def wait(self, ids: Iterable[str], timeout: float, enriched: bool = False) -> bool:
        ids = list(ids)
        deadline = time.monotonic() + timeout
        target = self.done if enriched else self.seen
        while time.monotonic() < deadline:
            if all(i in target for i in ids):
                return True
            time.sleep(0.1)
        return False
