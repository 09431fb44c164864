"""Travel: each confirmed participant's passport, journey, hotel nights and needs, and the lists
the host works from (visas, airport pick-up, rooms, meals, sign-in sheets)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tables, the pages, the API, the commands and the personal-data receivers."""
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.core.api import register_api
    from training.travel import api, models, services  # noqa: F401
    from training.travel.cli import travel_cli
    from training.travel.views import bp

    app.register_blueprint(bp)
    register_api(api.blp)
    person_export_wanted.connect(services.export_travel)
    person_erasing.connect(services.erase_travel)
    app.cli.add_command(travel_cli)
