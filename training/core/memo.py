"""Things built from database rows, kept per process with a fingerprint of the rows they came from.

A page or feed asks the database for a cheap fingerprint of its rows (a count, the newest
updated_at) and reuses what it built before when the fingerprint is unchanged: the reuse is
exact, because what is kept follows only from those rows. Each application in each worker
process has its own caches, so a new release never serves what the previous one built.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app


class FingerprintCache:
    """At most size values (and max_bytes of them, as weigh counts), least recently used dropped
    first, each under a key and a fingerprint.

    A count alone does not bound memory when values differ a thousandfold in size (a course
    feed of five sessions or of a thousand); max_bytes does, and the newest value always stays.
    """

    def __init__(self, size: int, max_bytes: int | None = None,
                 weigh: Callable[[Any], int] | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._weigh = weigh or (lambda _value: 0)
        self._bytes = 0
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
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._bytes -= self._weigh(replaced[1])
            self._entries[key] = (fingerprint, value)
            self._bytes += self._weigh(value)
            while len(self._entries) > 1 and (
                    len(self._entries) > self.size
                    or (self.max_bytes is not None and self._bytes > self.max_bytes)):
                _key, (_fingerprint, dropped) = self._entries.popitem(last=False)
                self._bytes -= self._weigh(dropped)

    def __len__(self) -> int:
        return len(self._entries)


def app_cache(name: str, size: int, max_bytes: int | None = None,
              weigh: Callable[[Any], int] | None = None) -> FingerprintCache:
    """The current application's cache called name (created with room for size values, and
    max_bytes of them as weigh counts)."""
    caches: dict[str, FingerprintCache] = current_app.extensions.setdefault("fingerprint_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = FingerprintCache(size, max_bytes, weigh)
    return cache
