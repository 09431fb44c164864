"""`flask demo`: load the demo data."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa

from training.accounts.models import User
from training.core.extensions import db
from training.core.urls import external_url
from training.demo import (
    accounts,
    calendar,
    clearance,
    courses,
    enrolment,
    i18n,
    letters,
    meetings,
    personal_data,
    symposia,
    travel,
)

# Each feature adds its demo loader here, in dependency order. A loader takes the
# session and today's date, creates only what is missing, and flushes.
LOADERS = (accounts.load, courses.load, enrolment.load, clearance.load, travel.load, letters.load,
           symposia.load, meetings.load, calendar.load, i18n.load, personal_data.load)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def demo_command(if_empty: bool) -> None:
    """Load the demo data (safe to run twice: nothing is duplicated)."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has data; demo data not loaded.")
    else:
        today = date.today()
        for load in LOADERS:
            load(db.session, today)
        db.session.commit()
        click.echo("Demo data loaded.")
    present = set(db.session.scalars(
        sa.select(User.email).where(User.email.in_([e for e, _r, _p in accounts.DEMO_LOGINS]))))
    if present:
        click.echo("Sign in at /login with any of these demo accounts:")
        for email, role, password in accounts.DEMO_LOGINS:
            if email in present:
                click.echo(f"  {role:<12} {email:<32} {password}")
    token = symposia.demo_token()
    if token:
        click.echo(f"Demo RSVP page (development only): {external_url('rsvp.respond', token=token)}")
        click.echo("The same in Chinese, for an invitee invited in Chinese: "
                   f"{external_url('rsvp.respond', token=i18n.DEMO_RSVP_TOKEN_ZH)}")
