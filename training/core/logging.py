"""Keeping secrets that travel in URLs (reset, RSVP and feed tokens) out of access logs."""

from __future__ import annotations

import logging
import re

# Paths whose last segment is a secret. Features add theirs with add_secret_path().
_SECRET_PREFIXES: set[str] = set()
_pattern: re.Pattern[str] | None = None
# Loggers that print request paths: Werkzeug's and gunicorn's access logs, gunicorn's
# error log, and Flask's own log of unhandled exceptions ("Exception on /path [GET]").
PATH_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
MASK = "[secret]"


def add_secret_path(prefix: str) -> None:
    """Mask the path segment after prefix (e.g. '/reset/') in every access-log line."""
    global _pattern
    _SECRET_PREFIXES.add(prefix)
    alternatives = "|".join(re.escape(p) for p in sorted(_SECRET_PREFIXES, key=len, reverse=True))
    # The secret ends at a slash, space, quote, query or dot (".ics" stays readable).
    _pattern = re.compile(rf"({alternatives})[^/\s?\"'.]+")


def mask_secrets(text: str) -> str:
    """text with every secret path segment replaced by [secret]."""
    return _pattern.sub(rf"\1{MASK}", text) if _pattern else text


class SecretPathFilter(logging.Filter):
    """Rewrites log records so that no token from a URL reaches a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_secret_filter(app_logger: logging.Logger) -> None:
    """Attach the filter (once) to every logger that prints request paths."""
    for logger in (*(logging.getLogger(name) for name in PATH_LOGGERS), app_logger):
        if not any(isinstance(f, SecretPathFilter) for f in logger.filters):
            logger.addFilter(SecretPathFilter())
