"""`flask travel purge` and `flask data rotate-key`: retention, and keys that change."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from training.core import crypto
from training.core.extensions import db
from training.travel import services

travel_cli = AppGroup("travel", help="Travel forms: passports, journeys, hotel nights, needs.")
data_cli = AppGroup("data", help="Personal data encrypted at rest.")


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


@data_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Re-encrypt every encrypted value with the first key of DATA_ENCRYPTION_KEYS.

    Put the new key first, keep the old one after it, run this, then drop the old key."""
    try:
        counts = crypto.rotate(db.session, db.metadata)
    except crypto.EncryptionKeyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for table, rows in counts.items():
        click.echo(f"{table}: {rows} rows re-encrypted with the first key")
