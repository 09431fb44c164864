"""The audit trail of state changes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register: the admin pages show the trail."""
    from training.audit import models  # noqa: F401  (register the table)
