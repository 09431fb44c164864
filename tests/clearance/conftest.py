"""Fixtures for clearance tests: a Beijing course with requirements, its people, files of each kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests import factories
from training.accounts.models import Role, User
from training.clearance import services
from training.clearance.models import Requirement
from training.core.database import utcnow
from training.courses.models import Course
from training.enrolment import services as enrolment
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota
from training.outbox.models import OutboxMessage

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(document.cookie)</script>"

FOUR = [
    services.RequirementSpec(key="passport", kind="document", title="Passport copy", title_zh="护照复印件",
                             due_days_before_start=45, instruction="The page with the photo."),
    services.RequirementSpec(key="nomination", kind="document", title="Nomination letter",
                             title_zh="提名函", due_days_before_start=45),
    services.RequirementSpec(key="photo", kind="document", title="Photo", title_zh="照片",
                             due_days_before_start=30),
    services.RequirementSpec(key="vetting", kind="check", title="Vetting cleared", title_zh="审查通过",
                             due_days_before_start=30, countries=["US"]),
]


@dataclass
class Programme:
    """A Beijing course starting in 60 days with four requirements, and everyone around it."""

    course: Course
    coordinator: User
    us_focal: User
    cn_focal: User
    instructor: User
    other: User  # personnel of the same country, on the course too


@pytest.fixture
def programme(session: Session, make_user: Callable[..., User]) -> Programme:
    coordinator = make_user(Role.COORDINATOR, "CN", name="Chen Coordinator")
    teacher = make_user(Role.INSTRUCTOR, "CN", name="Li Instructor")
    course = factories.course_rows(session, quotas={"US": 2, "CN": 1}, sessions=2, instructor=teacher,
                                   starts_on=(utcnow() + timedelta(days=60)).date())
    services.set_requirements(session, course, FOUR, actor=coordinator)
    session.commit()
    return Programme(
        course=course, coordinator=coordinator,
        us_focal=make_user(Role.FOCAL_POINT, "US", name="Una Focal"),
        cn_focal=make_user(Role.FOCAL_POINT, "CN", name="Cao Focal"),
        instructor=teacher, other=make_user(Role.PERSONNEL, "US", name="Other Person"),
    )


@pytest.fixture
def enrol(session: Session, make_user: Callable[..., User]) -> Callable[..., Enrolment]:
    """Enrol a new person of country on the programme's course (as a coordinator would)."""

    def make(programme: Programme, country: str = "US", person: User | None = None) -> Enrolment:
        person = person or make_user(Role.PERSONNEL, country)
        made = enrolment.enrol(session, programme.course, person, actor=programme.coordinator,
                               override_window=True)
        session.commit()
        return enrolment.enrolment_for(session, made.id)  # with its person and course

    return make


def backdate(session: Session, enrolment: Enrolment, days: int = 90) -> None:
    """Make the enrolment and the course's requirements as old as days: due dates have passed."""
    then = utcnow() - timedelta(days=days)
    session.execute(sa.update(Enrolment).where(Enrolment.id == enrolment.id)
                    .values(requested_at=then, decided_at=then))
    session.execute(sa.update(Requirement).where(Requirement.course_id == enrolment.course_id)
                    .values(created_at=then))
    session.commit()


def move_start(session: Session, course: Course, days_from_now: int) -> None:
    """Move the course so that it starts days_from_now (its due dates move with it)."""
    start = (utcnow() + timedelta(days=days_from_now)).date()
    session.execute(sa.update(Course).where(Course.id == course.id)
                    .values(starts_on=start, ends_on=start + timedelta(days=2)))
    session.commit()
    session.expire_all()


def fresh(session: Session, made: Enrolment) -> Enrolment:
    session.expire_all()
    return enrolment.enrolment_for(session, made.id)


def confirmed(session: Session, course: Course, country: str) -> int:
    session.expire_all()
    return session.scalar(sa.select(SeatQuota.confirmed).where(SeatQuota.course_id == course.id,
                                                               SeatQuota.country == country))


def mails_to(session: Session, user: User) -> list[OutboxMessage]:
    return list(session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.id)))


def at(days: float) -> datetime:
    return utcnow() + timedelta(days=days)


__all__ = ["EnrolmentStatus", "services", "backdate", "move_start", "fresh", "confirmed", "mails_to", "at"]
