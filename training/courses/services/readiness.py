"""Whether a draft course is ready to publish: seats, sessions, instructors and the enrolment window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from training.core.database import utcnow
from training.courses.models import Course, CourseSession, SeatQuota, session_instructors


@dataclass(frozen=True)
class ReadinessItem:
    """One thing a course needs before people can enrol on it.

    key names the item (seats, sessions, instructors, window), for the page's link to fix it;
    an essential item that is not ready stops the course being published from the pages.
    """

    key: str
    ready: bool
    essential: bool
    label: str
    state: str
    todo: str


def _seats_item(session: Session, course: Course) -> ReadinessItem:
    rows = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(SeatQuota.seats), 0))
        .where(SeatQuota.course_id == course.id, SeatQuota.seats > 0)
    ).one()
    countries, seats = int(rows[0]), int(rows[1])
    if countries:
        state = ngettext("%(seats)d of %(capacity)d seats given to %(num)d country.",
                         "%(seats)d of %(capacity)d seats given to %(num)d countries.",
                         countries, seats=seats, capacity=course.capacity)
    else:
        state = _("No country has seats yet.")
    return ReadinessItem(
        key="seats", ready=0 < seats <= course.capacity, essential=True,
        label=_("Seats for at least one country"), state=state,
        todo=_("Give seats to at least one country."),
    )


def _sessions_items(session: Session, course: Course) -> tuple[ReadinessItem, ReadinessItem]:
    taught = sa.exists().where(session_instructors.c.session_id == CourseSession.id)
    scheduled, untaught = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(~taught))
        .select_from(CourseSession)
        .where(CourseSession.course_id == course.id, ~CourseSession.cancelled)
    ).one()
    sessions = ReadinessItem(
        key="sessions", ready=scheduled > 0, essential=True, label=_("Sessions in the schedule"),
        state=(ngettext("%(num)d session scheduled.", "%(num)d sessions scheduled.", scheduled)
               if scheduled else _("The schedule is empty.")),
        todo=_("Add the course's sessions to its schedule."),
    )
    if not scheduled:
        state = _("No session to teach yet.")
    elif untaught:
        state = ngettext("%(num)d session has no instructor.", "%(num)d sessions have no instructor.",
                         untaught)
    else:
        state = _("Every session has an instructor.")
    # Instructors are often confirmed late: the course may be announced before they are named.
    instructors = ReadinessItem(
        key="instructors", ready=scheduled > 0 and untaught == 0, essential=False,
        label=_("Instructors named for every session"), state=state,
        todo=_("Name an instructor for each session."),
    )
    return sessions, instructors


def _window_item(course: Course, now: datetime) -> ReadinessItem:
    opens, closes = course.enrolment_opens_at, course.enrolment_closes_at
    # Not to_instant: a zone whose clocks skip midnight must not make the page fail.
    first_morning = datetime.combine(course.starts_on, time(0), ZoneInfo(course.timezone))
    if opens and closes and closes <= opens:
        ready, state = False, _("Enrolment closes before it opens.")
    elif closes and closes > first_morning:
        ready, state = False, _("Enrolment closes after the course has started.")
    elif closes and closes <= now:
        ready, state = False, _("Enrolment has already closed: nobody could enrol.")
    elif not closes:
        ready, state = True, _("Enrolment has no closing date: it stays open once it opens.")
    else:
        ready, state = True, _("Enrolment opens before it closes, and closes before the course starts.")
    return ReadinessItem(
        key="window", ready=ready, essential=True, label=_("A sensible enrolment window"), state=state,
        todo=_("Make enrolment close after it opens, in the future, and before the course starts."),
    )


def course_readiness(session: Session, course: Course, *, now: datetime | None = None) -> list[ReadinessItem]:
    """What the course has and still lacks before publishing, in two queries."""
    sessions, instructors = _sessions_items(session, course)
    return [_seats_item(session, course), sessions, instructors, _window_item(course, now or utcnow())]


def missing_essentials(items: list[ReadinessItem]) -> list[ReadinessItem]:
    """The essential items not ready: what stops publishing from the pages."""
    return [item for item in items if item.essential and not item.ready]
