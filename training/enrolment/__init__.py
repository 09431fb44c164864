"""Enrolment: seats per country, enrolling and nominating, approvals, waitlists, rosters,
attendance, certificates and the reciprocity balance."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the tables, the pages, the course-page panel helper and the CLI command."""
    from flask_login import current_user

    from training.accounts.models import Role
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.core.api import register_api
    from training.core.extensions import db
    from training.core.kept import drawn_until
    from training.core.navigation import add_nav_item
    from training.courses.signals import participants_wanted, seat_summaries_wanted
    from training.enrolment import (
        api,
        models,  # noqa: F401
        services,
    )
    from training.enrolment.cli import enrolment_cli
    from training.enrolment.services import personal_data
    from training.enrolment.trail import register_trail
    from training.enrolment.views import bp

    register_trail()
    person_export_wanted.connect(personal_data.export_enrolments)
    person_erasing.connect(personal_data.erase_from_enrolments)
    app.register_blueprint(bp)
    seat_summaries_wanted.connect(services.answer_seat_summaries)
    participants_wanted.connect(services.answer_participants)
    register_api(api.blp)
    app.cli.add_command(enrolment_cli)

    def enrolment_panel(course: object) -> services.CoursePanel:
        """What templates/enrolment/_course_panel.html shows for the current viewer."""
        viewer = current_user if current_user.is_authenticated else None
        panel = services.course_panel(db.session, course, viewer)  # type: ignore[arg-type]
        drawn_until(panel.changes_at)
        return panel

    app.jinja_env.globals.update(
        enrolment_panel=enrolment_panel,
        course_zone=lambda course: ZoneInfo(course.timezone),
    )
    add_nav_item(app, "enrolment.my_courses", _l("My courses"), roles=(), order=20)
    add_nav_item(app, "enrolment.country_rosters", _l("Country rosters"),
                 roles=(Role.FOCAL_POINT, Role.COORDINATOR), order=30)
    add_nav_item(app, "enrolment.overview", _l("Seats"), roles=(Role.COORDINATOR,), order=31)
    add_nav_item(app, "enrolment.reciprocity", _l("Reciprocity"), roles=(), order=40)
