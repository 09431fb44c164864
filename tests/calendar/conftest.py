"""Fixtures for calendar feeds: courses, sessions, instructors and enrolments made directly as rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from tests import factories
from training.accounts import tokens
from training.accounts.models import User
from training.courses.models import Course, CourseSession, CourseStatus, Instructor
from training.enrolment.models import Enrolment, EnrolmentStatus

# Data changed "a while ago", so that DTSTAMP and Last-Modified are visibly not the clock.
STAMP = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)


def local(zone: str, *args: int) -> datetime:
    """A wall-clock time in zone, as the aware instant a session stores."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def make_course(session: Session) -> Callable[..., Course]:
    """Create a course row (published, in Beijing, by default)."""
    return factories.course_maker(
        session, slug="course-{n}", title="Course {n}", **factories.BEIJING_COURSE,
        starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 18), capacity=30,
        status=CourseStatus.PUBLISHED, created_at=STAMP, updated_at=STAMP,
    )


@pytest.fixture
def make_session(session: Session) -> Callable[..., CourseSession]:
    """Create a session row of course, by default 09:00-12:00 local on the course's first day."""

    def make(course: Course, start: datetime | None = None, hours: float = 3, **fields: Any) -> CourseSession:
        instructors = fields.pop("instructors", [])
        start = start or local(course.timezone, course.starts_on.year, course.starts_on.month,
                               course.starts_on.day, 9)
        values: dict[str, Any] = dict(
            course_id=course.id, title="Opening lecture", starts_at=start,
            ends_at=start + timedelta(hours=hours), room="Room 301",
            created_at=STAMP, updated_at=STAMP,
        )
        values.update(fields)
        row = CourseSession(**values)
        row.instructors = list(instructors)
        session.add(row)
        session.commit()
        return row

    return make


@pytest.fixture
def make_instructor(session: Session) -> Callable[..., Instructor]:
    def make(name: str = "Li Na", user: User | None = None, **fields: Any) -> Instructor:
        instructor = Instructor(name=name, user_id=user.id if user else None, **fields)
        session.add(instructor)
        session.commit()
        return instructor

    return make


@pytest.fixture
def enrol(session: Session) -> Callable[..., Enrolment]:
    """Put user on course with status (as the enrolment services would leave it)."""

    def make(user: User, course: Course, status: EnrolmentStatus = EnrolmentStatus.CONFIRMED) -> Enrolment:
        enrolment = Enrolment(
            course_id=course.id, user_id=user.id, country=user.country or "US", status=status
        )
        session.add(enrolment)
        session.commit()
        return enrolment

    return make


@pytest.fixture
def feed_path(session: Session) -> Callable[[User], str]:
    """The path of user's personal feed, creating its token if needed."""

    def make(user: User) -> str:
        token = tokens.feed_token(session, user) or tokens.replace_feed_token(session, user)
        session.commit()
        return f"/calendar/feeds/{token}.ics"

    return make


@pytest.fixture
def subscriber(make_user, make_course, make_session, enrol, feed_path) -> tuple[User, str]:
    """A person with a seat on a course of one session, and their personal feed's address."""
    person = make_user()
    course = make_course(slug="bj")
    make_session(course)
    enrol(person, course)
    return person, feed_path(person)


# Symposium fixtures, for the symposium feeds.
from tests.symposia.conftest import coordinator, invite, make_symposium  # noqa: E402, F401
