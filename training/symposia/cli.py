"""`flask rsvp import-replies PATH` and `flask rsvp remind`."""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from training.core.extensions import db
from training.symposia import services

rsvp_cli = AppGroup("rsvp", help="Symposium invitations: calendar replies and reminders.")


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def read_messages(path: Path) -> Iterator[tuple[str, EmailMessage]]:
    """The messages in an .eml file, a directory of them, an mbox or a Maildir, with a label each."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(maildir.keys()):
                yield f"{path.name}/{key}", _parse(maildir.get_bytes(key))
            return
        for file in sorted(path.iterdir()):
            if file.is_file() and file.suffix.lower() == ".eml":
                yield file.name, _parse(file.read_bytes())
        return
    with open(path, "rb") as handle:
        looks_like_mbox = handle.read(5) == b"From "
    if looks_like_mbox:
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            for number, key in enumerate(box.keys(), start=1):
                yield f"{path.name}#{number}", _parse(box.get_bytes(key))
        finally:
            box.close()
        return
    yield path.name, _parse(path.read_bytes())


@rsvp_cli.command("import-replies")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_replies_command(path: Path) -> None:
    """Apply the calendar replies (iMIP REPLY) in PATH: an .eml file, a directory, an mbox or a Maildir."""
    outcomes = services.import_replies(db.session, read_messages(path))
    db.session.commit()
    for outcome in outcomes:
        click.echo(str(outcome))
    counts = Counter(o.outcome for o in outcomes)
    click.echo(", ".join(f"{name} {counts[name]}" for name in ("applied", "unchanged", "ignored", "refused")))


@rsvp_cli.command("remind")
@click.option("--days", "days", type=click.IntRange(min=1), multiple=True,
              help="Days before the deadline to remind on (repeatable); default RSVP_REMINDER_DAYS.")
def remind_command(days: tuple[int, ...]) -> None:
    """Mail invitees who have not answered, once per reminder point before the RSVP deadline."""
    points = days or tuple(current_app.config["RSVP_REMINDER_DAYS"])
    sent = services.send_reminders(db.session, points)
    db.session.commit()
    click.echo(f"reminders queued: {sent}")
