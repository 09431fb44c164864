"""Clearance: the documents and checks a course requires of its participants, their due dates,
and the lapse of an enrolment that misses one (its seat going to the waitlist)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tables, the lapse on every enrolment change, and the CLI commands."""
    from training.clearance import models, services  # noqa: F401
    from training.clearance.cli import clearance_cli, lapse_overdue_command
    from training.enrolment.cli import enrolment_cli
    from training.enrolment.signals import enrolments_changed

    enrolments_changed.connect(services.on_enrolments_changed)
    # The command belongs with the other seat jobs under `flask enrolment`; the group is
    # enrolment's, and clearance, above it, adds its command to it.
    enrolment_cli.add_command(lapse_overdue_command)
    app.cli.add_command(clearance_cli)
