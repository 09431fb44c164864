"""`flask data bump` and `flask data versions`: the data versions after a change made round the services."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from training.core import versions
from training.core.extensions import db

data_cli = AppGroup("data", help="Data versions, which pages and feeds are drawn from.")


@data_cli.command("bump")
@click.argument("scope", type=click.Choice(versions.SCOPES))
@click.argument("keys", nargs=-1, type=int, required=True)
def bump_command(scope: str, keys: tuple[int, ...]) -> None:
    """Raise SCOPE's version for each KEY (a course, symposium, series or person id; 0 for the
    catalogue) after rows were changed with SQL that skipped the product's services."""
    versions.touch(db.session, *((scope, key) for key in keys))
    db.session.commit()
    for key, number in zip(keys, versions.versions(db.session, [(scope, k) for k in keys]), strict=True):
        click.echo(f"{scope} {key}: version {number}")


@data_cli.command("versions")
@click.argument("scope", type=click.Choice(versions.SCOPES))
@click.argument("keys", nargs=-1, type=int, required=True)
def versions_command(scope: str, keys: tuple[int, ...]) -> None:
    """Show SCOPE's version for each KEY."""
    for key, number in zip(keys, versions.versions(db.session, [(scope, k) for k in keys]), strict=True):
        click.echo(f"{scope} {key}: version {number}")
