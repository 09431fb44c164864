"""Visa invitation letters: issued by coordinators from complete travel forms, downloaded as
PDF (the host's language and English side by side), verified by anyone at /letters/<code>."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the table, the pages, the API, the audit trail's sentences and the personal-data receivers."""
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.core.api import register_api
    from training.travel.letters import api, models  # noqa: F401
    from training.travel.letters.personal import erase_letters, export_letters
    from training.travel.letters.trail import register_trail
    from training.travel.letters.views import bp

    app.register_blueprint(bp)
    register_api(api.blp)
    register_trail()
    person_export_wanted.connect(export_letters)
    person_erasing.connect(erase_letters)
