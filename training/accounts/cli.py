"""`flask users create`: accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from training.accounts import services
from training.accounts.models import Role
from training.core.errors import DomainError
from training.core.extensions import db

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help=f"One of: {', '.join(r.value for r in Role)}.")
@click.option("--country", default=None, help="ISO 3166-1 alpha-2 code; required for focal-point.")
@click.option("--password", required=True)
@click.option("--timezone", default="UTC", show_default=True)
def create_command(
    email: str, name: str, role: str, country: str | None, password: str, timezone: str
) -> None:
    """Create an account."""
    try:
        user = services.create_user(
            db.session, email=email, name=name, role=role, country=country,
            password=password, timezone=timezone, via="cli",
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")
