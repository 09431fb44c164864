"""A logging filter that keeps personal feed tokens out of every log line."""

from __future__ import annotations

import logging
import re

FEED_PATH = re.compile(r"(/calendar/feeds/)[^/\s\"'?.]+")
MASK = r"\1[token]"

# Loggers that print request paths: Werkzeug's and gunicorn's access logs, gunicorn's
# error log, and Flask's own log of unhandled exceptions ("Exception on /path [GET]").
PATH_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def mask_tokens(text: str) -> str:
    """text with the token of any personal feed path replaced by [token]."""
    return FEED_PATH.sub(MASK, text)


class FeedTokenFilter(logging.Filter):
    """Rewrites a record's message with feed tokens masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/calendar/feeds/" in message:
            record.msg = mask_tokens(message)
            record.args = None
        return True


def install(app_logger: logging.Logger) -> None:
    """Attach the filter (once) to the loggers that print request paths."""
    for logger in (*(logging.getLogger(name) for name in PATH_LOGGERS), app_logger):
        if not any(isinstance(f, FeedTokenFilter) for f in logger.filters):
            logger.addFilter(FeedTokenFilter())
