"""URLs: the converters every route uses, absolute links built from BASE_URL, and safe next= targets."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, IntegerConverter

from training.core.schemas import MAX_INT


class TextSegmentConverter(BaseConverter):
    """<name> (slugs, tokens, codes): one path segment without control characters.

    A segment holding one (/courses/a%00b) matches no route and is not found: PostgreSQL
    refuses NUL in a query, so it must never reach one.
    """

    regex = "[^/\\x00-\\x1f\\x7f-\\x9f]+"
    # Werkzeug takes a regex that mentions "/" for one that may span segments, and then tries
    # each route under /courses/<slug> as one whole-path pattern in turn (forty of them); this
    # one never matches a slash, so the router may walk the path segment by segment.
    part_isolating = True


class IdConverter(IntegerConverter):
    """<id:name> (and <int:name>): a positive database id; anything larger than a column holds is not found.

    Out of range answers 404 at once rather than Werkzeug's ValidationError: after a
    ValidationError the matcher reports the methods of the other routes on the same path
    it passed on the way (GET /courses/{id} for PATCH /courses/{id}), which answers 405.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's name
        super().__init__(map, min=1, max=MAX_INT)

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_INT:
            raise NotFound()
        return number


def install_converters(app: Flask) -> None:
    """Bound ids (<int:...>) and plain-text segments (<name>) on every route, before any is added."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = TextSegmentConverter
    app.url_map.converters["string"] = TextSegmentConverter


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of endpoint under BASE_URL (e.g. https://training.example.org/...)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def safe_next(target: str | None) -> str | None:
    """target if it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
