"""The health check, the language switch and the error pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from training.core.errors import DomainError
from training.core.extensions import csrf, db
from training.core.front import Standing, offer
from training.core.i18n import LOCALE_COOKIE, SUPPORTED_LOCALES
from training.core.probe import Probe
from training.core.problems import problem, problem_for, wants_problem
from training.core.uow import unit_of_work
from training.core.urls import safe_next

bp = Blueprint("core", __name__)


PING = "SELECT 1"
_ANSWERS = Probe(sa.select(sa.literal_column("1", sa.Integer)))
# What jsonify(status="ok", database="ok") writes, written once: drawing it each time through
# Flask's JSON provider cost as much as the pool's checkout.
_HEALTHY = b'{"database":"ok","status":"ok"}\n'


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database reachability, for load balancers and monitors.

    Taking a connection from the pool is the check. The pool pings every connection it hands out
    (pool_pre_ping, config.py): one round trip, in autocommit on PostgreSQL. A connection whose
    ping fails is replaced by a new one, and connecting proves the server answers as well as a
    query would; when that fails too, the checkout raises and the answer is 503. A SELECT 1
    after that ping would only be a second round trip; it is sent where the pool does not ping.
    """
    engine = db.engine
    try:
        # The pool's own checkout, without a Connection around it: nothing goes through
        # SQLAlchemy's execution, so none of its machinery is needed.
        connection = engine.raw_connection()
    except (sa.exc.SQLAlchemyError, engine.dialect.loaded_dbapi.Error):
        return _unreachable()
    try:
        if not current_app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            cursor = connection.cursor()
            cursor.execute(PING)
            cursor.close()
    except engine.dialect.loaded_dbapi.Error:
        connection.invalidate()  # the next checkout connects anew
        return _unreachable()
    finally:
        connection.close()
    # A monitor asks again with the same headers: answered before Flask after a SELECT 1 on a
    # connection from the probes' pool (training.core.front, training.core.probe).
    offer(Standing(engine, _ANSWERS, {}, ((1,),)))
    return Response(_HEALTHY, mimetype="application/json"), 200


def _unreachable() -> tuple[Response, int]:
    return jsonify(status="error", database="unreachable"), 503


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language() -> Response:
    """Switch language: remembered in the profile when signed in, else in a cookie.

    A signed-in switch changes the profile and needs the form's token. A visitor's only sets
    their language cookie, which a forged request could do no harm with, so the shared pages
    that shared caches keep can offer the switch without a token of anyone's session.
    """
    if current_user.is_authenticated:
        csrf.protect()
    locale = request.form.get("locale", "")
    response = redirect(safe_next(request.form.get("next")) or url_for("courses.catalogue"))
    if locale not in SUPPORTED_LOCALES:
        return response
    if current_user.is_authenticated:
        with unit_of_work():
            current_user.locale = locale
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def _error_page(error: HTTPException) -> tuple[str, int] | Response:
    if wants_problem():
        return problem_for(error)
    return render_template("errors/error.html", error=error), error.code or 500


def _server_error(error: Exception) -> tuple[str, int] | Response:
    # Whatever the failed request left in the session must not leak into the next one.
    db.session.rollback()
    if wants_problem():
        return problem(500, _("Something went wrong on our side. Nothing was changed."))
    return render_template("errors/error.html", error=None), 500


def _domain_error(error: DomainError) -> tuple[str, int] | Response:
    # Views handle refusals themselves; this catches one that escaped, never as a 500.
    db.session.rollback()
    if wants_problem():
        return problem(error.status, error.full_message, errors=error.field_errors or None)
    page = render_template("errors/error.html", error=None, status=error.status, message=error.message)
    return page, error.status


def register_error_pages(app: Flask) -> None:
    """Friendly pages (problem+json under /api/) for 400, 401, 403, 404, 405, 409, 415, 422, 429, 500."""
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(DomainError, _domain_error)
