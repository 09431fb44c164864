"""Symposia: invitations with personal RSVP links and calendar invitations, capacity, reminders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_datetime_format
from flask import Flask
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l


def symposium_datetime(value: datetime, zone: str, format: str | None = None) -> str:
    """An instant on the symposium's wall clock (not the reader's), in the reader's language.

    By default the date in full words and the time without seconds.
    """
    local = value.astimezone(ZoneInfo(zone))
    if format is None:
        # Date and time joined as the language joins them ("Jan 9, 2027, 9:00 AM"; "2027年1月9日 09:00").
        locale = get_locale() or Locale.parse("en")
        joined = get_datetime_format("medium", locale=locale)
        return joined.replace("{1}", format_date(local, "medium")).replace(
            "{0}", format_time(local, "short", rebase=False))
    return format_datetime(local, format, rebase=False)


def symposium_time(value: datetime, zone: str, format: str = "short") -> str:
    """The time of day of an instant on the symposium's wall clock."""
    return format_time(value.astimezone(ZoneInfo(zone)), format, rebase=False)


def symposium_date(value: datetime, zone: str, format: str = "medium") -> str:
    """The date of an instant on the symposium's wall clock."""
    return format_date(value.astimezone(ZoneInfo(zone)), format)


def init_app(app: Flask) -> None:
    """Register the coordinator pages, the RSVP page, the `rsvp` commands and the menu entry."""
    from training.accounts.models import Role
    from training.core.api import register_api
    from training.core.navigation import add_nav_item
    from training.symposia import api
    from training.symposia.cli import rsvp_cli
    from training.symposia.views import bp, rsvp_bp

    # Days before the RSVP deadline on which `flask rsvp remind` mails those who have not answered.
    app.config.setdefault("RSVP_REMINDER_DAYS", (7, 2))
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.symposia.services import personal_data
    from training.symposia.trail import register_trail

    register_trail()
    person_export_wanted.connect(personal_data.export_invitations)
    person_erasing.connect(personal_data.erase_from_symposia)
    app.register_blueprint(bp)
    register_api(api.blp)
    app.register_blueprint(rsvp_bp)
    app.cli.add_command(rsvp_cli)
    app.jinja_env.filters.update(symposium_datetime=symposium_datetime, symposium_time=symposium_time,
                                 symposium_date=symposium_date)
    add_nav_item(app, "symposia.index", _l("Symposia"), roles=(Role.COORDINATOR,), order=60)
