"""Due dates at work: reminders before them, and the lapse of enrolments that miss them.

A lapse frees the seat through enrolment's own lapse service: under the course's quota
locks, with the atomic counter, promoting the head of the same country's waitlist (and,
after the release date, other countries') in the same transaction. What is overdue is
read after the locks are taken, so an acceptance or an extension committed a moment
before is seen, and one made a moment after waits for the lapse to finish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.clearance.models import Item, ItemState, Requirement
from training.clearance.services.notices import focal_points_of, mail_clearance
from training.clearance.services.state import Clearance, ClearanceLine, clearances_for
from training.core.database import utcnow
from training.courses.models import Course, CourseStatus
from training.enrolment import services as enrolment_services
from training.enrolment.models import LAPSABLE_STATUSES, Enrolment

# Reminders go this many days before each due date (`flask clearance remind --days` overrides).
REMINDER_DAYS = (7, 2)


@dataclass
class Lapse:
    """One enrolment that lapsed (or, in a dry run, would lapse), and who took its seat."""

    enrolment: Enrolment
    person: User
    course: Course
    overdue: list[ClearanceLine]
    promoted: list[Enrolment] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [line.requirement.key for line in self.overdue]


def courses_with_requirements(session: Session, now: datetime | None = None) -> Sequence[Course]:
    """Published courses not yet over that ask something of their participants."""
    now = now or utcnow()
    has_requirements = sa.select(Requirement.id).where(Requirement.course_id == Course.id).exists()
    return session.scalars(
        sa.select(Course).where(
            Course.status == CourseStatus.PUBLISHED, Course.ends_on >= now.date(), has_requirements
        ).order_by(Course.id)
    ).all()


def _open_clearances(session: Session, course: Course) -> list[Clearance]:
    """The clearance of every pending or confirmed enrolment of course not yet cleared, read fresh."""
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.status.in_(LAPSABLE_STATUSES),
               Enrolment.cleared_at.is_(None))
        .order_by(Enrolment.id)
        .execution_options(populate_existing=True)
    ).all()
    return list(clearances_for(session, enrolments).values())


def _overdue(session: Session, course: Course, now: datetime) -> list[Lapse]:
    lapses = []
    clearances = _open_clearances(session, course)
    people = {u.id: u for u in session.scalars(
        sa.select(User).where(User.id.in_([c.enrolment.user_id for c in clearances])))}
    for clearance in clearances:
        overdue = clearance.overdue(now)
        if overdue:
            lapses.append(Lapse(clearance.enrolment, people[clearance.enrolment.user_id], course, overdue))
    return lapses


def lapse_course(
    session: Session, course: Course, *, now: datetime | None = None, dry_run: bool = False, via: str = "cli"
) -> list[Lapse]:
    """Lapse every pending or confirmed enrolment of course with a requirement past due and not
    accepted, handing each freed seat on; dry_run only lists them."""
    now = now or utcnow()
    if course.status is not CourseStatus.PUBLISHED:
        return []
    if dry_run:
        return _overdue(session, course, now)
    enrolment_services.lock_quotas(session, course)
    lapses = _overdue(session, course, now)
    for lapse in lapses:
        lapse.enrolment, lapse.promoted = enrolment_services.lapse(
            session, lapse.enrolment, overdue=lapse.keys, via=via)
        titles = [line.requirement for line in lapse.overdue]
        for recipient in [lapse.person, *focal_points_of(session, lapse.enrolment.country)]:
            mail_clearance(session, "lapsed", recipient, person=lapse.person, course=course,
                           requirements=titles)
    return lapses


def lapse_overdue(
    session: Session, *, now: datetime | None = None, dry_run: bool = False, via: str = "cli"
) -> list[Lapse]:
    """lapse_course for every course that has requirements (`flask enrolment lapse-overdue`)."""
    now = now or utcnow()
    lapses = []
    for course in courses_with_requirements(session, now):
        lapses.extend(lapse_course(session, course, now=now, dry_run=dry_run, via=via))
    return lapses


# The name under which the statement that enrols someone also reads whether the course asks anything.
ASKS_CLEARANCE = "asks_clearance"


def asks_clearance(course_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """Whether the course with course_id requires anything of its participants (a column)."""
    return sa.select(Requirement.id).where(Requirement.course_id == course_id).exists()


def on_enrolments_changed(course: Course, *, session: Session, actor: Any = None, via: str = "web",
                          facts: dict[str, Any] | None = None, **_: Any) -> list[Lapse]:
    """Every enrolment change of a course also lapses what is overdue on it, under the same locks;
    returns the lapses."""
    if facts is not None and ASKS_CLEARANCE in facts:  # read by the change's own statement
        asks = bool(facts[ASKS_CLEARANCE])
    else:
        asks = bool(session.scalar(sa.select(asks_clearance(sa.literal(course.id)))))
    return lapse_course(session, course, via=via) if asks else []


def send_reminders(
    session: Session, days: Sequence[int] = REMINDER_DAYS, *, now: datetime | None = None
) -> int:
    """Mail the person and their focal points `days` before each due date of a requirement not yet
    accepted; each reminder goes once per due date (an extension starts them again). Returns the count."""
    now = now or utcnow()
    thresholds = sorted({d for d in days if d > 0})
    sent = 0
    for course in courses_with_requirements(session, now):
        enrolment_services.lock_quotas(session, course)
        clearances = _open_clearances(session, course)
        people = {u.id: u for u in session.scalars(
            sa.select(User).where(User.id.in_([c.enrolment.user_id for c in clearances])))}
        for clearance in clearances:
            for line in clearance.lines:
                left = line.due_at - now
                reached = [d for d in thresholds if timedelta(0) < left <= timedelta(days=d)]
                if line.is_accepted or not reached:
                    continue
                nearest = min(reached)
                item = line.item
                already = item is not None and item.reminded_for == line.due_at
                if already and (item.reminded_days or 0) <= nearest:
                    continue
                if item is None:
                    item = Item(enrolment_id=clearance.enrolment.id, requirement_id=line.requirement.id,
                                state=ItemState.MISSING)
                    session.add(item)
                item.reminded_for = line.due_at
                item.reminded_days = nearest
                person = people[clearance.enrolment.user_id]
                for recipient in [person, *focal_points_of(session, clearance.enrolment.country)]:
                    mail_clearance(session, "reminder", recipient, person=person, course=course,
                                   requirement=line.requirement, line=line, due_at=line.due_at)
                sent += 1
        session.flush()
    return sent
