"""Fixtures for courses: a coordinator, courses in Beijing and Washington, instructors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.courses import services
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
    counter = iter(range(1, 100_000))

    def make(publish: bool = True, **fields: Any) -> Course:
        n = next(counter)
        details = {
            "title": f"Cybercrime course {n}",
            "host_country": "CN",
            "city": "Beijing",
            "venue": "People's Public Security University",
            "timezone": "Asia/Shanghai",
            "starts_on": BEIJING_START,
            "ends_on": date(2031, 3, 12),
            "capacity": 15,
        }
        details.update(fields)
        course = services.create_course(session, services.CourseDetails(**details), actor=coordinator)
        if publish:
            services.publish_course(session, course, actor=coordinator)
        session.commit()
        return course

    return make


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
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, **fields: Any) -> Instructor:
        instructor = services.create_instructor(
            session,
            services.InstructorDetails(name=name or f"Instructor {next(counter)}", **fields),
            actor=coordinator,
        )
        session.commit()
        return instructor

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
        added = services.add_session(
            session,
            course,
            actor=coordinator,
            day=day,
            starts=time.fromisoformat(start),
            ends=time.fromisoformat(end),
            title=title,
            room=room,
            instructor_ids=[i.id for i in instructors],
            **fields,
        )
        session.commit()
        return added

    return add
