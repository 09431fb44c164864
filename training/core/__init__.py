"""What every page shares: the home page, health check, language switch and error pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the core blueprint and the error pages."""
    from training.core.logging import install_secret_filter
    from training.core.navigation import visible_nav_items
    from training.core.urls import external_url, install_converters
    from training.core.views import bp, register_error_pages

    install_converters(app)
    app.register_blueprint(bp)
    register_error_pages(app)
    app.jinja_env.globals["nav_items"] = visible_nav_items
    app.jinja_env.globals["external_url"] = external_url
    install_secret_filter(app.logger)
