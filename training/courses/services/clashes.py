"""No instructor in two overlapping sessions, no room holding two: the locks and the checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, contains_eager

from training.core.errors import Conflict
from training.core.locking import lock_names, lock_rows
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, session_instructors
from training.courses.services.slots import Slot, describe_slot


def _room_lock_key(course: Course, room: str) -> str:
    # A room belongs to a venue in a city; without a venue it is known only within the course.
    if course.venue.strip():
        return f"room:{course.city.strip().lower()}|{course.venue.strip().lower()}|{room.strip().lower()}"
    return f"room:course-{course.id}|{room.strip().lower()}"


def lock_resources(session: Session, course: Course, slots: Iterable[Slot]) -> None:
    """Serialise clash checks that could see each other's sessions, before checking.

    On PostgreSQL two transactions that touch the same instructor wait on that
    instructor's row, and two that touch the same room wait on an advisory lock of
    (venue, room); instructors first, then rooms, each in sorted order, so two
    writers never wait on each other in a cycle. On SQLite every write transaction
    already holds the database lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    slots = list(slots)
    instructor_ids = sorted({i for slot in slots for i in slot.instructor_ids})
    rooms = sorted({_room_lock_key(course, slot.room) for slot in slots if slot.room.strip()})
    if instructor_ids:
        lock_rows(session, Instructor, Instructor.id.in_(instructor_ids))
    lock_names(session, rooms)


def _live_overlapping(slot: Slot, exclude_ids: Iterable[int]) -> sa.Select[Any]:
    query = (
        sa.select(CourseSession)
        .join(CourseSession.course)
        .options(contains_eager(CourseSession.course))
        .where(
            ~CourseSession.cancelled,
            Course.status != CourseStatus.CANCELLED,
            CourseSession.starts_at < slot.ends_at,
            CourseSession.ends_at > slot.starts_at,
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(1)
    )
    exclude = list(exclude_ids)
    if exclude:
        query = query.where(CourseSession.id.not_in(exclude))
    return query


def check_clashes(session: Session, course: Course, slot: Slot, exclude_ids: Iterable[int] = ()) -> None:
    """Refuse a slot whose instructor or room is already taken at an overlapping instant."""
    exclude_ids = list(exclude_ids)
    if slot.instructor_ids:
        row = session.execute(
            _live_overlapping(slot, exclude_ids)
            .add_columns(Instructor.name)
            .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
            .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
            .where(Instructor.id.in_(sorted(slot.instructor_ids)))
        ).first()
        if row is not None:
            other, name = row
            raise Conflict(
                _("%(name)s already teaches “%(session)s” in %(course)s on %(slot)s, "
                  "which overlaps this time.", name=name, session=other.title,
                  course=other.course.shown_title, slot=describe_slot(other, other.course)),
                field="instructors",
            )
    room = slot.room.strip()
    if room:
        query = _live_overlapping(slot, exclude_ids).where(sa.func.lower(CourseSession.room) == room.lower())
        if course.venue.strip():
            query = query.where(
                sa.func.lower(Course.venue) == course.venue.strip().lower(),
                sa.func.lower(Course.city) == course.city.strip().lower(),
            )
        else:
            query = query.where(Course.id == course.id)
        other = session.scalar(query)
        if other is not None:
            raise Conflict(
                _("%(room)s is already taken by “%(session)s” in %(course)s on %(slot)s.",
                  room=other.room, session=other.title, course=other.course.shown_title,
                  slot=describe_slot(other, other.course)),
                field="room",
            )
