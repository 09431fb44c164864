"""Schema migrations: Flask-Migrate (Alembic) behind the `flask db` commands."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import Migrate

from training.core.extensions import db


def init_app(app: Flask, directory: Path) -> None:
    """Let `flask db ...` migrate app's database with the revisions in directory."""
    Migrate(app, db, directory=str(directory), render_as_batch=True)
