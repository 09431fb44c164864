"""Things built from database rows, kept per process with a fingerprint of the rows they came from.

A page or feed asks the database for a cheap fingerprint of its rows (a count, the newest
updated_at) and reuses what it built before when the fingerprint is unchanged: the reuse is
exact, because what is kept follows only from those rows. Each application in each worker
process has its own caches, so a new release never serves what the previous one built.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app


class FingerprintCache:
    """At most size values, least recently used dropped first, each under a key and a fingerprint."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()  # a worker may serve requests on several threads

    def get(self, key: Hashable, fingerprint: Hashable) -> Any | None:
        """The value kept under key if it was built from rows with this fingerprint, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != fingerprint:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def latest(self, key: Hashable) -> Any | None:
        """The value kept under key, whatever its fingerprint."""
        with self._lock:
            entry = self._entries.get(key)
            return entry[1] if entry is not None else None

    def put(self, key: Hashable, fingerprint: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (fingerprint, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def app_cache(name: str, size: int) -> FingerprintCache:
    """The current application's cache called name (created with room for size values)."""
    caches: dict[str, FingerprintCache] = current_app.extensions.setdefault("fingerprint_caches", {})
    if name not in caches:
        caches[name] = FingerprintCache(size)
    return caches[name]
