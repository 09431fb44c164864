"""RFC 9457 problem details: how the JSON API reports every error."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

PROBLEM_MIMETYPE = "application/problem+json"
API_PREFIX = "/api/"

# Titles in the reader's language (RFC 9457 lets them be localized); the English ones are
# HTTP's own reason phrases. Field names and enum values in a problem stay English.
_TITLES = {
    400: _l("Bad Request"), 401: _l("Unauthorized"), 403: _l("Forbidden"), 404: _l("Not Found"),
    405: _l("Method Not Allowed"), 409: _l("Conflict"), 413: _l("Content Too Large"),
    415: _l("Unsupported Media Type"), 422: _l("Unprocessable Content"), 429: _l("Too Many Requests"),
    500: _l("Internal Server Error"), 503: _l("Service Unavailable"),
}
# What to say when nothing more precise was given (instead of Werkzeug's English defaults).
_DETAILS = {
    400: _l("The request could not be understood."),
    401: _l("Sign in or send a valid bearer token."),
    403: _l("You do not have permission to do this."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that method."),
    413: _l("The request is too large."),
    415: _l("This address does not accept a body of that type."),
    500: _l("Something went wrong on our side. Nothing was changed."),
}


def wants_problem() -> bool:
    """Whether the current request is an API call, answered with problem+json."""
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response; errors maps field names to their messages."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or str(_TITLES.get(status) or HTTPStatus(status).phrase),
        "status": status,
        "detail": detail or str(_DETAILS.get(status) or HTTPStatus(status).description),
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_for(error: HTTPException) -> Response:
    """The problem+json for an HTTP error, with per-field messages from request validation."""
    data = getattr(error, "data", None) or {}
    errors = data.get("messages")
    if isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in ("json", "query"):
        errors = next(iter(errors.values()))  # {"json": {"field": [...]}} -> {"field": [...]}
    detail = data.get("message") or error.description
    if detail == type(error).description:  # Werkzeug's English default: say it in the reader's language
        detail = None
    if isinstance(errors, list):  # e.g. a body that is not JSON at all
        detail, errors = " ".join(str(e) for e in errors), None
    elif errors and not data.get("message"):
        detail = _("The request has invalid fields; see errors.")
    if error.code == 429:
        detail = _("Too many requests. Wait a minute, then try again.")
    headers = dict(data.get("headers") or {})
    if error.code == 405:
        headers.update(error.get_headers())
        headers.pop("Content-Type", None)
    return problem(error.code or 500, detail, errors=errors, headers=headers)
