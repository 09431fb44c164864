"""RFC 9457 problem details: how the JSON API reports every error."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

PROBLEM_MIMETYPE = "application/problem+json"
API_PREFIX = "/api/"


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
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
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
