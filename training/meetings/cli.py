"""`flask meetings remind`: the daily reminders of action items and untested contact points."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from training.core.database import utcnow
from training.core.extensions import db
from training.meetings import services

meetings_cli = AppGroup("meetings", help="Meeting series, action items and the hotline.")


def _instant(value: str | None) -> datetime:
    """--now as an ISO 8601 instant; one without an offset is UTC."""
    if not value:
        return utcnow()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "give an ISO 8601 instant, such as 2027-03-01T09:00:00+08:00", param_hint="--now"
        ) from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


@meetings_cli.command("remind")
@click.option("--now", "now_text", metavar="ISO-INSTANT", help="Run as of this instant instead of now.")
@click.option(
    "--days",
    type=click.IntRange(1, 60),
    default=services.REMINDER_DAYS,
    show_default=True,
    help="Days before a due date to remind the owner.",
)
def remind_command(now_text: str | None, days: int) -> None:
    """Mail owners of action items coming due or overdue, and coordinators of untested contact points."""
    done = services.send_reminders(db.session, _instant(now_text), days=days)
    db.session.commit()
    click.echo(
        f"{done.due_soon} due soon, {done.overdue} overdue, "
        f"{done.untested} mails about untested contact points queued."
    )
