"""Seats per country for the catalogue and course pages, and the course page's enrolment panel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import DomainError
from training.courses.models import Course
from training.courses.seats import QuotaSummary, SeatSummary
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota
from training.enrolment.services.access import teaches
from training.enrolment.services.requests import check_window
from training.enrolment.services.rosters import participants_to_notify
from training.enrolment.services.seats import position_expression, seats_released


@cache
def _seat_summaries_statement() -> sa.Select[Any]:
    """Seats, confirmed and waiting people per country of the courses bound as ids; built once,
    because building it costs more than running it (the catalogue and every course page run it)."""
    ids = sa.bindparam("ids", expanding=True)
    waiting = (
        sa.select(Enrolment.course_id, Enrolment.country, sa.func.count(Enrolment.id).label("n"))
        .where(Enrolment.course_id.in_(ids), Enrolment.status == EnrolmentStatus.WAITLISTED)
        .group_by(Enrolment.course_id, Enrolment.country)
        .subquery()
    )
    return (
        sa.select(SeatQuota.course_id, SeatQuota.country, SeatQuota.seats, SeatQuota.confirmed,
                  sa.func.coalesce(waiting.c.n, 0))
        .outerjoin(waiting, sa.and_(waiting.c.course_id == SeatQuota.course_id,
                                    waiting.c.country == SeatQuota.country))
        .where(SeatQuota.course_id.in_(ids))
        .order_by(SeatQuota.course_id, SeatQuota.country)
    )


def seat_summaries(session: Session, course_ids: Iterable[int]) -> dict[int, SeatSummary]:
    """Seats per country for each course, in one query (for the catalogue and course pages)."""
    ids = sorted(set(course_ids))
    summaries = {course_id: SeatSummary(course_id) for course_id in ids}
    if not ids:
        return summaries
    for course_id, country, seats, confirmed, waitlisted in session.execute(
            _seat_summaries_statement(), {"ids": ids}):
        summaries[course_id].quotas.append(QuotaSummary(country, seats, confirmed, waitlisted))
    return summaries


@cache
def _viewer_enrolment_statement() -> sa.Select[Any]:
    """The latest enrolment of the person bound as user_id on the course bound as course_id, with
    its waitlist position; built once, like the seat summaries."""
    return (
        sa.select(Enrolment, position_expression())
        .where(Enrolment.course_id == sa.bindparam("course_id"), Enrolment.user_id == sa.bindparam("user_id"))
        .order_by(Enrolment.requested_at.desc(), Enrolment.id.desc())
        .limit(1)
    )


@dataclass
class CoursePanel:
    """What the course page shows about seats, for one viewer."""

    course: Course
    summary: SeatSummary
    enrolment: Enrolment | None = None
    position: int | None = None
    can_enrol: bool = False
    # Enrolling now would queue: no seat of the viewer's country (nor, after the release
    # date, of any other) is free. The same rule as seat_for, read from the summary.
    joins_waitlist: bool = False
    can_nominate: bool = False
    can_manage: bool = False
    can_see_roster: bool = False
    refusal: str | None = None  # why the viewer cannot enrol, when they cannot
    # The next instant at which the clock alone changes what the panel shows (None: never).
    changes_at: datetime | None = None


def course_panel(session: Session, course: Course, viewer: User | None) -> CoursePanel:
    """Seats per country and, for a signed-in viewer, their status and what they may do."""
    panel = CoursePanel(course, seat_summaries(session, [course.id])[course.id])
    if viewer is None or not viewer.is_authenticated:
        return panel
    now = utcnow()
    panel.changes_at = clock_changes(course, now)
    panel.can_manage = is_coordinator(viewer)
    panel.can_nominate = panel.can_manage or viewer.role is Role.FOCAL_POINT
    panel.can_see_roster = panel.can_manage or viewer.role is Role.FOCAL_POINT or (
        viewer.role is Role.INSTRUCTOR and teaches(session, viewer, course)
    )
    row = session.execute(_viewer_enrolment_statement(),
                          {"course_id": course.id, "user_id": viewer.id}).first()
    if row is not None:
        panel.enrolment = row[0]
        if row[0].status is EnrolmentStatus.WAITLISTED:
            panel.position = row[1]
    if panel.enrolment is not None and panel.enrolment.is_active:
        return panel
    try:
        check_window(course, viewer, False, now)
    except DomainError as error:
        panel.refusal = error.message
        return panel
    quota = panel.summary.for_country(viewer.country)
    if quota is None or quota.seats == 0:
        panel.refusal = _("This course has no seats for personnel of %(country)s.",
                          country=i18n.country_name(viewer.country)) if viewer.country else _(
            "Set your country in your profile to enrol.")
        return panel
    panel.can_enrol = True
    released = seats_released(course, now)
    panel.joins_waitlist = not has_free_seat(panel.summary, viewer.country, released=released)
    return panel


def clock_changes(course: Course, now: datetime) -> datetime | None:
    """The next instant after now at which course_panel's answer changes with no data changing:
    the enrolment window opening or closing (check_window), the seats' release (seats_released)."""
    instants = (course.enrolment_opens_at, course.enrolment_closes_at, course.seat_release_at)
    return min((instant for instant in instants if instant is not None and instant > now), default=None)


def has_free_seat(summary: SeatSummary, country: str | None, *, released: bool) -> bool:
    """Whether a person of country would get a seat now: one of their quota's, or after the
    release date one of any quota's (as seat_for takes them)."""
    own = summary.for_country(country)
    if own is not None and own.available > 0:
        return True
    return released and summary.available > 0


def answer_seat_summaries(session: Session, *, course_ids: list[int]) -> dict[int, SeatSummary]:
    """Receiver of seat_summaries_wanted: the catalogue's and course API's seat counts."""
    return seat_summaries(session, course_ids)


def answer_participants(course: Course, *, session: Session) -> list[User]:
    """Receiver of participants_wanted: who hears of a change to the course."""
    return participants_to_notify(session, course)
