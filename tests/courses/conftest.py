"""Fixtures for courses: a coordinator, courses in Beijing and Washington, instructors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from training.accounts.models import Role, User
from training.courses.models import Course, CourseSession, Instructor

# Far enough ahead that every course here is upcoming.
BEIJING_START = date(2031, 3, 3)  # a Monday
WASHINGTON_START = date(2031, 3, 3)


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.COORDINATOR, country="CN", name="Chen Jing", timezone="Asia/Shanghai")


@pytest.fixture
def make_course(session: Session, coordinator: User) -> Callable[..., Course]:
    """Create a course (Beijing by default), optionally published; committed."""
    return factories.course_maker(session, coordinator, title="Cybercrime course {n}",
                                  **factories.BEIJING_COURSE, starts_on=BEIJING_START,
                                  ends_on=date(2031, 3, 12), capacity=15)


@pytest.fixture
def washington_course(make_course: Callable[..., Course]) -> Course:
    return make_course(
        title="Online fraud course",
        host_country="US",
        city="Washington, DC",
        venue="FBI Washington Field Office",
        timezone="America/New_York",
        starts_on=WASHINGTON_START,
        ends_on=date(2031, 3, 14),
    )


@pytest.fixture
def make_instructor(session: Session, coordinator: User) -> Callable[..., Instructor]:
    n = factories.numbered()

    def make(name: str | None = None, **fields: Any) -> Instructor:
        return factories.instructor(session, coordinator, name or f"Instructor {n()}", **fields)

    return make


@pytest.fixture
def add_session(session: Session, coordinator: User) -> Callable[..., CourseSession]:
    """Schedule a session from 'HH:MM' strings; committed."""

    def add(
        course: Course,
        day: date,
        start: str,
        end: str,
        title: str = "Lecture",
        instructors: list[Instructor] = (),
        room: str = "",
        **fields: Any,
    ) -> CourseSession:
        return factories.scheduled_session(session, coordinator, course, day, start, end, title=title,
                                           instructors=instructors, room=room, **fields)

    return add
