"""Clearance: the documents and checks a course requires of its participants, their due dates,
and the lapse of an enrolment that misses one (its seat going to the waitlist)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask


def _enrolments_in(shown: Iterable[Any]) -> list[Any]:
    """The enrolments a page shows: given as such, as rows (row.enrolment) or as groups of rows."""
    found = []
    for thing in shown:
        if hasattr(thing, "rows"):
            found.extend(_enrolments_in(thing.rows))
        elif hasattr(thing, "enrolment"):
            found.append(thing.enrolment)
        else:
            found.append(thing)
    return found


def init_app(app: Flask) -> None:
    """Register the tables, the pages, the lapse on every enrolment change, and the CLI commands."""
    from training.accounts.signals import person_erasing, person_export_wanted
    from training.clearance import api, models, services  # noqa: F401
    from training.clearance.cli import clearance_cli, documents_cli, lapse_overdue_command
    from training.clearance.services import personal_data
    from training.clearance.trail import register_trail
    from training.clearance.views import bp, prepare_document_requests
    from training.core.api import register_api
    from training.core.extensions import db
    from training.enrolment import services as enrolment_services
    from training.enrolment.cli import enrolment_cli
    from training.enrolment.signals import enrolment_details_wanted, enrolments_changed, roster_columns_wanted

    person_export_wanted.connect(personal_data.export_clearance)
    person_erasing.connect(personal_data.erase_from_clearance)
    app.cli.add_command(documents_cli)
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, prepare_document_requests)
    enrolments_changed.connect(services.on_enrolments_changed)
    enrolment_services.probe_with_change(services.ASKS_CLEARANCE, services.asks_clearance)
    enrolment_details_wanted.connect(api.clearance_details)
    roster_columns_wanted.connect(services.state.roster_columns)
    register_api(api.blp)
    register_trail()
    # The command belongs with the other seat jobs under `flask enrolment`; the group is
    # enrolment's, and clearance, above it, adds its command to it.
    enrolment_cli.add_command(lapse_overdue_command)
    app.cli.add_command(clearance_cli)

    def clearances_of(shown: Iterable[Any]) -> dict[int, services.Clearance]:
        """For the rosters and My courses: the clearance of every enrolment shown, in four queries."""
        return services.clearances_for(db.session, _enrolments_in(shown))

    app.jinja_env.globals.update(clearances_of=clearances_of)
