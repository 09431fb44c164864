"""`flask enrolment lapse-overdue` and `flask clearance remind`: the clearance jobs cron runs."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from training.clearance import services
from training.core.database import utcnow
from training.core.extensions import db

clearance_cli = AppGroup("clearance", help="Requirements, documents and due dates.")


def _instant(value: str | None) -> datetime:
    """--now as an ISO 8601 instant; one without an offset is UTC."""
    if not value:
        return utcnow()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give an ISO 8601 instant, such as 2027-03-01T09:00:00+08:00",
                                 param_hint="--now") from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


@click.command("lapse-overdue")
@click.option("--now", "now_text", metavar="ISO-INSTANT", help="Run as of this instant instead of now.")
@click.option("--dry-run", is_flag=True, help="List what would lapse; change nothing.")
def lapse_overdue_command(now_text: str | None, dry_run: bool) -> None:
    """Lapse enrolments with a clearance requirement past due; their seats go to the waitlists."""
    now = _instant(now_text)
    total = 0
    for course in services.courses_with_requirements(db.session, now):
        lapses = services.lapse_course(db.session, course, now=now, dry_run=dry_run, via="cli")
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()  # one course at a time: a failure elsewhere keeps what was done
        for lapse in lapses:
            promoted = ", ".join(f"#{e.id}" for e in lapse.promoted) or "nobody"
            verb = "would lapse" if dry_run else "lapsed"
            seat = "" if dry_run else f"; seat to {promoted}"
            click.echo(f"{course.slug}: enrolment #{lapse.enrolment.id} ({lapse.person.email}) {verb}: "
                       f"{', '.join(lapse.keys)} overdue{seat}")
        total += len(lapses)
    noun = "enrolment" if total == 1 else "enrolments"
    click.echo(f"{total} {noun} {'would lapse' if dry_run else 'lapsed'}.")


@clearance_cli.command("remind")
@click.option("--days", multiple=True, type=click.IntRange(1, 365),
              help="Days before a due date to remind (repeatable; default 7 and 2).")
def remind_command(days: tuple[int, ...]) -> None:
    """Mail people and their focal points as due dates near; each reminder goes once."""
    sent = services.send_reminders(db.session, days or services.REMINDER_DAYS)
    db.session.commit()
    click.echo(f"{sent} reminders queued.")


documents_cli = AppGroup("documents", help="Clearance documents kept in the database.")


@documents_cli.command("purge")
@click.option("--now", "now_text", metavar="ISO-INSTANT", help="Run as of this instant instead of now.")
@click.option("--dry-run", is_flag=True, help="List what would be purged; change nothing.")
def purge_command(now_text: str | None, dry_run: bool) -> None:
    """Delete the contents of documents whose course ended more than DOCUMENT_RETENTION_DAYS ago,
    keeping what was decided on them. Run it daily; running it again purges nothing more."""
    now = _instant(now_text)
    purged = services.purge_documents(db.session, now=now, dry_run=dry_run, via="cli")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would purge" if dry_run else "purged"
    for document in purged:
        click.echo(f"{document.course_slug}: enrolment #{document.enrolment_id} {document.requirement_key} "
                   f"document #{document.document_id} ({document.size} bytes) {verb}")
    noun = "document" if len(purged) == 1 else "documents"
    days = services.retention_days()
    click.echo(f"{len(purged)} {noun} {verb} (kept {days} days after each course's end).")
