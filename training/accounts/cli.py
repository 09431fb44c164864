"""`flask users create`: accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from training.accounts import personal_data, services
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


@users_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, yes: bool) -> None:
    """Erase a person: name, email, organisation, documents and secrets replaced or removed, while
    seat counters, waitlists, attendance and the audit trail stay as they are. Cannot be undone."""
    person = services.find_by_email(db.session, email)
    if person is None:
        raise click.ClickException(f"No account has the address {email}.")
    label = f"{person.name} <{person.email}> (#{person.id}, {person.role.value})"
    if not yes:
        click.confirm(f"Erase {label}? This cannot be undone.", abort=True)
    try:
        erased = personal_data.erase_person(db.session, person, actor=None, via="cli")
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"erased #{erased.person.id}: now {erased.person.name} <{erased.person.email}>; "
               f"{erased.mails_removed} queued mails removed, {erased.mails_rewritten} mails and "
               f"{erased.audit_entries_rewritten} audit entries rewritten")
