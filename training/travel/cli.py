"""`flask travel purge`: passports and needs deleted once the retention period has passed."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from training.core.extensions import db
from training.travel import services

travel_cli = AppGroup("travel", help="Travel forms: passports, journeys, hotel nights, needs.")


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("give an ISO instant such as 2027-06-01T00:00:00Z",
                                 param_hint="--now") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@travel_cli.command("purge")
@click.option("--now", "now_text", metavar="ISO-INSTANT", help="Run as of this instant instead of now.")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; change nothing.")
def purge_command(now_text: str | None, dry_run: bool) -> None:
    """Delete the passport, needs and emergency contact of travel forms whose course ended more than
    DOCUMENT_RETENTION_DAYS ago. Run it daily with `documents purge`."""
    purged = services.purge_travel_forms(db.session, now=_instant(now_text), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would delete" if dry_run else "deleted"
    for course, form in purged:
        click.echo(f"{course.slug}: enrolment #{form.enrolment_id} passport and needs {verb}")
    click.echo(f"{len(purged)} travel forms: passport and needs {verb}.")
