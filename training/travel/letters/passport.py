"""What a letter needs of the travel form: whether it holds the passport fields a letter prints,
when it last changed, its lock, and (audited by the caller) the passport fields themselves.

Lists of letters ask only whether each field is filled in (IS NOT NULL), never decrypting a
passport field: a page of thirty people reads no passport. Only drawing a letter reads one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from training.core.crypto import EncryptedDate, EncryptedText
from training.enrolment.models import Enrolment
from training.travel.models import TravelForm
from training.travel.services import REQUIRED_FOR_COMPLETE, lock_travel_form

# What a consulate reads in a letter (China's list for an F visa): the person as their passport
# names them, its number, their nationality and date of birth; the course gives dates and place.
LETTER_FIELDS = {
    "passport_name": _l("full name as in the passport"),
    "passport_number": _l("passport number"),
    "nationality": _l("nationality"),
    "birth_date": _l("date of birth"),
}
# The rest of a complete form (travel's rule), named as one thing when some of it is missing.
OTHER_FIELDS = tuple(name for name in REQUIRED_FOR_COMPLETE if name not in LETTER_FIELDS)
OTHER_LABEL = _l("passport issue and expiry, arrival, departure or emergency contact")


def _filled(name: str) -> sa.ColumnElement[bool]:
    """Whether a form's field is filled in, asked of the database: an encrypted one is never decrypted."""
    column = getattr(TravelForm, name)
    if isinstance(column.type, EncryptedText | EncryptedDate):
        return column.is_not(None)
    if isinstance(column.type, sa.String):
        return sa.and_(column.is_not(None), column != "")
    return column.is_not(None)


@dataclass(frozen=True)
class FormState:
    """A travel form as the letters pages see it: which letter fields are filled in, no values."""

    enrolment_id: int
    filled: frozenset[str]
    updated_at: datetime | None
    locked: bool


@dataclass(frozen=True)
class PassportFacts:
    """The passport and stay facts a letter prints; never logged, never in the audit trail."""

    full_name: str
    number: str
    nationality: str  # ISO 3166-1 alpha-2
    date_of_birth: date
    arrival_on: date | None = None
    departure_on: date | None = None


def forms_of(session: Session, enrolment_ids: Sequence[int]) -> dict[int, FormState]:
    """The state of the travel forms of enrolments, by enrolment id, in one query."""
    if not enrolment_ids:
        return {}
    rows = session.execute(
        sa.select(TravelForm.enrolment_id, TravelForm.updated_at, TravelForm.locked_at,
                  *(_filled(name).label(name) for name in REQUIRED_FOR_COMPLETE))
        .where(TravelForm.enrolment_id.in_(list(enrolment_ids)))
    ).all()
    return {row.enrolment_id: FormState(
        enrolment_id=row.enrolment_id, updated_at=row.updated_at, locked=row.locked_at is not None,
        filled=frozenset(name for name in REQUIRED_FOR_COMPLETE if getattr(row, name)),
    ) for row in rows}


def missing(form: FormState | None) -> list[str]:
    """What the form lacks for a letter, in the reader's language; all of it without a form."""
    filled = form.filled if form else frozenset()
    lacking = [str(label) for name, label in LETTER_FIELDS.items() if name not in filled]
    if any(name not in filled for name in OTHER_FIELDS):
        lacking.append(str(OTHER_LABEL))
    return lacking


def changed_at(form: FormState | None) -> datetime | None:
    return form.updated_at if form else None


def changed_since(form: FormState | None, letter: Any) -> bool:
    """Whether the form changed after the letter was issued from it (it may need reissuing)."""
    return bool(form and form.updated_at and letter.form_changed_at
                and form.updated_at > letter.form_changed_at)


def is_locked(form: FormState | None) -> bool:
    return bool(form and form.locked)


def lock(session: Session, enrolment: Enrolment, form: FormState, *, actor: Any, via: str) -> datetime | None:
    """Lock the travel form (travel's service, audited there): it stays what the letter says, and a
    later change is flagged. The form's time of change afterwards (locking is a change)."""
    if form.locked:
        return form.updated_at
    locked = lock_travel_form(session, enrolment, actor=actor, via=via)
    return locked.updated_at


def read(session: Session, form: FormState | None, *, actor: Any, via: str) -> PassportFacts:
    """The passport fields of the form, decrypted; the caller audits the read."""
    if form is None:
        raise LookupError("no travel form")
    travel = session.scalars(
        sa.select(TravelForm).where(TravelForm.enrolment_id == form.enrolment_id)
        .execution_options(populate_existing=True)
    ).one()
    assert travel.passport_name and travel.passport_number and travel.nationality and travel.birth_date
    return PassportFacts(full_name=travel.passport_name, number=travel.passport_number,
                         nationality=travel.nationality, date_of_birth=travel.birth_date,
                         arrival_on=travel.arrival_on, departure_on=travel.departure_on)
