"""`flask demo`: load the demo data."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa

from training.accounts.models import User
from training.demo import accounts, enrolment
from training.extensions import db

# Each feature adds its demo loader here, in dependency order. A loader takes the
# session and today's date, creates only what is missing, and flushes.
LOADERS = (accounts.load, enrolment.load)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def demo_command(if_empty: bool) -> None:
    """Load the demo data (safe to run twice: nothing is duplicated)."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has data; demo data not loaded.")
        return
    today = date.today()
    for load in LOADERS:
        load(db.session, today)
    db.session.commit()
    click.echo("Demo data loaded. Sign in at /login with any of these accounts:")
    for email, role, password in accounts.DEMO_LOGINS:
        click.echo(f"  {role:<12} {email:<32} {password}")
