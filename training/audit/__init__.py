"""The audit trail: who changed what, when, with the state before and after."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register: the admin pages show the trail."""
    from training.audit import models  # noqa: F401  (register the table)
