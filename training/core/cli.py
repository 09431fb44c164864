"""`flask data`: the data versions after a change made round the services (`bump`, `versions`), and
the keys of personal data encrypted at rest (`rotate-key`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from training.core import crypto, versions
from training.core.extensions import db

data_cli = AppGroup("data", help="Data versions, which pages and feeds are drawn from; encryption keys.")


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


@data_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Re-encrypt every encrypted value with the first key of DATA_ENCRYPTION_KEYS.

    Put the new key first, keep the old one after it, run this, then drop the old key."""
    try:
        counts = crypto.rotate(db.session, db.metadata)
    except crypto.EncryptionKeyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for table, rows in counts.items():
        click.echo(f"{table}: {rows} rows re-encrypted with the first key")
