"""The API object: OpenAPI from the schemas, problem+json errors, bearer-token sign-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import AnonymousUserMixin
from flask_smorest import Api, Blueprint
from sqlalchemy.orm import Session
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from training.core.errors import DomainError
from training.core.extensions import csrf, db
from training.core.problems import problem_for, wants_problem
from training.core.schemas import MappingSchema, ProblemSchema
from training.core.urls import IdConverter

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
    # No catch-all "default" response: each operation lists the statuses it answers, so
    # that a status it does not list is a fault the fuzzer reports.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        # Codes without a handler of their own land here; HTML pages keep Werkzeug's page.
        if not wants_problem():
            return error  # type: ignore[return-value]
        return problem_for(error)


class _Converter(OpenAPIConverter):
    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        jsonschema = super().schema2jsonschema(schema)
        cls = schema if isinstance(schema, type) else type(schema)
        if issubclass(cls, MappingSchema):
            jsonschema["additionalProperties"] = self.field2property(schema.Meta.values)
        return jsonschema


class ProblemPlugin(MarshmallowPlugin):
    """Marshmallow to OpenAPI, documenting MappingSchema as an object of typed values."""

    Converter = _Converter


api = ProblemApi()
# Documented up to 64 bits: a larger id than any row has is a well-formed request that
# answers 404, so clients and the fuzzer may send one.
api.register_converter(IdConverter, lambda converter: {"type": "integer", "minimum": 1,
                                                       "maximum": 2**63 - 1})


BearerLoader = Callable[[Session, str], Any]


def set_bearer_loader(app: Flask, loader: BearerLoader) -> None:
    """Tell the API how to find the user a bearer token stands for (accounts owns tokens)."""
    app.extensions["training_bearer_loader"] = loader


def _bearer_user() -> None:
    """Sign the request in from its bearer token only; API calls ignore session cookies.

    Ignoring cookies is what makes the API safe without CSRF tokens: a page on another
    site can make a browser send cookies, but never an Authorization header.
    """
    load: BearerLoader = current_app.extensions["training_bearer_loader"]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = load(db.session, token.strip()) if scheme.lower() == "bearer" and token else None
    # Flask-Login reads the request's user from g._login_user; setting it here bypasses
    # the session cookie for API requests.
    g._login_user = user or AnonymousUserMixin()
    # Forget a locale or timezone chosen before the user was known (Flask-Babel caches them).
    refresh()


class _BodyParser(FlaskParser):
    """webargs' parser, refusing JSON nested too deeply for Python's decoder with a 400."""

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            # json.loads recurses once per level; [[[[...]]]] a few thousand deep exhausts the stack.
            abort(400, messages={"json": [_("The JSON is nested too deeply.")]})


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint with the parser above."""

    ARGUMENTS_PARSER = _BodyParser()

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """As flask-smorest's, a Schema class made an instance once: given a class, webargs
        builds a new instance for every request (about 50 µs), where one serves them all (a
        Schema keeps nothing of what it loads)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint under /api/v1 whose requests authenticate by bearer token."""
    blp = ApiBlueprint(name, import_name, url_prefix="/api/v1", description=description)
    blp.before_request(_bearer_user)
    blp.after_request(_not_stored)
    return blp


def _not_stored(response: Response) -> Response:
    # Answers carry tokens, feed URLs, RSVP links and rosters: no cache keeps them.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def documents(
    *statuses: int, secured: bool | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the error statuses an endpoint may answer, as problem+json.

    An endpoint that may answer 401 needs a bearer token (unless secured=False says the
    401 means something else, as for POST /tokens).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in statuses:
            view = _blp_for_docs.alt_response(status, schema=ProblemSchema,
                                              content_type="application/problem+json")(view)
        if secured if secured is not None else 401 in statuses:
            view = _blp_for_docs.doc(security=[{"bearer": []}])(view)
        return view

    return decorator


# alt_response only records documentation on the view; any blueprint instance will do.
_blp_for_docs = Blueprint("_docs", __name__)


def paginate(session: Session, query: sa.Select[Any], args: Mapping[str, int],
             scalars: bool = True) -> dict[str, Any]:
    """One page of query's rows as {"items", "page", "per_page", "total"}: two queries, any length."""
    page, per_page = args["page"], args["per_page"]
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    window = query.limit(per_page).offset((page - 1) * per_page)
    result = session.execute(window)
    items = list(result.scalars().unique() if scalars else result.unique().all())
    return {"items": items, "page": page, "per_page": per_page, "total": total}


@contextmanager
def api_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Report a service's refusal under the API's name for the field (e.g. day -> starts_at)."""
    try:
        yield
    except DomainError as error:
        if any(field in names for _message, field in error.problems):
            raise error.renamed(dict(names)) from None
        raise


def init_api(app: Flask) -> None:
    """Bind the API to app; each feature then adds its resources with register_api."""
    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    app.url_map.converters["id"] = IdConverter
    api.init_app(app, spec_kwargs={"marshmallow_plugin": ProblemPlugin()})


def register_api(blp: Blueprint) -> None:
    """Serve a feature's API resources (CSRF-exempt: they authenticate by bearer token only)."""
    csrf.exempt(blp)
    api.register_blueprint(blp)
