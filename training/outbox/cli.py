"""`flask outbox send`: deliver queued mail."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from training.core.extensions import db
from training.outbox.services import deliver_pending

outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("send")
def send_command() -> None:
    """Deliver every due message; failed ones are retried on a later run."""
    report = deliver_pending(db.session)
    click.echo(f"sent {report.sent}, to retry {report.retried}, given up {report.failed}")
