"""Administration: people, roles and the audit log."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the admin blueprint."""
    from training.accounts.models import Role
    from training.admin.views import bp
    from training.core.navigation import add_nav_item

    app.register_blueprint(bp)
    add_nav_item(app, "admin.users", _l("People"), roles=(Role.ADMIN,), order=90)
    add_nav_item(app, "admin.audit_log", _l("Audit log"), roles=(Role.ADMIN,), order=91)
