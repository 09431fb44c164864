"""Courses: the catalogue, day-by-day schedules in the host's timezone, and instructors."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the blueprint, the navigation entries and the template helpers."""
    from training.accounts.models import Role
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.core import localtime
    from training.core.api import register_api
    from training.core.navigation import add_nav_item
    from training.courses import api, instructor_views, models, services  # noqa: F401
    from training.courses.services import personal_data
    from training.courses.trail import register_trail
    from training.courses.views import bp, course_status_badge

    register_trail()
    person_export_wanted.connect(personal_data.export_instructor)
    person_erasing.connect(personal_data.erase_from_directory)
    app.register_blueprint(bp)
    register_api(api.blp)
    add_nav_item(app, "courses.catalogue", _l("Courses"), order=10)
    add_nav_item(app, "courses.instructors", _l("Instructors"), order=20)
    add_nav_item(app, "courses.my_teaching", _l("My teaching"), roles=(Role.INSTRUCTOR,), order=30)
    add_nav_item(app, "courses.manage", _l("Manage courses"), roles=(Role.COORDINATOR,), order=40)
    app.jinja_env.globals.update(
        show_date=localtime.show_date,
        show_time=localtime.show_time,
        zone_abbreviation=localtime.zone_abbreviation,
        describe_slot=services.describe_slot,
        course_status_badge=course_status_badge,
    )
