"""Who may see and act on enrolments: roster scopes, instructors of a course, acting for a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.core import i18n
from training.core.errors import Forbidden, NotFound
from training.courses.models import Course, CourseSession, Instructor, session_instructors
from training.courses.services import require_visible
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment


def teaches(session: Session, user: User, course: Course) -> bool:
    """Whether user is an instructor of at least one session of course."""
    return bool(
        session.scalar(
            sa.select(sa.literal(True))
            .select_from(CourseSession)
            .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
            .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
            .where(CourseSession.course_id == course.id, Instructor.user_id == user.id)
            .limit(1)
        )
    )


@dataclass(frozen=True)
class RosterScope:
    """What part of a course's roster one viewer may read."""

    country: str | None = None  # only this country's people
    confirmed_only: bool = False  # only people holding a seat (instructors)
    manage: bool = False  # approve, reject, withdraw anyone (coordinators)


def roster_scope(session: Session, course: Course, viewer: User) -> RosterScope:
    """The viewer's view of the roster; Forbidden when they may see none of it."""
    if is_coordinator(viewer):
        return RosterScope(manage=True)
    require_visible(course, viewer)
    if viewer.role is Role.FOCAL_POINT and viewer.country:
        return RosterScope(country=viewer.country)
    if viewer.role is Role.INSTRUCTOR and teaches(session, viewer, course):
        return RosterScope(confirmed_only=True)
    raise Forbidden(_("You may not see this course's roster."))


def check_may_act_for(actor: User, person: User) -> None:
    """Self, a coordinator, or the focal point of the person's own country."""
    if actor.id == person.id or is_coordinator(actor):
        return
    if actor.role is Role.FOCAL_POINT and actor.country and actor.country == person.country:
        return
    raise Forbidden(
        _("You may act only for personnel of %(country)s.", country=i18n.country_name(actor.country))
        if actor.role is Role.FOCAL_POINT
        else _("You may only enrol yourself.")
    )


def within_scope(query: sa.Select[Any], scope: RosterScope) -> sa.Select[Any]:
    """query narrowed to the enrolments scope may see."""
    if scope.country:
        query = query.where(Enrolment.country == scope.country)
    if scope.confirmed_only:
        query = query.where(Enrolment.status.in_(SEAT_HOLDING_STATUSES))
    return query


def in_scope(enrolment: Enrolment, scope: RosterScope) -> bool:
    """Whether a roster of scope shows enrolment."""
    return (not scope.country or enrolment.country == scope.country) and (
        not scope.confirmed_only or enrolment.status in SEAT_HOLDING_STATUSES)


def enrolment_for(session: Session, enrolment_id: int) -> Enrolment:
    """An enrolment with its person and course."""
    enrolment = session.scalars(
        sa.select(Enrolment).where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.course))
    ).first()
    if enrolment is None:
        raise NotFound(_("No such enrolment."))
    return enrolment


def check_takes_attendance(session: Session, course: Course, actor: User) -> None:
    """Only the course's instructors and coordinators see and take its attendance."""
    if not (is_coordinator(actor) or teaches(session, actor, course)):
        raise Forbidden(_("Only the course's instructors and coordinators take attendance."))
