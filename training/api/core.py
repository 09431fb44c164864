"""The API object: OpenAPI from the schemas, problem+json errors, bearer-token sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask_login import AnonymousUserMixin
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from training.api.schemas import ProblemSchema
from training.core.problems import problem_for, wants_problem
from training.extensions import db

API_SETTINGS = {
    "API_TITLE": "training",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Courses, seat quotas, enrolments and symposia of training."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    },
}


class ProblemApi(Api):
    """flask-smorest's Api, answering every API error as application/problem+json."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        # Codes without a handler of their own land here; HTML pages keep Werkzeug's page.
        if not wants_problem():
            return error  # type: ignore[return-value]
        return problem_for(error)


api = ProblemApi()


def _bearer_user() -> None:
    """Sign the request in from its bearer token only; API calls ignore session cookies.

    Ignoring cookies is what makes the API safe without CSRF tokens: a page on another
    site can make a browser send cookies, but never an Authorization header.
    """
    from training.api.services import user_for_token

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(db.session, token.strip()) if scheme.lower() == "bearer" and token else None
    # Flask-Login reads the request's user from g._login_user; setting it here bypasses
    # the session cookie for API requests.
    g._login_user = user or AnonymousUserMixin()


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint under /api/v1 whose requests authenticate by bearer token."""
    blp = Blueprint(name, import_name, url_prefix="/api/v1", description=description)
    blp.before_request(_bearer_user)
    return blp


def documents(*statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the error statuses an endpoint may answer, as problem+json."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in statuses:
            view = _blp_for_docs.alt_response(status, schema=ProblemSchema,
                                              content_type="application/problem+json")(view)
        return view

    return decorator


# alt_response only records documentation on the view; any blueprint instance will do.
_blp_for_docs = Blueprint("_docs", __name__)


def init_api(app: Flask, blueprints: list[Blueprint]) -> None:
    """Bind the API to app and register the resource blueprints (CSRF-exempt: bearer only)."""
    from training.extensions import csrf

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    for blp in blueprints:
        csrf.exempt(blp)
        api.register_blueprint(blp)
