"""The instructor directory: adding, editing and removing instructors, and what each one teaches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session, contains_eager, selectinload

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, NotFound
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, session_instructors
from training.courses.services.access import VISIBLE_STATUSES, require_directory_manager


def instructor_snapshot(instructor: Instructor) -> dict[str, Any]:
    """The audited fields of an instructor."""
    return {
        "name": instructor.name,
        "organisation": instructor.organisation,
        "expertise": instructor.expertise,
        "email": instructor.email,
        "user_id": instructor.user_id,
    }


@dataclass
class InstructorDetails:
    """What a coordinator enters about an instructor; account_email links an existing account."""

    name: str
    organisation: str = ""
    expertise: str = ""
    bio: str = ""
    email: str = ""
    account_email: str = ""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _instructor_values(
    session: Session, details: InstructorDetails, current: Instructor | None
) -> dict[str, Any]:
    name = (details.name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    email = (details.email or "").strip().lower()
    if email and not _EMAIL.match(email):
        raise DomainError(_("Enter a valid email address."), field="email")
    user_id = None
    account_email = (details.account_email or "").strip().lower()
    if account_email:
        user = session.scalar(sa.select(User).where(User.email == account_email))
        if user is None:
            raise DomainError(_("No account uses %(email)s.", email=account_email), field="account_email")
        other = session.scalar(sa.select(Instructor).where(Instructor.user_id == user.id))
        if other is not None and other is not current:
            raise Conflict(
                _("%(email)s is already linked to %(name)s.", email=account_email, name=other.name),
                field="account_email",
            )
        user_id = user.id
    return {
        "name": name,
        "organisation": (details.organisation or "").strip(),
        "expertise": (details.expertise or "").strip(),
        "bio": (details.bio or "").strip(),
        "email": email,
        "user_id": user_id,
    }


def create_instructor(
    session: Session, details: InstructorDetails, *, actor: User | None, via: str = "web"
) -> Instructor:
    """Add someone to the instructor directory (coordinators)."""
    require_directory_manager(actor)
    instructor = Instructor(**_instructor_values(session, details, None))
    session.add(instructor)
    session.flush()
    record(session, actor=actor, action="instructor.created", subject=instructor,
           after=instructor_snapshot(instructor), topic=f"instructor:{instructor.id}", via=via)
    return instructor


def update_instructor(
    session: Session, instructor: Instructor, details: InstructorDetails, *, actor: User | None,
    via: str = "web",
) -> Instructor:
    """Change an instructor's directory entry or account link (coordinators)."""
    require_directory_manager(actor)
    values = _instructor_values(session, details, instructor)
    before = instructor_snapshot(instructor)
    for name, value in values.items():
        setattr(instructor, name, value)
    session.flush()
    if (instructor.name, instructor.organisation) != (before["name"], before["organisation"]):
        # Calendars name the instructors in each session's description: the sessions changed.
        session.execute(
            sa.update(CourseSession)
            .where(CourseSession.id.in_(
                sa.select(session_instructors.c.session_id)
                .where(session_instructors.c.instructor_id == instructor.id)
            ))
            .values(updated_at=utcnow())
        )
    record(session, actor=actor, action="instructor.updated", subject=instructor, before=before,
           after=instructor_snapshot(instructor), topic=f"instructor:{instructor.id}", via=via)
    return instructor


def delete_instructor(
    session: Session, instructor: Instructor, *, actor: User | None, via: str = "web"
) -> None:
    """Remove an instructor who has never been scheduled; one with sessions stays, for the record."""
    require_directory_manager(actor)
    assigned = session.scalar(
        sa.select(sa.func.count()).select_from(session_instructors)
        .where(session_instructors.c.instructor_id == instructor.id)
    )
    if assigned:
        raise DomainError(
            ngettext("%(name)s is on %(num)d session and stays in the directory.",
                     "%(name)s is on %(num)d sessions and stays in the directory.", assigned,
                     name=instructor.name)
        )
    record(session, actor=actor, action="instructor.deleted", subject=instructor,
           before=instructor_snapshot(instructor), topic=f"instructor:{instructor.id}", via=via)
    session.delete(instructor)
    session.flush()


def find_instructor(session: Session, instructor_id: int) -> Instructor:
    """One instructor, or NotFound."""
    instructor = session.get(Instructor, instructor_id)
    if instructor is None:
        raise NotFound(_("There is no such instructor."))
    return instructor


def instructor_directory_query(viewer: Any = None) -> sa.Select[Any]:
    """Rows of (instructor, visible sessions they teach), by name: the directory as one query."""
    statuses = list(CourseStatus) if is_coordinator(viewer) else list(VISIBLE_STATUSES)
    teaching = (
        sa.select(sa.func.count())
        .select_from(session_instructors)
        .join(CourseSession, CourseSession.id == session_instructors.c.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(session_instructors.c.instructor_id == Instructor.id, ~CourseSession.cancelled,
               Course.status.in_(statuses))
        .correlate(Instructor)
        .scalar_subquery()
    )
    return sa.select(Instructor, teaching).order_by(Instructor.name, Instructor.id)


def instructor_directory(session: Session, *, viewer: Any = None) -> list[tuple[Instructor, int]]:
    """Every instructor with how many visible sessions they teach, by name, in one query."""
    rows = session.execute(instructor_directory_query(viewer)).all()
    return [(instructor, count) for instructor, count in rows]


def account_email(session: Session, instructor: Instructor) -> str:
    """The sign-in email of the account linked to instructor, or ''."""
    if instructor.user_id is None:
        return ""
    return session.scalar(sa.select(User.email).where(User.id == instructor.user_id)) or ""


def instructor_for_user(session: Session, user: Any) -> Instructor | None:
    """The directory entry linked to an account, if any."""
    if user is None or not user.is_authenticated:
        return None
    return session.scalar(sa.select(Instructor).where(Instructor.user_id == user.id))


def teaching(session: Session, instructor: Instructor, *, viewer: Any = None) -> Sequence[CourseSession]:
    """Every session instructor teaches, with course and co-instructors, in order (three queries).

    Drafts show only to coordinators and to the instructor themselves.
    """
    query = (
        sa.select(CourseSession)
        .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
        .join(CourseSession.course)
        .where(session_instructors.c.instructor_id == instructor.id)
        .options(contains_eager(CourseSession.course), selectinload(CourseSession.instructors))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    own = bool(getattr(viewer, "is_authenticated", False)) and viewer.id == instructor.user_id
    if not (is_coordinator(viewer) or own):
        query = query.where(Course.status.in_(VISIBLE_STATUSES))
    return session.scalars(query).all()
