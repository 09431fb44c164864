"""training: scheduling and enrolment for international law-enforcement training programmes."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from training.core import forms, i18n
from training.core.application import Application
from training.core.database import ping_in_one_libpq_call, reads_without_transaction, tune_sqlite
from training.core.extensions import babel, csrf, db, limiter, login_manager
from training.core.front import FrontAnswers
from training.core.logging import install_secret_filter
from training.core.ratelimit import check_limits_only_where_declared

ROOT = Path(__file__).resolve().parent.parent

# Each feature package exposes init_app(app): blueprints, CLI commands, hooks.
FEATURES = (
    "training.core",
    "training.accounts",
    "training.admin",
    "training.outbox",
    "training.audit",
    "training.courses",
    "training.enrolment",
    "training.clearance",
    "training.travel",
    "training.travel.letters",
    "training.travel.printable",
    "training.calendar",
    "training.symposia",
    "training.meetings",
    "training.demo",
)


def create_app(
    config_name: str | None = None, overrides: dict[str, Any] | None = None, *, migrations: bool = True
) -> Flask:
    """Build the application for one environment (development, testing or production).

    migrations: whether `flask db` may migrate the database. The web server's workers never do,
    and leave Flask-Migrate, Alembic, Mako and Pygments (about 11 MB a worker) unloaded.
    """
    app = Application(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(config.resolve(config_name, Path(app.instance_path), overrides))
    if app.config["PROXY_FIX_X_FOR"]:
        trusted = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]
    if app.config["FRONT_ANSWERS"]:
        # Outermost: a request answered again from it needs nothing else (X-Forwarded-* are in its key).
        front = FrontAnswers(app.wsgi_app, size=app.config["FRONT_ANSWERS"],
                             max_bytes=app.config["FRONT_ANSWER_BYTES"])
        app.wsgi_app = front  # type: ignore[method-assign]
        app.extensions["front_answers"] = front

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            tune_sqlite(
                db.engine,
                immediate_outside_requests=app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"],
            )
        elif db.engine.dialect.name == "postgresql":
            reads_without_transaction(db.engine)
            ping_in_one_libpq_call(db.engine)
    if migrations:
        import_module("training.core.migrations").init_app(app, ROOT / "migrations")
    csrf.init_app(app)
    forms.check_tokens_where_forms_post(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)

    for feature in FEATURES:
        import_module(feature).init_app(app)
    # Once every route is registered with its limits.
    check_limits_only_where_declared(app)
    # Last: the log filter masks the secret variables of every route registered above.
    install_secret_filter(app)
    return app
