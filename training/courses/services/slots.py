"""A session's place on its course's clock: the course's zone, a slot described, local times checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from training.core.errors import DomainError
from training.core.localtime import show_date, show_time, to_instant
from training.courses.models import Course, CourseSession


def local_zone(course: Course) -> ZoneInfo:
    """The course's timezone as a tzinfo."""
    return ZoneInfo(course.timezone)


def describe_slot(course_session: CourseSession, course: Course) -> str:
    """'Tue, Dec 15, 2026, 09:00–12:00 (Asia/Shanghai)': a session's day and local time."""
    return _("%(day)s, %(start)s–%(end)s (%(zone)s)",
             day=show_date(course_session.starts_at, course.timezone),
             start=show_time(course_session.starts_at, course.timezone),
             end=show_time(course_session.ends_at, course.timezone),
             zone=course.timezone)


@dataclass(frozen=True)
class Slot:
    """A session's place in time and space, as the clash rules see it."""

    starts_at: datetime
    ends_at: datetime
    room: str
    instructor_ids: frozenset[int]


def slot_times(
    course: Course, day: date | None, starts: time | None, ends: time | None
) -> tuple[datetime, datetime]:
    """The instants of a session from its day and wall-clock times; refuses with the field at fault."""
    if day is None:
        raise DomainError(_("Choose the day."), field="day")
    if not course.starts_on <= day <= course.ends_on:
        raise DomainError(
            _("%(day)s is outside the course (%(first)s to %(last)s).", day=show_date(day),
              first=show_date(course.starts_on), last=show_date(course.ends_on)),
            field="day",
        )
    if starts is None:
        raise DomainError(_("A start time is required."), field="starts")
    if ends is None:
        raise DomainError(_("An end time is required."), field="ends")
    if ends <= starts:
        raise DomainError(_("A session must end after it starts (on the same day)."), field="ends")
    starts_at = to_instant(day, starts, course.timezone, field="starts")
    ends_at = to_instant(day, ends, course.timezone, field="ends")
    if ends_at <= starts_at:  # pragma: no cover - only if a zone's clocks jump back mid-session
        raise DomainError(_("A session must end after it starts (on the same day)."), field="ends")
    return starts_at, ends_at
