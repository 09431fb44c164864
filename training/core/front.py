"""Answers kept in front of Flask: the same request answered again while what it stands on holds.

A calendar polling its feed, a visitor without cookies opening the catalogue, a cache in front
revalidating a page: each asks again, byte for byte, what it asked before, and the answer was
drawn from data whose versions are known. Flask's machinery around that answer (its contexts,
the hooks, the session, routing, the headers' checks) costs more than reading those versions.

A view whose answer follows from the request and the data alone offers it (`offer`), with what
it stands on: a read through the driver (training.core.probe) and the rows that read gave when
the answer was drawn, and the instant the clock alone changes it, if any. FrontAnswers keeps
the answer Flask gave (status, headers and body) under the request's method, address, scheme
and every one of its headers, and answers the same request from it, Date written anew, while
the same read gives the same rows and that instant has not come.

Exact by construction:
- a request that differs in anything (a cookie, a language, a condition, an encoding) is
  another key, and goes to Flask;
- the read is the one the view made, of committed rows (a view whose transaction changed one
  of the versions, or whose session reads through its caller's transaction, offers nothing);
- a read that fails or gives other rows sends the request to Flask, which draws the answer
  anew and offers it again;
- only a GET or HEAD without a body is answered, only a 200 or 304 without Set-Cookie is kept,
  and only views without a rate limit offer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import request
from werkzeug.http import http_date

from training.core.database import utcnow
from training.core.probe import Probe

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Where a view leaves its offer for the middleware, in the request's WSGI environ.
_OFFERED = "training.front.offered"
_KEPT_STATUSES = ("200", "304")


@dataclass(frozen=True)
class Standing:
    """What an answer stands on: probe, read with parameters on engine, gives rows, and the
    clock has not reached until."""

    engine: sa.Engine
    probe: Probe
    parameters: Mapping[str, Any]
    rows: tuple[tuple[Any, ...], ...]
    until: datetime | None = None

    def holds(self) -> bool:
        """Whether the same read gives the same rows now, before until; False when it cannot tell."""
        if self.until is not None and utcnow() >= self.until:
            return False
        rows = self.probe.rows_outside_transactions(self.engine, self.parameters)
        return rows is not None and tuple(rows) == self.rows


def offer(standing: Standing | None) -> None:
    """Offer this request's answer to be kept in front of Flask, standing on standing (None: not)."""
    if standing is not None:
        request.environ[_OFFERED] = standing


@dataclass(frozen=True)
class _Kept:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    standing: Standing


def _key(environ: dict[str, Any]) -> tuple[Any, ...] | None:
    """The request as the answer may depend on it; None for one that is never answered in front."""
    method = environ.get("REQUEST_METHOD")
    if method not in ("GET", "HEAD") or environ.get("CONTENT_LENGTH", "") not in ("", "0"):
        return None
    headers = tuple(sorted(item for item in environ.items() if item[0].startswith("HTTP_")))
    if any(name == "HTTP_TRANSFER_ENCODING" for name, _ in headers):
        return None
    return (method, environ.get("wsgi.url_scheme"), environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
            environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            environ.get("CONTENT_TYPE", ""), headers)


class FrontAnswers:
    """WSGI middleware: the answers views offered, given again to the same requests while they hold.

    At most `size` answers and `max_bytes` of their bodies are kept, the least recently used
    given up first; a body larger than a tenth of max_bytes is not kept.
    """

    def __init__(self, app: WSGIApp, size: int, max_bytes: int) -> None:
        self.app, self.size, self.max_bytes = app, size, max_bytes
        self._kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # threaded servers: the order and the byte count move together

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = _key(environ)
        if key is None:
            return self.app(environ, start_response)
        kept = self._kept.get(key)
        if kept is not None:
            if kept.standing.holds():
                with self._lock:
                    if key in self._kept:
                        self._kept.move_to_end(key)
                headers = [(name, http_date()) if name == "Date" else (name, value)
                           for name, value in kept.headers]
                start_response(kept.status, headers)
                return [kept.body]
            self._forget(key)
        answered: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        standing = environ.get(_OFFERED)
        if standing is None or not answered or not answered[0].startswith(_KEPT_STATUSES) or any(
                name.lower() == "set-cookie" for name, _ in answered[1]):
            return body
        # An offered answer is already whole in memory (a kept page or feed): read it to keep it.
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        self._keep(key, _Kept(answered[0], tuple(answered[1]), content, standing))
        return [content]

    def forget_all(self) -> None:
        """Give up every kept answer (the data they stood on were replaced wholesale)."""
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def kept_bytes(self) -> int:
        """The bytes of the bodies kept."""
        return self._bytes

    def _keep(self, key: tuple[Any, ...], kept: _Kept) -> None:
        if len(kept.body) * 10 > self.max_bytes:
            return
        with self._lock:
            self._forget_locked(key)
            self._kept[key] = kept
            self._bytes += len(kept.body)
            while len(self._kept) > self.size or self._bytes > self.max_bytes:
                _, oldest = self._kept.popitem(last=False)
                self._bytes -= len(oldest.body)

    def _forget(self, key: tuple[Any, ...]) -> None:
        with self._lock:
            self._forget_locked(key)

    def _forget_locked(self, key: tuple[Any, ...]) -> None:
        gone = self._kept.pop(key, None)
        if gone is not None:
            self._bytes -= len(gone.body)
