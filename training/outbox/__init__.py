"""The mail outbox: mail queued in the database with the change it reports, delivered by
`flask outbox send`."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the outbox CLI."""
    from training.outbox import models  # noqa: F401
    from training.outbox.cli import outbox_cli

    app.cli.add_command(outbox_cli)
