"""Keeping secrets that travel in URLs (reset, RSVP and feed tokens) out of access logs."""

from __future__ import annotations

import logging
import re

# Paths whose last segment is a secret. Features add theirs with add_secret_path().
_SECRET_PREFIXES: set[str] = set()
_pattern: re.Pattern[str] | None = None
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def add_secret_path(prefix: str) -> None:
    """Mask the path segment after prefix (e.g. '/reset/') in every access-log line."""
    global _pattern
    _SECRET_PREFIXES.add(prefix)
    alternatives = "|".join(re.escape(p) for p in sorted(_SECRET_PREFIXES, key=len, reverse=True))
    _pattern = re.compile(rf"({alternatives})[^/\s?\"']+")


def mask_secrets(text: str) -> str:
    """text with every secret path segment replaced by [secret]."""
    return _pattern.sub(r"\1[secret]", text) if _pattern else text


class SecretPathFilter(logging.Filter):
    """Rewrites log records so that no token from a URL reaches a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_secret_filter() -> None:
    """Attach the filter to the access loggers of Werkzeug and gunicorn (once)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretPathFilter) for f in logger.filters):
            logger.addFilter(SecretPathFilter())
