"""A person's visa invitation letters in their export, and what their erasure does to them: every
letter is revoked and stops naming them, so the public verification page confirms nothing about them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.accounts.personal_data import erasure_of
from training.core.database import utcnow
from training.enrolment.models import Enrolment
from training.travel.letters.models import VisaLetter

# No reason in words: the person is gone, and the pages show the date of revocation.


def _mine(person: User) -> sa.ColumnElement[bool]:
    return VisaLetter.enrolment_id.in_(sa.select(Enrolment.id).where(Enrolment.user_id == person.id))


def export_letters(person: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """person_export_wanted: each letter's code, course, dates and state (the passport is in "travel")."""
    letters = session.scalars(sa.select(VisaLetter).where(_mine(person)).order_by(VisaLetter.id)).all()
    return {"letters": [
        {"code": letter.code, "enrolment_id": letter.enrolment_id, "name": letter.person_name,
         "course": letter.course_title, "starts_on": letter.starts_on.isoformat(),
         "ends_on": letter.ends_on.isoformat(), "issuer": letter.issuer,
         "issued_at": letter.issued_at.isoformat(),
         "revoked_at": letter.revoked_at.isoformat() if letter.revoked_at else None}
        for letter in letters
    ]}


def erase_letters(person: User, *, session: Session, **_: Any) -> None:
    """person_erasing: letters in force are revoked, and every letter's name is the erased one's."""
    now = utcnow()
    session.execute(sa.update(VisaLetter).where(_mine(person), VisaLetter.revoked_at.is_(None))
                    .values(revoked_at=now, revoked_reason="")
                    .execution_options(synchronize_session=False))
    session.execute(sa.update(VisaLetter).where(_mine(person))
                    .values(person_name=erasure_of(person).new_name)
                    .execution_options(synchronize_session=False))
    session.flush()
