"""Who is told of a change to a course or a session, and the mails they are sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from training.core.urls import external_url
from training.courses.models import Course, CourseSession, Instructor, session_instructors
from training.courses.services.slots import describe_slot
from training.courses.signals import participants_wanted
from training.outbox.services import queue_mail


@dataclass(frozen=True)
class Recipient:
    """Someone to tell about a change: where to write and in which language."""

    email: str
    name: str
    locale: str | None = None


def merge(*groups: Iterable[Recipient]) -> list[Recipient]:
    """The recipients of every group, each address once, in the order first met."""
    seen: dict[str, Recipient] = {}
    for group in groups:
        for person in group:
            seen.setdefault(person.email.lower(), person)
    return list(seen.values())


def people_to_notify(
    session: Session, course: Course, course_session: CourseSession | None = None
) -> list[Recipient]:
    """Everyone concerned by a change to course (or to one of its sessions): its instructors
    and everyone on the course (confirmed, completed, waitlisted or pending).

    Instructors with an account are written to at the account's address and in its
    language; those without one at their own address, if they gave one. The people on
    the course come from whoever answers the participants_wanted signal (enrolment).
    """
    query = (
        sa.select(Instructor)
        .join(session_instructors, session_instructors.c.instructor_id == Instructor.id)
        .join(CourseSession, CourseSession.id == session_instructors.c.session_id)
        .where(CourseSession.course_id == course.id)
        .options(joinedload(Instructor.user))
        .distinct()
        .order_by(Instructor.name, Instructor.id)
    )
    if course_session is not None:
        query = query.where(CourseSession.id == course_session.id)
    recipients = []
    for instructor in session.scalars(query).unique():
        if instructor.user is not None and instructor.user.active:
            recipients.append(Recipient(instructor.user.email, instructor.name, instructor.user.locale))
        elif instructor.email:
            recipients.append(Recipient(instructor.email, instructor.name))
    participants = [
        Recipient(person.email, person.name, person.locale)
        for _receiver, people in participants_wanted.send(course, session=session)
        for person in people
    ]
    return merge(recipients, participants)


def _course_url(course: Course) -> str:
    return external_url("courses.course_page", slug=course.slug)


def tell_course_changed(
    session: Session, course: Course, recipients: Iterable[Recipient], *, before: dict[str, Any]
) -> None:
    """Queue the mail saying the course's dates or place changed (before: its old snapshot)."""
    for person in recipients:
        queue_mail(session, to=person.email, template="course_changed", locale=person.locale,
                   course=course, person=person, before=before, url=_course_url(course))


def tell_course_cancelled(
    session: Session, course: Course, recipients: Iterable[Recipient], *, reason: str
) -> None:
    """Queue the mail saying the course is cancelled, with the coordinator's reason."""
    for person in recipients:
        queue_mail(session, to=person.email, template="course_cancelled", locale=person.locale,
                   course=course, person=person, reason=reason, url=_course_url(course))


def tell_session_rescheduled(
    session: Session, course: Course, course_session: CourseSession, recipients: Iterable[Recipient], *,
    old_slot: str, old_room: str,
) -> None:
    """Queue the mail giving a session's new time or room, and the old ones."""
    for person in recipients:
        queue_mail(session, to=person.email, template="session_rescheduled", locale=person.locale,
                   course=course, course_session=course_session, person=person,
                   old_slot=old_slot, old_room=old_room, url=_course_url(course))


def tell_session_restored(
    session: Session, course: Course, course_session: CourseSession, recipients: Iterable[Recipient]
) -> None:
    """Queue the mail saying a cancelled session takes place after all."""
    _tell_session(session, course, course_session, recipients, template="session_restored")


def tell_session_cancelled(
    session: Session, course: Course, course_session: CourseSession, recipients: Iterable[Recipient]
) -> None:
    """Queue the mail saying a session is cancelled."""
    _tell_session(session, course, course_session, recipients, template="session_cancelled")


def _tell_session(
    session: Session, course: Course, course_session: CourseSession, recipients: Iterable[Recipient],
    *, template: str,
) -> None:
    for person in recipients:
        queue_mail(session, to=person.email, template=template, locale=person.locale,
                   course=course, course_session=course_session, person=person,
                   slot=describe_slot(course_session, course), url=_course_url(course))
