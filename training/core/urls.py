"""URLs: the converters every route uses, absolute links built from BASE_URL, and safe next= targets."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import BaseConverter


class TextSegmentConverter(BaseConverter):
    """<name> (slugs, tokens, codes): one path segment without control characters.

    A segment holding one (/courses/a%00b) matches no route and is not found: PostgreSQL
    refuses NUL in a query, so it must never reach one.
    """

    regex = "[^/\\x00-\\x1f\\x7f-\\x9f]+"


def install_converters(app: Flask) -> None:
    """Bound ids (<int:...>) and plain-text segments (<name>) on every route, before any is added."""
    from training.core.api import IdConverter

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
