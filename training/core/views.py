"""The home page, the health check, the language switch and the error pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from training.accounts.views import safe_next
from training.extensions import db
from training.i18n import LOCALE_COOKIE, SUPPORTED_LOCALES

bp = Blueprint("core", __name__)


@bp.route("/")
def home() -> tuple[str, int]:
    """The catalogue of upcoming courses is the home page."""
    from training.courses.views import catalogue_page

    return catalogue_page()


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database reachability, for load balancers and monitors."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    """Switch language: remembered in the profile when signed in, else in a cookie."""
    locale = request.form.get("locale", "")
    response = redirect(safe_next(request.form.get("next")) or url_for("core.home"))
    if locale not in SUPPORTED_LOCALES:
        return response
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def _error_page(error: HTTPException) -> tuple[str, int]:
    return render_template("errors/error.html", error=error), error.code or 500


def _server_error(error: Exception) -> tuple[str, int]:
    # Whatever the failed request left in the session must not leak into the next one.
    db.session.rollback()
    return render_template("errors/error.html", error=None), 500


def register_error_pages(app: Flask) -> None:
    """Friendly pages for 400, 403, 404, 405, 429 and 500."""
    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(500, _server_error)
