"""Demo data: `flask demo` loads a believable programme, idempotently, dated around today."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the demo command."""
    from training.demo.cli import demo_command

    app.cli.add_command(demo_command)
