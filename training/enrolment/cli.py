"""`flask enrolment release-seats`: hand seats past their release date to the waitlists."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from training.core.extensions import db
from training.enrolment import services

enrolment_cli = AppGroup("enrolment", help="Seats and waitlists.")


@enrolment_cli.command("release-seats")
def release_seats_command() -> None:
    """Offer seats still free after each course's release date to other countries' waitlists."""
    total = 0
    for course in services.courses_due_for_release(db.session):
        promoted = services.release_seats(db.session, course, via="cli")
        db.session.commit()  # one course at a time: a failure elsewhere keeps what was done
        total += len(promoted)
        click.echo(f"{course.slug}: {len(promoted)} promoted from the waitlists")
    click.echo(f"{total} seats released.")
