"""Fixtures for a person's data: the clearance programme (a Beijing course with four requirements)."""

from __future__ import annotations

from tests.clearance.conftest import enrol, programme  # noqa: F401 - fixtures shared with clearance tests
