"""A course's day-by-day schedule: adding, editing, cancelling, restoring and copying sessions,
and reading it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.accounts.models import User
from training.audit.services import record
from training.core import versions
from training.core.errors import DomainError
from training.core.localtime import local_day, show_date, to_instant
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, SessionKind
from training.courses.services.access import require_course_manager, require_open
from training.courses.services.clashes import check_clashes, lock_resources
from training.courses.services.notices import (
    merge,
    people_to_notify,
    tell_session_cancelled,
    tell_session_rescheduled,
    tell_session_restored,
)
from training.courses.services.slots import Slot, describe_slot, local_zone, slot_times

# --- reading a schedule ------------------------------------------------------------------


def schedule_version(session: Session, course: Course) -> versions.Version:
    """The version of everything course's pages and feeds draw from its row and schedule (its
    sessions, their instructors' names), in one primary-key read; see training.core.versions."""
    return versions.version(session, versions.COURSE, course.id)


def sessions_query(course: Course) -> sa.Select[Any]:
    """The course's sessions in time order, cancelled ones included, with their instructors."""
    return (
        sa.select(CourseSession)
        .where(CourseSession.course_id == course.id)
        .options(selectinload(CourseSession.instructors))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )


def schedule_by_day(course: Course) -> list[tuple[date, list[CourseSession]]]:
    """Every day of the course with its sessions in local order (sessions must be loaded)."""
    days: dict[date, list[CourseSession]] = {day: [] for day in course.days}
    for course_session in course.sessions:
        days.setdefault(local_day(course_session.starts_at, course.timezone), []).append(course_session)
    return sorted(days.items())


def course_instructors(course: Course) -> list[Instructor]:
    """The people who teach at least one session of the course, by name (sessions must be loaded)."""
    seen: dict[int, Instructor] = {}
    for course_session in course.sessions:
        if course_session.cancelled:
            continue
        for instructor in course_session.instructors:
            seen.setdefault(instructor.id, instructor)
    return sorted(seen.values(), key=lambda i: i.name)


def session_snapshot(course_session: CourseSession) -> dict[str, Any]:
    """The audited fields of a session."""
    return {
        "title": course_session.title,
        "kind": course_session.kind.value,
        "starts_at": course_session.starts_at.isoformat(),
        "ends_at": course_session.ends_at.isoformat(),
        "room": course_session.room,
        "cancelled": course_session.cancelled,
        "instructors": sorted(i.id for i in course_session.instructors),
        "sequence": course_session.sequence,
    }


# --- changing a schedule -----------------------------------------------------------------

def _with_instructors(session: Session, course_session: CourseSession) -> CourseSession:
    """course_session with its instructors loaded (after a commit they are expired)."""
    if "instructors" in sa.inspect(course_session).unloaded:
        session.scalars(
            sa.select(CourseSession).where(CourseSession.id == course_session.id)
            .options(selectinload(CourseSession.instructors))
            .execution_options(populate_existing=True)
        ).one()
    return course_session


def _parse_kind(kind: SessionKind | str) -> SessionKind:
    try:
        return SessionKind(kind)
    except ValueError:
        raise DomainError(_("Unknown kind of session %(kind)s.", kind=kind), field="kind") from None


def _instructors(session: Session, ids: Iterable[int]) -> list[Instructor]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = session.scalars(sa.select(Instructor).where(Instructor.id.in_(wanted))).all()
    if len(found) != len(wanted):
        raise DomainError(_("Choose instructors from the directory."), field="instructors")
    return sorted(found, key=lambda i: i.name)


