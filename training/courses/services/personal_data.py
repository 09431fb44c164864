"""A person's instructor entry in their export, and its erasure: an instructor linked to the
account (or listed under its address) keeps teaching their sessions under the placeholder name."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.accounts.personal_data import erasure_of
from training.audit import personal as audit
from training.core.database import utcnow
from training.courses.models import CourseSession, Instructor, session_instructors


def _instructors_of(session: Session, person: User) -> list[Instructor]:
    return list(session.scalars(sa.select(Instructor).where(sa.or_(
        Instructor.user_id == person.id, sa.func.lower(Instructor.email) == person.email.lower()))
        .order_by(Instructor.id)))


def export_instructor(person: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """person_export_wanted: the directory entries that are the person's."""
    return {"instructor": [
        {"id": i.id, "name": i.name, "email": i.email or None, "organisation": i.organisation,
         "expertise": i.expertise, "bio": i.bio, "linked_to_account": i.user_id == person.id}
        for i in _instructors_of(session, person)]}


def erase_from_directory(person: User, *, session: Session, **_: Any) -> None:
    """person_erasing: the entries lose name, address, organisation, expertise and biography; their
    sessions are touched, so that every calendar feed and cached schedule shows the change."""
    erasure = erasure_of(person)
    instructors = _instructors_of(session, person)
    for instructor in instructors:
        instructor.name = erasure.new_name
        instructor.email = ""
        instructor.organisation = instructor.expertise = instructor.bio = ""
    if not instructors:
        return
    ids = [instructor.id for instructor in instructors]
    session.execute(
        sa.update(CourseSession).where(CourseSession.id.in_(
            sa.select(session_instructors.c.session_id).where(session_instructors.c.instructor_id.in_(ids))))
        .values(updated_at=utcnow()).execution_options(synchronize_session=False))
    audit.blank_fields(session, audit.about_subjects("Instructor", ids), {"organisation", "expertise", "bio"})
    session.flush()
