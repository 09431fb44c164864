"""The JSON API v1: OpenAPI document, problem+json errors, bearer tokens."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

# Each module exposes `blp`, a flask-smorest Blueprint made by api_blueprint().
RESOURCES = (
    "training.api.resources",
    "training.accounts.api",
    "training.courses.api",
    "training.enrolment.api",
    "training.symposia.api",
)


def init_app(app: Flask) -> None:
    """Register the API resources and the token pages on the profile."""
    from training.api import models  # noqa: F401
    from training.api.views import bp
    from training.core.api import init_api

    init_api(app, [import_module(name).blp for name in RESOURCES])
    app.register_blueprint(bp)
