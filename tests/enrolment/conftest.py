"""Fixtures for enrolment tests: courses built directly with the models, people per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from tests import factories
from training.accounts.models import Role, User
from training.core.database import utcnow
from training.courses.models import Course
from training.enrolment import services
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota
from training.outbox.models import OutboxMessage

# A published course (with quotas and sessions) made directly with the models.
build_course = factories.course_rows


@pytest.fixture
def make_course(session: Session) -> Callable[..., Course]:
    """Build and commit a published course; quotas={'US': 15}, sessions=n, instructor=user."""
    return factories.course_maker(session)


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
