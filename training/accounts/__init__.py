"""Accounts: sign-up, sign-in, roles, profiles and password resets."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from training.extensions import db, login_manager


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI and Flask-Login's user loader."""
    from training.accounts.cli import users_cli
    from training.accounts.models import User, role_label
    from training.accounts.views import bp
    from training.core.logging import add_secret_path

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    add_secret_path("/reset/")  # password-reset links carry a signed token
    app.jinja_env.globals["role_label"] = role_label
