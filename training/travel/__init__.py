"""Travel: each confirmed participant's passport, journey, hotel nights and needs, and the lists
the host works from (visas, airport pick-up, rooms, meals, sign-in sheets)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tables, the pages, the API, the commands and the personal-data receivers."""
    from training.travel import models  # noqa: F401
