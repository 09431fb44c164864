"""Meetings: recurring working-level meeting series on the venue's clock, one-off changes sent as
iTIP, bilingual minutes and action items, and the hotline's contact points with their test log."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the pages, the API, the `meetings` commands, the menu entries, and the receivers of a
    person's export and erasure."""
    from training.accounts.models import Role
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.core.api import register_api
    from training.core.navigation import add_nav_item
    from training.meetings import (  # noqa: F401
        action_views,
        api,
        contact_api,
        contact_views,
        participant_views,
        services,
    )
    from training.meetings.cli import meetings_cli
    from training.meetings.text import render_minutes
    from training.meetings.trail import register_trail
    from training.meetings.views import bp

    app.config.setdefault("CONTACT_POINT_TEST_DAYS", services.contacts.DEFAULT_TEST_DAYS)
    register_trail()
    app.register_blueprint(bp)
    register_api(api.blp)
    app.cli.add_command(meetings_cli)
    app.jinja_env.filters["minutes"] = render_minutes
    person_export_wanted.connect(services.export_person)
    person_erasing.connect(services.erase_person)
    roles = (Role.COORDINATOR, Role.FOCAL_POINT)
    add_nav_item(app, "meetings.index", _l("Meetings"), roles=roles, order=65)
    add_nav_item(app, "meetings.contact_points", _l("Hotline"), roles=roles, order=66)
