"""Fixtures for travel tests: a Beijing course with confirmed US and Chinese participants and everyone
around them, and a complete travel form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from sqlalchemy.orm import Session

from tests import factories
from training.accounts.models import Role, User
from training.courses.models import Course
from training.enrolment import services as enrolment
from training.enrolment.models import Enrolment
from training.travel.services import TravelSpec

START = date(2027, 4, 12)


@dataclass
class Trip:
    """A ten-day Beijing course from START with two sessions, and the people around it."""

    session: Session
    course: Course
    coordinator: User
    us_focal: User
    cn_focal: User
    instructor: User
    person: User  # US personnel holding a seat
    traveller_id: int  # their enrolment
    other_trainee: User  # CN personnel holding a seat on the same course

    @property
    def traveller(self) -> Enrolment:
        """The enrolment with its person and course, loaded afresh (a commit expires them)."""
        return enrolment.enrolment_for(self.session, self.traveller_id)


def complete_spec(course: Course, **changes: object) -> TravelSpec:
    values: dict[str, object] = dict(
        passport_name="CARTER, JOHN MICHAEL",
        passport_number="X12345678",
        nationality="US",
        birth_date=date(1984, 5, 17),
        passport_issued_on=date(2020, 3, 1),
        passport_expires_on=date(2030, 2, 28),
        passport_issued_at="U.S. Department of State",
        arrival_on=course.starts_on - timedelta(days=1),
        arrival_time=time(14, 35),
        arrival_carrier="UA 889",
        arrival_place="Beijing Capital (PEK) T3",
        departure_on=course.ends_on + timedelta(days=1),
        departure_time=time(11, 50),
        departure_carrier="UA 888",
        departure_place="Beijing Capital (PEK) T3",
        hotel="Beijing Friendship Hotel",
        check_in_on=course.starts_on - timedelta(days=1),
        check_out_on=course.ends_on + timedelta(days=1),
        dietary_needs="No pork",
        accessibility_needs="",
        emergency_name="Mary Carter",
        emergency_phone="+1 202 555 0143",
    )
    values.update(changes)
    return TravelSpec(**values)


@pytest.fixture
def trip(session: Session, make_user: Callable[..., User]) -> Trip:
    coordinator = make_user(Role.COORDINATOR, "CN", name="Chen Coordinator")
    teacher = make_user(Role.INSTRUCTOR, "CN", name="Li Instructor")
    course = factories.course_rows(
        session,
        quotas={"US": 15, "CN": 5},
        sessions=2,
        instructor=teacher,
        starts_on=START,
        ends_on=START + timedelta(days=9),
    )
    traveller = make_user(Role.PERSONNEL, "US", name="John Carter")
    trainee = make_user(Role.PERSONNEL, "CN", name="Wang Lei")
    made = enrolment.enrol(session, course, traveller, actor=coordinator, override_window=True)
    enrolment.enrol(session, course, trainee, actor=coordinator, override_window=True)
    session.commit()
    return Trip(
        session=session,
        course=course,
        coordinator=coordinator,
        us_focal=make_user(Role.FOCAL_POINT, "US", name="Una Focal"),
        cn_focal=make_user(Role.FOCAL_POINT, "CN", name="Cao Focal"),
        instructor=teacher,
        person=traveller,
        traveller_id=made.id,
        other_trainee=trainee,
    )
