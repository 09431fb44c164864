"""Accounts: people and their roles, sign-up, sign-in, profiles, password resets, and the
secrets that stand for a person (API bearer tokens, personal feed tokens)."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from training.core.extensions import db, login_manager
from training.core.problems import problem, wants_problem


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI and Flask-Login's user loader."""
    from training.accounts import api, tokens
    from training.accounts.cli import users_cli
    from training.accounts.models import User
    from training.accounts.services import account_with_id
    from training.accounts.views import bp, tokens_bp
    from training.core.api import register_api, set_bearer_loader

    login_manager.login_view = "accounts.login"
    # Flask-Login's "basic" protection only marks a session not fresh when the browser's
    # address or user agent changes, and nothing here asks for a fresh sign-in; a session is
    # ended by its session version instead (load_user). Off, a signed-in reader's page kept for
    # their session (training.core.kept.ReaderPage) is answered as it would be drawn.
    login_manager.session_protection = None
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # Runs on every request that has a session or remember-me cookie; a cookie signed in
        # under an earlier session version (before a sign-out or a new password) is dead.
        user_id, _sep, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = account_with_id(db.session, int(user_id))
        return user if user is not None and user.session_version == int(version) else None

    @login_manager.unauthorized_handler
    def unauthorized() -> Response:
        if wants_problem():
            return problem(401, _("Authenticate with a bearer token: Authorization: Bearer <token>."),
                           headers={"WWW-Authenticate": "Bearer"})
        flash(str(login_manager.login_message), "info")
        here = request.full_path if request.query_string else request.path
        return redirect(url_for("accounts.login", next=here))

    from training.accounts.personal_data import EXPORT_ENDPOINTS
    from training.accounts.trail import register_trail
    from training.core.database import writes_on_read

    # The export's audit entry is a write.
    writes_on_read(*EXPORT_ENDPOINTS)
    register_trail()
    app.register_blueprint(bp)
    app.register_blueprint(tokens_bp)
    register_api(api.tokens_blp)
    register_api(api.blp)
    set_bearer_loader(app, tokens.user_for_api_token)
    app.cli.add_command(users_cli)
