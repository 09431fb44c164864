"""Keeping secrets that travel in URLs (reset, RSVP, feed and API tokens) out of every log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from flask import Flask

MASK = "[secret]"
# Loggers that print request paths: Werkzeug's and gunicorn's access logs, gunicorn's
# error log, and Flask's own log of unhandled exceptions ("Exception on /path [GET]").
PATH_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
# A URL variable with one of these words in its name holds a secret: every route that
# takes one (/reset/<token>, /rsvp/<token>, /calendar/feeds/<token>.ics ...) is masked
# without the feature having to remember it.
SECRET_VARIABLES = re.compile(r"token|secret|key|password", re.IGNORECASE)
# Query parameters whose value is masked wherever they appear.
SECRET_QUERY = re.compile(
    r"([?&;](?:[\w.-]*token|secret|key|password|signature)=)[^&;#\s\"']*", re.IGNORECASE
)
_SEGMENT = r"[^/\s?#\"']+"
_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")

def _rule_pattern(rule: str, number: int) -> str | None:
    """A regex for one URL rule whose secret variables are named groups, or None."""
    parts: list[str] = []
    position, secret = 0, False
    for match in _VARIABLE.finditer(rule):
        parts.append(re.escape(rule[position:match.start()]))
        if SECRET_VARIABLES.search(match.group(1)):
            # Lazy, so that a literal suffix such as ".ics" stays readable.
            parts.append(rf"(?P<s{number}_{len(parts)}>{_SEGMENT}?)")
            secret = True
        else:
            parts.append(_SEGMENT)
        position = match.end()
    if not secret:
        return None
    parts.append(re.escape(rule[position:]))
    return "".join(parts) + r"(?=[/\s?#\"']|$)"


class _Masker:
    """The compiled patterns of every secret-bearing path, rebuilt when routes change."""

    def __init__(self) -> None:
        self.rules: list[str] = []
        self.pattern: re.Pattern[str] | None = None

    def use_rules(self, rules: Iterable[str]) -> None:
        rules = sorted(set(rules))
        if rules != self.rules:
            self.rules, self.pattern = rules, None

    def compiled(self) -> re.Pattern[str] | None:
        if self.pattern is None:
            alternatives = [p for i, rule in enumerate(self.rules) if (p := _rule_pattern(rule, i))]
            self.pattern = re.compile("|".join(f"(?:{a})" for a in alternatives)) if alternatives else None
        return self.pattern

    def mask(self, text: str) -> str:
        text = SECRET_QUERY.sub(rf"\1{MASK}", text)
        pattern = self.compiled()
        return pattern.sub(_mask_groups, text) if pattern else text


def _mask_groups(match: re.Match[str]) -> str:
    """The matched path with each secret group replaced by MASK."""
    text, start = [], match.start()
    for name, value in match.groupdict().items():
        if value is None:
            continue
        begin, end = match.span(name)
        text.append(match.string[start:begin] + MASK)
        start = end
    text.append(match.string[start:match.end()])
    return "".join(text)


_masker = _Masker()


def mask_secrets(text: str) -> str:
    """text with every secret path segment and secret query value replaced by [secret]."""
    return _masker.mask(text)


class SecretPathFilter(logging.Filter):
    """Rewrites log records so that no token from a URL reaches a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_secret_filter(app_or_logger: Flask | logging.Logger) -> None:
    """Attach the filter (once) to every logger that prints request paths.

    Given the app (once every feature has registered its routes), the secret-bearing
    routes are read from its URL map and its own logger is filtered too.
    """
    loggers = [logging.getLogger(name) for name in PATH_LOGGERS]
    if isinstance(app_or_logger, Flask):
        loggers.append(app_or_logger.logger)
        _masker.use_rules(rule.rule for rule in app_or_logger.url_map.iter_rules())
    else:
        loggers.append(app_or_logger)
    for logger in loggers:
        if not any(isinstance(f, SecretPathFilter) for f in logger.filters):
            logger.addFilter(SecretPathFilter())
