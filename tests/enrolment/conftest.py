"""Fixtures for enrolment tests: courses built directly with the models, people per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from training.accounts.models import Role, User
from training.core.database import utcnow
from training.courses.models import Course, CourseSession, CourseStatus, Instructor
from training.enrolment import services
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota
from training.outbox.models import OutboxMessage


def build_course(session: Session, *, quotas: dict[str, int] | None = None, sessions: int = 0,
                 instructor: User | None = None, **fields: Any) -> Course:
    """A published course (with quotas and sessions) made directly with the models."""
    n = session.scalar(sa.select(sa.func.count()).select_from(Course)) or 0
    start = fields.pop("starts_on", date.today() + timedelta(days=30))
    course = Course(
        slug=fields.pop("slug", f"course-{n + 1}"),
        title=fields.pop("title", f"Cybercrime investigation {n + 1}"),
        host_country=fields.pop("host_country", "CN"),
        city=fields.pop("city", "Beijing"),
        timezone=fields.pop("timezone", "Asia/Shanghai"),
        starts_on=start,
        ends_on=fields.pop("ends_on", start + timedelta(days=max(sessions, 1))),
        capacity=fields.pop("capacity", 20),
        status=fields.pop("status", CourseStatus.PUBLISHED),
        **fields,
    )
    session.add(course)
    session.flush()
    for country, seats in (quotas or {}).items():
        session.add(SeatQuota(course_id=course.id, country=country, seats=seats, confirmed=0))
    teacher = None
    if instructor is not None:
        teacher = Instructor(name=instructor.name, user_id=instructor.id)
        session.add(teacher)
    zone = ZoneInfo(course.timezone)
    for day in range(sessions):
        starts = datetime.combine(start + timedelta(days=day), time(9), zone)
        course_session = CourseSession(course_id=course.id, title=f"Day {day + 1} lecture",
                                       starts_at=starts, ends_at=starts + timedelta(hours=3))
        if teacher is not None:
            course_session.instructors = [teacher]
        session.add(course_session)
    session.commit()
    return course


@pytest.fixture
def make_course(session: Session) -> Callable[..., Course]:
    """Build and commit a published course; quotas={'US': 15}, sessions=n, instructor=user."""
    return lambda **fields: build_course(session, **fields)


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.COORDINATOR, "CN", name="Chen Coordinator")


@pytest.fixture
def people(make_user: Callable[..., User]) -> Callable[[int, str], list[User]]:
    """n personnel accounts of one country."""

    def make(n: int, country: str = "US") -> list[User]:
        return [make_user(Role.PERSONNEL, country) for _ in range(n)]

    return make


def statuses(session: Session, course: Course) -> dict[str, int]:
    """How many enrolments of the course are in each status."""
    rows = session.execute(
        sa.select(Enrolment.status, sa.func.count())
        .where(Enrolment.course_id == course.id)
        .group_by(Enrolment.status)
    ).all()
    return {status.value: count for status, count in rows}


def quota(session: Session, course: Course, country: str) -> SeatQuota:
    session.expire_all()
    return session.scalars(
        sa.select(SeatQuota).where(SeatQuota.course_id == course.id, SeatQuota.country == country)
    ).one()


def mails_to(session: Session, user: User) -> list[OutboxMessage]:
    return list(session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.id)
    ))


def enrolment_of(session: Session, course: Course, user: User) -> Enrolment:
    session.expire_all()
    return session.scalars(
        sa.select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == user.id)
        .options(joinedload(Enrolment.quota))
        .order_by(Enrolment.id.desc())
    ).first()


def open_window(course: Course) -> None:
    now = utcnow()
    course.enrolment_opens_at = now - timedelta(days=1)
    course.enrolment_closes_at = now + timedelta(days=1)


__all__ = ["EnrolmentStatus", "services", "statuses", "quota", "mails_to", "enrolment_of", "open_window"]
