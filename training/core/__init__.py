"""The bottom layer, which every feature may use and which imports none of them.

It owns the database (declarative base, UTC instants, SQLite tuning), the Flask extensions,
the DomainError family, languages and local time, every lock, every CSV, the unit of work
per request, the API plumbing (problem+json, bearer sign-in, OpenAPI), log masking, and the
pages every site has: health check, language switch, error pages.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the core blueprint and the error pages."""
    from training.core import caching, security, versions
    from training.core.api import init_api
    from training.core.cli import data_cli
    from training.core.forms import form_action
    from training.core.navigation import visible_nav_items
    from training.core.urls import external_url, install_converters
    from training.core.views import bp, register_error_pages

    install_converters(app)
    versions.install()
    app.cli.add_command(data_cli)
    app.register_blueprint(bp)
    init_api(app)
    security.init_app(app)
    caching.init_app(app)
    register_error_pages(app)
    app.jinja_env.globals["nav_items"] = visible_nav_items
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.globals["form_action"] = form_action
