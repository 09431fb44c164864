"""What a letter needs of the travel form: whether it is complete, its passport fields (read with
an audit entry), when it last changed, and its lock. The one place letters touch travel forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class PassportFacts:
    """The passport and stay facts a letter prints; never logged, never in the audit trail."""

    full_name: str
    number: str
    nationality: str  # ISO 3166-1 alpha-2
    date_of_birth: date
    arrival_on: date | None = None
    departure_on: date | None = None


def forms_of(session: Session, enrolment_ids: Sequence[int]) -> dict[int, Any]:
    """The travel forms of enrolments, by enrolment id, in one query."""
    raise NotImplementedError


def missing(form: Any) -> list[str]:
    """What the form lacks for a letter (labels in the reader's language); all of it without a form."""
    raise NotImplementedError


def changed_at(form: Any) -> datetime | None:
    raise NotImplementedError


def changed_since(form: Any, letter: Any) -> bool:
    raise NotImplementedError


def is_locked(form: Any) -> bool:
    raise NotImplementedError


def lock(session: Session, form: Any, *, actor: Any, via: str) -> None:
    raise NotImplementedError


def read(session: Session, form: Any, *, actor: Any, via: str) -> PassportFacts:
    raise NotImplementedError
