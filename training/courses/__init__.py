"""Courses."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tables (views and CLI come with the feature)."""
    from training.courses import models  # noqa: F401