def add_session(
    session: Session, course: Course, *, actor: User | None, day: date | None, starts: time | None,
    ends: time | None, title: str, kind: SessionKind | str = SessionKind.LECTURE, room: str = "",
    description: str = "", instructor_ids: Iterable[int] = (), via: str = "web",
) -> CourseSession:
    """Schedule a session on one day of the course, in the course's local time (coordinators)."""
    require_course_manager(actor)
    require_open(course)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    kind = _parse_kind(kind)
    starts_at, ends_at = slot_times(course, day, starts, ends)
    instructors = _instructors(session, instructor_ids)
    slot = Slot(starts_at, ends_at, (room or "").strip(), frozenset(i.id for i in instructors))
    lock_resources(session, course, [slot])
    check_clashes(session, course, slot)
    course_session = CourseSession(
        course_id=course.id, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at,
        room=slot.room, description=(description or "").strip(), instructors=instructors,
    )
    session.add(course_session)
    session.flush()
    record(session, actor=actor, action="session.added", subject=course_session,
           after=session_snapshot(course_session), topic=f"course:{course.id}", via=via)
    return course_session


def update_session(
    session: Session, course_session: CourseSession, course: Course, *, actor: User | None,
    day: date | None, starts: time | None, ends: time | None, title: str,
    kind: SessionKind | str = SessionKind.LECTURE, room: str = "", description: str = "",
    instructor_ids: Iterable[int] = (), via: str = "web",
) -> CourseSession:
    """Change a session; moving it in time or space raises its sequence and tells everyone concerned."""
    require_course_manager(actor)
    require_open(course)
    _with_instructors(session, course_session)
    if course_session.cancelled:
        raise DomainError(_("This session is cancelled; schedule a new one instead."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    kind = _parse_kind(kind)
    starts_at, ends_at = slot_times(course, day, starts, ends)
    instructors = _instructors(session, instructor_ids)
    slot = Slot(starts_at, ends_at, (room or "").strip(), frozenset(i.id for i in instructors))
    lock_resources(session, course, [slot])
    check_clashes(session, course, slot, exclude_ids=[course_session.id])

    before = session_snapshot(course_session)
    old_slot = describe_slot(course_session, course)
    rescheduled = (starts_at, ends_at, slot.room) != (
        course_session.starts_at, course_session.ends_at, course_session.room)
    told_before = people_to_notify(session, course, course_session) if rescheduled else []
    course_session.title = title
    course_session.kind = kind
    course_session.starts_at = starts_at
    course_session.ends_at = ends_at
    course_session.room = slot.room
    course_session.description = (description or "").strip()
    course_session.instructors = instructors
    after = session_snapshot(course_session)
    if {**after, "sequence": 0} != {**before, "sequence": 0}:
        course_session.sequence += 1
        after["sequence"] = course_session.sequence
    session.flush()
    record(session, actor=actor, action="session.rescheduled" if rescheduled else "session.updated",
           subject=course_session, before=before, after=after, topic=f"course:{course.id}", via=via)
    if rescheduled and course.status is CourseStatus.PUBLISHED:
        # Whoever taught it before the change hears about it too.
        recipients = merge(told_before, people_to_notify(session, course, course_session))
        tell_session_rescheduled(session, course, course_session, recipients,
                                 old_slot=old_slot, old_room=before["room"])
    return course_session


def cancel_session(
    session: Session, course_session: CourseSession, course: Course, *, actor: User | None,
    via: str = "web",
) -> CourseSession:
    """Cancel a session: it stays in the schedule, struck through, and everyone concerned is told."""
    require_course_manager(actor)
    require_open(course)
    _with_instructors(session, course_session)
    if course_session.cancelled:
        raise DomainError(_("This session is already cancelled."))
    before = session_snapshot(course_session)
    course_session.cancelled = True
    course_session.sequence += 1
    session.flush()
    record(session, actor=actor, action="session.cancelled", subject=course_session, before=before,
           after=session_snapshot(course_session), topic=f"course:{course.id}", via=via)
    if course.status is CourseStatus.PUBLISHED:
        recipients = people_to_notify(session, course, course_session)
        tell_session_cancelled(session, course, course_session, recipients)
    return course_session


def session_cancellation_outcome(
    session: Session, course_session: CourseSession, course: Course, *, actor: User | None
) -> int:
    """How many people cancel_session would tell (its instructors and the people on the course)."""
    require_course_manager(actor)
    require_open(course)
    if course_session.cancelled:
        raise DomainError(_("This session is already cancelled."))
    if course.status is not CourseStatus.PUBLISHED:
        return 0
    return len(people_to_notify(session, course, course_session))


def restore_session(
    session: Session, course_session: CourseSession, course: Course, *, actor: User | None,
    via: str = "web",
) -> CourseSession:
    """Take back a session's cancellation: it is on again, in calendars too, and everyone concerned is told.

    Its room and instructors may have been given to another session meanwhile, and the
    course's dates may have moved: it comes back only where a new session could go.
    """
    require_course_manager(actor)
    require_open(course)
    _with_instructors(session, course_session)
    if not course_session.cancelled:
        raise DomainError(_("This session is not cancelled."))
    day = local_day(course_session.starts_at, course.timezone)
    if not course.starts_on <= day <= course.ends_on:
        raise DomainError(_("“%(title)s” on %(day)s is outside the course's dates now; schedule a new "
                            "session instead.", title=course_session.title, day=show_date(day)))
    slot = Slot(course_session.starts_at, course_session.ends_at, course_session.room,
                frozenset(i.id for i in course_session.instructors))
    lock_resources(session, course, [slot])
    check_clashes(session, course, slot, exclude_ids=[course_session.id])
    before = session_snapshot(course_session)
    course_session.cancelled = False
    course_session.sequence += 1  # calendar clients replace the cancelled event with this one
    session.flush()
    record(session, actor=actor, action="session.restored", subject=course_session, before=before,
           after=session_snapshot(course_session), topic=f"course:{course.id}", via=via)
    if course.status is CourseStatus.PUBLISHED:
        recipients = people_to_notify(session, course, course_session)
        tell_session_restored(session, course, course_session, recipients)
    return course_session


def copy_day(
    session: Session, course: Course, *, actor: User | None, from_day: date | None,
    to_days: Iterable[date], via: str = "web",
) -> list[CourseSession]:
    """Repeat one day's sessions (times, rooms, instructors) on other days, all or nothing."""
    require_course_manager(actor)
    require_open(course)
    targets = sorted(set(to_days))
    if from_day is None or not course.starts_on <= from_day <= course.ends_on:
        raise DomainError(_("Choose a day of the course to copy."), field="from_day")
    if not targets:
        raise DomainError(_("Choose at least one day to copy to."), field="to_days")
    for day in targets:
        if not course.starts_on <= day <= course.ends_on:
            raise DomainError(_("%(day)s is outside the course.", day=show_date(day)), field="to_days")
        if day == from_day:
            raise DomainError(_("A day cannot be copied onto itself."), field="to_days")
    zone = local_zone(course)
    sources = [
        s for s in session.scalars(
            sa.select(CourseSession)
            .where(CourseSession.course_id == course.id, ~CourseSession.cancelled)
            .options(selectinload(CourseSession.instructors))
            .order_by(CourseSession.starts_at)
        )
        if s.starts_at.astimezone(zone).date() == from_day
    ]
    if not sources:
        raise DomainError(_("There is nothing to copy on %(day)s.", day=show_date(from_day)),
                          field="from_day")
    planned: list[tuple[CourseSession, Slot]] = []
    for day in targets:
        for source in sources:
            starts = source.starts_at.astimezone(zone).time()
            ends = source.ends_at.astimezone(zone).time()
            starts_at = to_instant(day, starts, course.timezone, field="to_days")
            ends_at = to_instant(day, ends, course.timezone, field="to_days")
            planned.append((source, Slot(starts_at, ends_at, source.room,
                                         frozenset(i.id for i in source.instructors))))
    lock_resources(session, course, [slot for _source, slot in planned])
    created = []
    for source, slot in planned:
        check_clashes(session, course, slot)
        copy = CourseSession(
            course_id=course.id, title=source.title, kind=source.kind, starts_at=slot.starts_at,
            ends_at=slot.ends_at, room=source.room, description=source.description,
            instructors=list(source.instructors),
        )
        session.add(copy)
        session.flush()  # the next clash check must see this copy
        created.append(copy)
    record(session, actor=actor, action="schedule.day_copied", subject=course,
           after={"from": from_day.isoformat(), "to": [d.isoformat() for d in targets],
                  "sessions": [c.id for c in created]},
           topic=f"course:{course.id}", via=via)
    return created
